"""The one place that talks HTTP to a Kubernetes API server: an async client on plain dicts,
reflectors and informer caches, and the work queue the controllers drain."""
