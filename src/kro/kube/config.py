"""Where the cluster is and how to authenticate: :class:`ClusterConfig`.

Reading kubeconfig files correctly (merged ``KUBECONFIG`` paths, contexts, embedded or file
certificates, exec credential plugins, OIDC and other auth providers) and the in-cluster service
account is left to the official ``kubernetes`` package: its loaders fill a
``kubernetes.client.Configuration`` and this module takes from it only the server URL, TLS material
and the ``Authorization`` header. The HTTP itself is done by :class:`kro.kube.client.KubeClient`.

Tokens that expire (exec plugins, projected service-account tokens) are refreshed through the
loader's own refresh hook, run in a worker thread because it may start a subprocess, and at most
every ``cache_seconds``; a 401 forces a full re-authentication once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import os
import ssl
import time
from dataclasses import dataclass
from typing import Any, Protocol

from kro.kube.errors import ConfigError

DEFAULT_USER_AGENT = "kro-python/0.1.0"
DEFAULT_QPS = 0.0
"""No client-side limit: the API server's priority and fairness answers 429 with ``Retry-After`` when
it is saturated, and the client honours it (as controller-runtime's clients do since 0.21)."""
DEFAULT_BURST = 150
"""Only used with a positive ``qps``."""
_IN_CLUSTER_HOST_ENV = "KUBERNETES_SERVICE_HOST"


class TokenSource(Protocol):
    async def authorization(self, *, refresh: bool = False) -> str | None:
        """The ``Authorization`` header value (``"Bearer …"``), or ``None`` for none.

        ``refresh=True`` after a 401: obtain new credentials rather than the cached ones."""
        ...


class StaticToken:
    """A fixed bearer token."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    async def authorization(self, *, refresh: bool = False) -> str | None:
        return self._header


class LoaderTokenSource:
    """Credentials from a ``kubernetes`` config loader, refreshed through its hook."""

    def __init__(self, loader: Any, configuration: Any, *, cache_seconds: float = 10.0) -> None:
        self._loader = loader
        self._configuration = configuration
        self._cache_seconds = cache_seconds
        self._header: str | None = configuration.api_key.get("BearerToken")
        self._fetched = time.monotonic()
        self._lock = asyncio.Lock()

    async def authorization(self, *, refresh: bool = False) -> str | None:
        if not refresh and time.monotonic() - self._fetched < self._cache_seconds:
            return self._header
        async with self._lock:
            if refresh:
                await asyncio.to_thread(self._loader.load_and_set, self._configuration)
            self._header = await asyncio.to_thread(self._configuration.get_api_key_with_prefix, "BearerToken")
            self._fetched = time.monotonic()
            return self._header


@dataclass(frozen=True, eq=False)
class ClusterConfig:
    """An API server's URL, TLS settings and credentials, plus client-side rate limits."""

    server: str
    ssl_context: ssl.SSLContext | None = None
    token: TokenSource | None = None
    tls_server_name: str | None = None
    proxy: str | None = None
    user_agent: str = DEFAULT_USER_AGENT
    qps: float = DEFAULT_QPS
    burst: int = DEFAULT_BURST
    timeout: float = 60.0

    def with_options(self, **changes: Any) -> ClusterConfig:
        """A copy with some fields changed (``qps``, ``burst``, ``user_agent``, ``timeout``, …)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def explicit(
        cls,
        server: str,
        *,
        token: str | None = None,
        ca_file: str | None = None,
        client_cert: str | None = None,
        client_key: str | None = None,
        insecure: bool = False,
        **options: Any,
    ) -> ClusterConfig:
        """A server given directly: URL, optional bearer token, CA bundle and client certificate."""
        context = _ssl_context(server, ca_file, client_cert, client_key, verify=not insecure)
        return cls(server.rstrip("/"), context, StaticToken(token) if token else None, **options)

    @classmethod
    def from_kubeconfig(
        cls, path: str | None = None, *, context: str | None = None, **options: Any
    ) -> ClusterConfig:
        """From a kubeconfig file (default: ``$KUBECONFIG`` or ``~/.kube/config``) and a context
        (default: its current context)."""
        Configuration, ConfigException = (
            _k8s("kubernetes.client.configuration").Configuration,
            _config_exception(),
        )
        kube_config = _k8s("kubernetes.config.kube_config")
        where = path or os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")
        try:
            merger = kube_config.KubeConfigMerger(where)
            if merger.config is None:
                raise ConfigError(f"kubeconfig {where}: no configuration found")
            loader = kube_config.KubeConfigLoader(
                config_dict=merger.config, active_context=context, config_base_path=None
            )
            configuration = Configuration()
            loader.load_and_set(configuration)
        except ConfigException as e:
            raise ConfigError(f"kubeconfig {where}: {e}") from e
        except (OSError, ValueError, KeyError) as e:
            raise ConfigError(f"kubeconfig {where}: {e}") from e
        return cls._from_configuration(loader, configuration, options)

    @classmethod
    def in_cluster(cls, **options: Any) -> ClusterConfig:
        """From the pod's service account (``KUBERNETES_SERVICE_HOST`` and the mounted token/CA)."""
        Configuration, ConfigException = (
            _k8s("kubernetes.client.configuration").Configuration,
            _config_exception(),
        )
        incluster_config = _k8s("kubernetes.config.incluster_config")
        loader = incluster_config.InClusterConfigLoader(
            token_filename=incluster_config.SERVICE_TOKEN_FILENAME,
            cert_filename=incluster_config.SERVICE_CERT_FILENAME,
        )
        configuration = Configuration()
        try:
            loader.load_and_set(configuration)
        except (ConfigException, OSError) as e:
            raise ConfigError(f"in-cluster configuration: {e}") from e
        return cls._from_configuration(loader, configuration, options)

    @classmethod
    def load(
        cls, kubeconfig: str | None = None, *, context: str | None = None, **options: Any
    ) -> ClusterConfig:
        """The usual search order: an explicit kubeconfig, then ``$KUBECONFIG``, then the in-cluster
        service account, then ``~/.kube/config``."""
        if kubeconfig or os.environ.get("KUBECONFIG") or not os.environ.get(_IN_CLUSTER_HOST_ENV):
            return cls.from_kubeconfig(kubeconfig, context=context, **options)
        return cls.in_cluster(**options)

    @classmethod
    def _from_configuration(cls, loader: Any, configuration: Any, options: dict[str, Any]) -> ClusterConfig:
        server = str(configuration.host or "").rstrip("/")
        if not server:
            raise ConfigError("the configuration names no server")
        context = _ssl_context(
            server,
            configuration.ssl_ca_cert,
            configuration.cert_file,
            configuration.key_file,
            verify=bool(configuration.verify_ssl),
        )
        has_token = bool(configuration.api_key.get("BearerToken")) or configuration.refresh_api_key_hook
        token = LoaderTokenSource(loader, configuration) if has_token else None
        extra: dict[str, Any] = {
            "tls_server_name": getattr(configuration, "tls_server_name", None) or None,
            "proxy": configuration.proxy or None,
        }
        extra.update(options)
        return cls(server, context, token, **extra)


def _k8s(module: str) -> Any:
    # Imported on first use: the package takes about half a second to import, and only
    # kubeconfig and in-cluster loading need it.
    return importlib.import_module(module)


def _config_exception() -> type[Exception]:
    exc: type[Exception] = _k8s("kubernetes.config.config_exception").ConfigException
    return exc


def _ssl_context(
    server: str,
    ca_file: str | None,
    client_cert: str | None,
    client_key: str | None,
    *,
    verify: bool,
) -> ssl.SSLContext | None:
    if not server.startswith("https://"):
        return None
    try:
        context = ssl.create_default_context(cafile=ca_file) if verify else ssl.create_default_context()
        if not verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if client_cert:
            context.load_cert_chain(client_cert, client_key)
    except (OSError, ssl.SSLError) as e:
        raise ConfigError(f"TLS settings for {server}: {e}") from e
    return context
