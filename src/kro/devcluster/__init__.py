"""The embedded control plane: a local Kubernetes API server (storage, REST, watch, CRDs, patch and
server-side apply, garbage collection, workload simulation) for ``kro dev`` and the test suite."""
