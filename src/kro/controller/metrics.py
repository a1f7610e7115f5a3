"""The controller's Prometheus metrics, registered on a registry passed in (never the global one),
so several controllers (tests, ``kro dev``) can live in one process.

Besides the controller's own figures, :class:`ClientRequestsCollector` publishes the API client's
:class:`~kro.kube.RequestStats` (requests by verb, writes, 429 retries, throttling), read at scrape
time, so requests and writes per reconcile can be measured from outside the process."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from kro.kube.stats import RequestStats


class Metrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.reconciles = Counter(
            "kro_reconcile_total",
            "Reconciles by controller (rgd, resourcegraph, instance, root), resource and result "
            "(done, requeue, terminal, error).",
            ["controller", "resource", "result"],
            registry=registry,
        )
        self.errors = Counter(
            "kro_reconcile_errors_total",
            "Reconciles that raised, by controller and resource.",
            ["controller", "resource"],
            registry=registry,
        )
        self.duration = Histogram(
            "kro_reconcile_duration_seconds",
            "Time spent in one reconcile.",
            ["controller", "resource"],
            registry=registry,
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.queue_depth = Gauge("kro_workqueue_depth", "Keys waiting in the work queue.", registry=registry)
        self.queue_adds = Counter(
            "kro_workqueue_adds", "Keys queued (not counting duplicates).", registry=registry
        )
        self.queue_retries = Counter(
            "kro_workqueue_retries",
            "Keys re-queued with backoff after a failed reconcile.",
            registry=registry,
        )
        self.queue_wait = Histogram(
            "kro_workqueue_queue_duration_seconds",
            "Time a key waited in the queue before a worker took it.",
            registry=registry,
            buckets=(0.001, 0.01, 0.1, 0.5, 1, 5, 10, 60),
        )
        self.writes = Counter(
            "kro_child_writes_total",
            "Writes to child objects by verb (apply, delete) and the applies skipped as unchanged.",
            ["verb"],
            registry=registry,
        )
        self.node_states = Gauge(
            "kro_instance_nodes",
            "Nodes of all instances of a resource, by state, as of each instance's last reconcile.",
            ["resource", "state"],
            registry=registry,
        )
        self.controllers = Gauge(
            "kro_instance_controllers", "Instance controllers running.", registry=registry
        )
        # per resource: each instance's last counts, and their running sum (kept so a reconcile
        # costs the size of its own counts, not of every instance of the resource)
        self._node_counts: dict[str, dict[str, Mapping[str, int]]] = {}
        self._node_totals: dict[str, dict[str, int]] = {}

    def watch_client(self, stats: RequestStats) -> None:
        """Publish the API client's request counters (``kro_client_*``) from ``stats`` at each scrape."""
        self.registry.register(ClientRequestsCollector(stats))

    # ---- kro.kube.workqueue.QueueMetrics: the queue reports what it does ----

    def added(self, queue: str) -> None:
        self.queue_adds.inc()
        self.queue_depth.inc()

    def taken(self, queue: str, waited: float) -> None:
        self.queue_depth.dec()
        self.queue_wait.observe(waited)

    def finished(self, queue: str, worked: float) -> None:
        """Reconcile time is recorded per controller and resource by the manager instead."""

    def retried(self, queue: str) -> None:
        self.queue_retries.inc()

    def record_nodes(self, resource: str, instance: str, counts: Mapping[str, int] | None) -> None:
        """Remember one instance's node-state counts (``None``: the instance is gone) and republish
        the per-resource totals of the states that changed."""
        per_instance = self._node_counts.setdefault(resource, {})
        totals = self._node_totals.setdefault(resource, {})
        old = per_instance.pop(instance, None) or {}
        new = dict(counts) if counts is not None else {}
        if counts is not None:
            per_instance[instance] = new
        for state in {*old, *new}:
            change = new.get(state, 0) - old.get(state, 0)
            if not change and state in totals:
                continue  # its total, published already, stays
            # a state no instance is in any more stays published as 0, not as its last total
            totals[state] = totals.get(state, 0) + change
            self.node_states.labels(resource, state).set(totals[state])


class ClientRequestsCollector(Collector):
    """Reads a :class:`~kro.kube.RequestStats` when scraped; the stats object stays the one source
    of truth, so nothing has to be mirrored on every request."""

    def __init__(self, stats: RequestStats) -> None:
        self._stats = stats

    def collect(self) -> Iterator[CounterMetricFamily]:
        stats = self._stats
        requests = CounterMetricFamily(
            "kro_client_requests", "API requests sent, by verb (including retries).", labels=["verb"]
        )
        for verb, n in sorted(stats.by_verb.items()):
            requests.add_metric([verb], n)
        yield requests
        by_resource = CounterMetricFamily(
            "kro_client_resource_requests",
            "API requests sent, by verb and resource (plural.group/subresource).",
            labels=["verb", "resource"],
        )
        for (verb, resource), n in sorted(stats.by_resource.items()):
            by_resource.add_metric([verb, resource], n)
        yield by_resource
        yield CounterMetricFamily(
            "kro_client_writes", "API requests that write (create, update, patch, apply, delete).",
            value=stats.writes,
        )  # fmt: skip
        errors = CounterMetricFamily(
            "kro_client_errors", "API responses with an error status, by HTTP status.", labels=["status"]
        )
        for status, n in sorted(stats.errors_by_status.items()):
            errors.add_metric([str(status)], n)
        yield errors
        yield CounterMetricFamily(
            "kro_client_transport_errors", "Requests that failed before a response (connection, timeout).",
            value=stats.transport_errors,
        )  # fmt: skip
        yield CounterMetricFamily(
            "kro_client_retries_429", "Requests retried after a 429 (Too Many Requests).",
            value=stats.retries_429,
        )  # fmt: skip
        yield CounterMetricFamily(
            "kro_client_throttled_seconds", "Seconds requests waited for the client-side rate limiter.",
            value=stats.throttled_seconds,
        )  # fmt: skip
