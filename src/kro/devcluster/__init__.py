"""The embedded control plane: a local Kubernetes API server (storage, REST, watch, CRDs, patch and
server-side apply, garbage collection, workload simulation) for ``kro dev`` and the test suite.

Entry points: :class:`DevServer` (``await start()`` / ``await stop()``, ``url``, ``token``,
``ca_file``, ``kubeconfig_path``) configured by :class:`DevServerConfig`, and
:class:`ThreadedDevServer` to run one in a background thread for synchronous code (kubectl tests).
"""

from kro.devcluster.cluster import BackgroundLoop, Cluster
from kro.devcluster.server import DevServer, DevServerConfig
from kro.devcluster.threaded import ThreadedDevServer

__all__ = ["BackgroundLoop", "Cluster", "DevServer", "DevServerConfig", "ThreadedDevServer"]
