"""The HTTP surface of the local API server: request parsing, the resource verbs, watch streams,
Table output for ``kubectl get``, discovery and OpenAPI documents."""
