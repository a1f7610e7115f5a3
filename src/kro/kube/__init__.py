"""The one place that talks HTTP to a Kubernetes API server: an async client on plain dicts,
reflectors and informer caches, and the work queue the controllers drain."""

from kro.kube.client import KubeClient, WatchEvent, resource_path
from kro.kube.clock import SYSTEM_CLOCK, Clock, ManualClock, SystemClock
from kro.kube.config import ClusterConfig, StaticToken, TokenSource
from kro.kube.stats import RequestStats

__all__ = [
    "SYSTEM_CLOCK",
    "Clock",
    "ClusterConfig",
    "KubeClient",
    "ManualClock",
    "RequestStats",
    "StaticToken",
    "SystemClock",
    "TokenSource",
    "WatchEvent",
    "resource_path",
]
