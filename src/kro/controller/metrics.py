"""The controller's Prometheus metrics, registered on a registry passed in (never the global one),
so several controllers (tests, ``kro dev``) can live in one process."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.reconciles = Counter(
            "kro_reconcile_total",
            "Reconciles by controller, resource and result (done, requeue, terminal, error).",
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
        self._node_counts: dict[str, dict[str, Mapping[str, int]]] = {}

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
        the per-resource totals."""
        per_instance = self._node_counts.setdefault(resource, {})
        if counts is None:
            per_instance.pop(instance, None)
        else:
            per_instance[instance] = dict(counts)
        totals: dict[str, int] = {}
        for c in per_instance.values():
            for state, n in c.items():
                totals[state] = totals.get(state, 0) + n
        for state in {*totals, *self._published(resource)}:
            self.node_states.labels(resource, state).set(totals.get(state, 0))

    def _published(self, resource: str) -> set[str]:
        return {s for c in self._node_counts.get(resource, {}).values() for s in c}
