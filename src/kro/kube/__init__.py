"""The one place that talks HTTP to a Kubernetes API server.

- :mod:`~kro.kube.config`: :class:`ClusterConfig` from a kubeconfig, the in-cluster service account or
  explicit settings; :mod:`~kro.kube.kubeconfig` reads the files, :mod:`~kro.kube.tokens` and
  :mod:`~kro.kube.execauth` (exec credential plugins) provide the credentials,
  :mod:`~kro.kube.tlsconfig` the TLS context. The ``kubernetes`` package is imported only for a
  legacy ``auth-provider`` user (:mod:`~kro.kube.authprovider`).
- :mod:`~kro.kube.client`: :class:`KubeClient`, async verbs on plain dicts over one aiohttp session,
  client-side rate limiting, 429 handling, request counters (:mod:`~kro.kube.stats`).
- :mod:`~kro.kube.errors`: the error tree, classified from ``Status`` objects.
- :mod:`~kro.kube.discovery` and :mod:`~kro.kube.schemas`: which resource serves a kind; live
  OpenAPI v3 schemas for the compiler (:class:`LiveSchemaResolver`).
- :mod:`~kro.kube.reflector`, :mod:`~kro.kube.cache`, :mod:`~kro.kube.informer`,
  :mod:`~kro.kube.factory`: LIST+WATCH into indexed caches, shared and started at run time.
- :mod:`~kro.kube.workqueue` and :mod:`~kro.kube.ratelimit`: the controllers' rate-limited queue.
- :mod:`~kro.kube.leaderelection`: Lease-based leader election.
- :mod:`~kro.kube.clock`: injected time, so all of the above is tested without waiting.
"""

from kro.kube.backoff import Backoff
from kro.kube.cache import Cache, make_key, object_key
from kro.kube.client import KubeClient, PatchType, WatchEvent, resource_path
from kro.kube.clock import SYSTEM_CLOCK, Clock, ManualClock, SystemClock
from kro.kube.config import ClusterConfig, StaticToken, TokenSource
from kro.kube.discovery import Discovery
from kro.kube.errors import (
    AlreadyExists,
    ApiError,
    BadRequest,
    ConfigError,
    Conflict,
    Forbidden,
    Gone,
    Invalid,
    KubeError,
    NotFound,
    ServerError,
    TooManyRequests,
    TransportError,
    Unauthorized,
)
from kro.kube.factory import InformerFactory
from kro.kube.informer import Handler, Informer
from kro.kube.leaderelection import LeaderElectionConfig, LeaderElector
from kro.kube.ratelimit import (
    BucketRateLimiter,
    ItemExponentialBackoff,
    ItemRateLimiter,
    MaxOfRateLimiter,
    TokenBucket,
    default_controller_rate_limiter,
)
from kro.kube.reflector import Reflector
from kro.kube.schemas import LiveSchemaResolver
from kro.kube.selectors import encode_field_selector, encode_label_selector, selector_matches
from kro.kube.stats import RequestStats
from kro.kube.workqueue import QueueMetrics, QueueShutDown, WorkQueue

__all__ = [
    "SYSTEM_CLOCK",
    "AlreadyExists",
    "ApiError",
    "Backoff",
    "BadRequest",
    "BucketRateLimiter",
    "Cache",
    "Clock",
    "ClusterConfig",
    "ConfigError",
    "Conflict",
    "Discovery",
    "Forbidden",
    "Gone",
    "Handler",
    "Informer",
    "InformerFactory",
    "Invalid",
    "ItemExponentialBackoff",
    "ItemRateLimiter",
    "KubeClient",
    "KubeError",
    "LeaderElectionConfig",
    "LeaderElector",
    "LiveSchemaResolver",
    "ManualClock",
    "MaxOfRateLimiter",
    "NotFound",
    "PatchType",
    "QueueMetrics",
    "QueueShutDown",
    "Reflector",
    "RequestStats",
    "ServerError",
    "StaticToken",
    "SystemClock",
    "TokenBucket",
    "TokenSource",
    "TooManyRequests",
    "TransportError",
    "Unauthorized",
    "WatchEvent",
    "WorkQueue",
    "default_controller_rate_limiter",
    "encode_field_selector",
    "encode_label_selector",
    "make_key",
    "object_key",
    "resource_path",
    "selector_matches",
]
