"""The simulation loop: runs the simulated controllers inside the server process.

It follows the store's event log (not HTTP), marks the objects an event concerns as dirty (the
object itself and its controlling owner), and reconciles them with the pure planners of this
package, each simulated controller with its own workers as kube-controller-manager runs them (5 for
Deployments, ReplicaSets, StatefulSets, Jobs and HPAs, 2 for DaemonSets; :data:`WORKERS`), oldest
object first and never one object in two workers at once (:mod:`.workqueue`), so that concurrent
writes share the store's durable commits, writing through the
:class:`~kro.devcluster.objects.ObjectService` like any client, so every write gets API semantics
and ownerReferences let garbage collection clean up. Pod readiness
is driven by a timer per pod: ``settings.ready_delay`` seconds after the simulation first sees it.

The objects themselves are read from the same events, as an informer's cache holds them (the
store's own objects, never modified), and the children of each controller are indexed by their
controlling owner's uid, so reconciling one StatefulSet reads its own pods, not every pod of the
namespace. Neither can lag behind the simulation's own writes: a write returns only once its event
is in the log, and a worker takes every pending event before its next reconcile. A change that is
only the simulation's own write to an object does not queue that object again (its owner, if it
has one, is queued as for any change): the planners reach a fixed point in one reconcile, so
that reconcile would find nothing to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kro.devcluster import errors
from kro.devcluster.cluster import Cluster
from kro.devcluster.metadata import timestamp
from kro.devcluster.objects import DeleteOptions, WriteOptions
from kro.devcluster.simulation import network
from kro.devcluster.simulation.apps import plan_deployment, plan_replicaset
from kro.devcluster.simulation.autoscaling import HPAS, plan_hpa, target_key, target_missing
from kro.devcluster.simulation.batch import plan_job
from kro.devcluster.simulation.events import COMPONENTS, EventSink, Happening, plan_events
from kro.devcluster.simulation.index import OWNER_KEYS, Index, Key, meta_of
from kro.devcluster.simulation.plan import Plan, replica_failure
from kro.devcluster.simulation.pods import (
    NODE_NAME,
    SAFE_ALPHABET,
    Phase,
    node_labels,
    node_status,
    phase_of,
    pod_status,
)
from kro.devcluster.simulation.stateful import REVISIONS, plan_daemonset, plan_statefulset
from kro.devcluster.simulation.workqueue import WorkQueue
from kro.devcluster.storage import Object, Watcher, WatchEvent
from kro.devcluster.storage.follow import drain, replay_then_watch

log = logging.getLogger(__name__)

_WATCHED = frozenset({*OWNER_KEYS.values(), "pods", "services", "persistentvolumeclaims", HPAS, REVISIONS})
# The field managers the real components write as, so managedFields read as on a real cluster.
CONTROLLER_MANAGER = "kube-controller-manager"
KUBELET = "kubelet"
# Workers per simulated controller: kube-controller-manager's defaults (--concurrent-deployment-syncs
# and the like); a single worker allocates Service addresses and binds claims, as there, and the one
# simulated node stands in for a cluster's kubelets, each updating its own pods.
WORKERS = {
    "deployments.apps": 5, "replicasets.apps": 5, "statefulsets.apps": 5, "daemonsets.apps": 2,
    "jobs.batch": 5, HPAS: 5, "pods": 5, "services": 1, "persistentvolumeclaims": 1,
}


def _as(manager: str) -> WriteOptions:
    return WriteOptions(manager=manager)


@dataclass(frozen=True)
class SimulationSettings:
    """``ready_delay``: seconds from a pod's first sighting to Running+Ready (or Succeeded)."""

    ready_delay: float = 2.0


def _with_replica_failure(rs: Object, status: dict[str, Any] | None, error: str | None, *, now: str) -> dict[str, Any] | None:
    """The status to write (None: none) once the ReplicaSet's ``ReplicaFailure`` condition says
    whether this sync's pod creates failed."""
    base = dict(status if status is not None else rs.get("status") or {})
    conditions = replica_failure(base.get("conditions") or [], error, now=now)
    if conditions == (base.get("conditions") or []):
        return status
    base["conditions"] = conditions
    if not conditions:
        del base["conditions"]
    return base


def _random_name(prefix: str) -> str:
    return prefix + "".join(random.choices(SAFE_ALPHABET, k=5))  # not a secret: kube-apiserver's suffix is math/rand's


def _read_int(obj: Mapping[str, Any], path: list[str]) -> int:
    node: Any = obj
    for part in path:
        node = node.get(part) if isinstance(node, Mapping) else None
    return node if isinstance(node, int) and not isinstance(node, bool) else 1


def _write_int(obj: dict[str, Any], path: list[str], value: int) -> None:
    node = obj
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


class _Names:
    """The names of the ``resource`` objects of one namespace, as a container the index answers."""

    def __init__(self, index: Index, resource: str, namespace: str) -> None:
        self._index, self._resource, self._namespace = index, resource, namespace

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._index.get((self._resource, self._namespace, name)) is not None


class Simulator:
    def __init__(self, cluster: Cluster, settings: SimulationSettings, *,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._cluster = cluster
        self._store = cluster.store
        self._objects = cluster.objects
        self._settings = settings
        self._now = now
        # Keys to reconcile, oldest first (by when each was first marked): a pod that is due, and
        # then its StatefulSet, go before the workloads that arrived after them, so in a burst the
        # first workloads become ready first (a kubelet does not queue pods behind others).
        self._queue = WorkQueue()
        self._timers: dict[Key, asyncio.TimerHandle] = {}
        self._failures: dict[Key, int] = {}  # refused creates in a row, per workload
        self._seen: dict[str, float] = {}
        self._index = Index(_WATCHED)
        self._events = EventSink(cluster.objects, cluster.registry)

    async def run(self) -> None:
        await self._ensure_node()
        try:
            while True:
                watcher = await self._resync()
                try:
                    await self._follow(watcher)
                finally:
                    watcher.close()
        finally:
            for timer in self._timers.values():
                timer.cancel()
            await self._events.close()

    async def _resync(self) -> Watcher:
        return await replay_then_watch(self._store, lambda: sorted(_WATCHED), self._observe, reset=self._index.reset)

    async def _follow(self, watcher: Watcher) -> None:
        """Feed the watcher's events to the index while the workers reconcile; when the watcher
        closes, let each worker finish the object it holds (what is queued stays queued)."""
        self._queue.open()
        workers = [asyncio.create_task(self._work(resource, watcher))
                   for resource in sorted(_WATCHED) for _ in range(WORKERS.get(resource, 1))]
        try:
            while not watcher.closed:
                event = await watcher.next()
                if event is not None:
                    self._observe(event)
        except BaseException:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            raise
        self._queue.close()
        await asyncio.gather(*workers)

    async def _work(self, resource: str, watcher: Watcher) -> None:
        while not self._queue.closing:
            await drain(watcher, self._observe)
            key = self._queue.take(resource)
            if key is None:
                await self._queue.wait(resource)
                continue
            try:
                await self._reconcile(key)
            except errors.Conflict:
                self._mark(key)
            except errors.ApiError as e:
                log.info("simulation of %s/%s/%s: %s", *key, e)
            except Exception:  # one malformed object must not stop the simulation of the others
                log.exception("simulation of %s/%s/%s failed", *key)
            finally:
                self._queue.done(key)

    def _observe(self, event: WatchEvent) -> None:
        change = self._index.observe(event)
        if change is None:
            return
        if change.deleted:
            self._seen.pop(change.uid, None)
            self._failures.pop(change.key, None)
            self._queue.forget(change.key)
        elif change.reconcile:
            # a child is as old as its controlling owner: a new pod of an old StatefulSet is old work
            ranks = [rank for rank in map(self._queue.rank_of, change.owners) if rank is not None]
            self._mark(change.key, rank=min(ranks, default=None))
        for key in (*change.hpas, *change.owners):
            self._mark(key)

    def _mark(self, key: Key, *, rank: int | None = None) -> None:
        """Queue ``key``; its rank (age) is fixed when first marked: ``rank``, or now."""
        self._queue.mark(key, rank=rank)

    def _mark_at(self, due: float, key: Key) -> None:
        """Queue ``key`` at loop time ``due``."""
        previous = self._timers.pop(key, None)
        if previous is not None:
            previous.cancel()
        self._timers[key] = asyncio.get_running_loop().call_at(due, self._fire, key)

    def _retry_later(self, key: Key, *, failed: bool) -> None:
        """After a refused create, sync ``key`` again after kube-controller-manager's per-object
        backoff (5 ms, doubling, at most 1000 s); a sync with no refusal resets it."""
        if not failed:
            self._failures.pop(key, None)
            return
        count = self._failures.get(key, 0)
        self._failures[key] = count + 1
        self._mark_at(asyncio.get_running_loop().time() + min(0.005 * 2**count, 1000.0), key)

    def _fire(self, key: Key) -> None:
        self._timers.pop(key, None)
        self._mark(key)

    # Reconciling ---------------------------------------------------------------------------------

    async def _reconcile(self, key: Key) -> None:
        obj = self._index.get(key)
        if obj is None:
            return
        resource = key[0]
        if meta_of(obj).get("deletionTimestamp"):
            if resource == "pods":
                await self._terminate(key, obj)
            return
        if resource == "pods":
            await self._pod(key, obj)
        elif resource == "services":
            await self._service(key, obj)
        elif resource == "persistentvolumeclaims":
            await self._claim(key, obj)
        elif resource == HPAS:
            await self._hpa(key, obj, timestamp(self._now()))
        else:
            plan = self._plan(resource, key[1], obj)
            if plan is not None:
                await self._execute(key, obj, plan)

    def _plan(self, resource: str, namespace: str, obj: Object) -> Plan | None:
        """What the workload controller of ``resource`` does with ``obj`` in this sync."""
        index = self._index
        if resource == "deployments.apps":
            collisions = int((obj.get("status") or {}).get("collisionCount") or 0)
            return plan_deployment(obj, index.children("replicasets.apps", obj), now=timestamp(self._now()),
                                   digest=index.digest(obj, collisions))
        if resource == "replicasets.apps":
            return plan_replicaset(obj, index.children("pods", obj), new_name=_random_name)
        if resource == "statefulsets.apps":
            claims = _Names(index, "persistentvolumeclaims", namespace)
            return plan_statefulset(obj, index.children("pods", obj), claims, index.children(REVISIONS, obj),
                                    digest=index.digest(obj))
        if resource == "daemonsets.apps":
            return plan_daemonset(obj, index.children("pods", obj), new_name=_random_name,
                                  revisions=index.children(REVISIONS, obj), digest=index.digest(obj))
        if resource == "jobs.batch":
            return plan_job(obj, index.children("pods", obj), new_name=_random_name, now=timestamp(self._now()))
        return None

    async def _hpa(self, key: Key, hpa: Object, now: str) -> None:
        api_version, kind, name = target_key(hpa)
        rt = self._cluster.registry.for_kind(api_version, kind)
        target = await self._store.get(rt.storage_key, key[1], name) if rt is not None and rt.scale is not None else None
        if rt is None or rt.scale is None or target is None:
            plural = rt.plural if rt is not None else kind.lower() + "s"
            group = f".{rt.group}" if rt is not None and rt.group else ""
            status = target_missing(hpa, f'{plural}{group} "{name}" not found', now=now)
        else:
            path = [p for p in rt.scale.spec_replicas_path.strip(".").split(".") if p]
            plan = plan_hpa(hpa, _read_int(target, path), now=now)
            if plan.scale_to is not None:
                scaled = copy.deepcopy(dict(target))
                current = _read_int(target, path)
                _write_int(scaled, path, plan.scale_to)
                await self._objects.update(rt, key[1], name, scaled, _as(CONTROLLER_MANAGER))
                bound = "above Spec.MaxReplicas" if current > plan.scale_to else "below Spec.MinReplicas"
                message = f"New size: {plan.scale_to}; reason: Current number of replicas {bound}"
                self._events.record(hpa, [Happening("SuccessfulRescale", message)], component=COMPONENTS[HPAS], now=now)
            status = plan.status
        if (hpa.get("status") or {}) != status:
            await self._write_status(key, hpa, status)

    async def _execute(self, key: Key, obj: Object, plan: Plan) -> None:
        namespace = key[1]
        before = {}
        for resource, child in plan.update:
            old = self._index.get((resource, namespace, str(child["metadata"]["name"])))
            if old is not None:
                before[str(child["metadata"]["name"])] = int((old.get("spec") or {}).get("replicas", 1))
        failed: dict[str, str] = {}
        refused: dict[str, str] = {}
        for resource, child in plan.create:
            rt = self._cluster.type_for_key(resource)
            if rt is not None:
                child_meta = child["metadata"]
                # a generated name is the server's to choose, as for kube-controller-manager's pods
                body = ({**child, "metadata": {k: v for k, v in child_meta.items() if k != "name"}}
                        if child_meta.get("generateName") else child)  # fmt: skip
                try:
                    created = await self._objects.create(rt, namespace, body, _as(CONTROLLER_MANAGER), shared=True)
                    child_meta["name"] = created["metadata"]["name"]
                except errors.AlreadyExists as e:
                    failed[str(child_meta["name"])] = e.message
                except errors.ApiError as e:  # refused (a missing service account, a priority class)
                    refused[str(child_meta["name"])] = e.message
        for resource, child in plan.update:
            rt = self._cluster.type_for_key(resource)
            if rt is not None:
                await self._objects.update(rt, namespace, str(child["metadata"]["name"]), child, _as(CONTROLLER_MANAGER),
                                          shared=True)
        for resource, name in plan.delete:
            rt = self._cluster.type_for_key(resource)
            if rt is not None:
                with contextlib.suppress(errors.NotFound):
                    await self._objects.delete(rt, namespace, name, DeleteOptions(propagation_policy="Background"))
        happenings = plan_events(key[0], obj, plan, before, failed=failed, refused=refused)
        self._retry_later(key, failed=bool(refused))
        status = plan.status
        if key[0] == "replicasets.apps":
            status = _with_replica_failure(obj, status, next(iter(refused.values()), None), now=timestamp(self._now()))
        if happenings:
            self._events.record(obj, happenings, component=COMPONENTS[key[0]], now=timestamp(self._now()))
        if plan.annotate:
            # Through /status, as kube-controller-manager records a Deployment's revision.
            meta = dict(meta_of(obj))
            meta["annotations"] = {**(meta.get("annotations") or {}), **plan.annotate}
            obj = {**obj, "metadata": meta}
        if status is not None or plan.annotate:
            await self._write_status(key, obj, status if status is not None else obj.get("status") or {})

    async def _write_status(self, key: Key, obj: Object, status: Mapping[str, Any]) -> Object | None:
        rt = self._cluster.type_for_key(key[0])
        if rt is None:
            return None
        manager = KUBELET if key[0] in ("pods", "nodes") else CONTROLLER_MANAGER
        written = await self._objects.update(rt, key[1], key[2], {**obj, "status": dict(status)}, _as(manager),
                                             subresource="status", shared=True)
        self._index.wrote(key, written)
        return written

    async def _pod(self, key: Key, pod: Object) -> None:
        spec = pod.get("spec") or {}
        if not spec.get("nodeName"):
            # kube-scheduler's part: bind it to the node (pods/binding); the kubelet takes it from there
            if not spec.get("schedulingGates"):
                rt = self._cluster.type_for_key(key[0])
                if rt is not None:
                    await self._objects.bind(rt, key[1], key[2], NODE_NAME, uid=str(meta_of(pod).get("uid")))
            return
        loop = asyncio.get_running_loop()
        due = self._seen.setdefault(str(meta_of(pod).get("uid")), loop.time()) + self._settings.ready_delay
        phase = phase_of(pod)
        if phase in ("Running", "Succeeded", "Failed"):
            return
        if loop.time() < due:
            self._mark_at(due, key)
            if phase != "Pending":
                await self._write_status(key, pod, pod_status(pod, "Pending", now=timestamp(self._now())))
            return
        completes = any(r.get("kind") == "Job" and r.get("controller") for r in meta_of(pod).get("ownerReferences") or [])
        final: Phase = "Succeeded" if completes else "Running"
        await self._write_status(key, pod, pod_status(pod, final, now=timestamp(self._now())))

    async def _terminate(self, key: Key, pod: Object) -> None:
        """The kubelet's part of a graceful deletion: the containers stop at once (exit code 0), the
        pod's final status is written (Succeeded), then the pod is deleted with a grace period of 0
        and its uid as precondition. A pod marked with a period of 0 is the API server's to delete."""
        grace = meta_of(pod).get("deletionGracePeriodSeconds")
        if not isinstance(grace, int) or grace <= 0:
            return
        rt = self._cluster.type_for_key(key[0])
        if rt is None:
            return
        if phase_of(pod) not in ("Succeeded", "Failed"):
            await self._write_status(key, pod, pod_status(pod, "Succeeded", now=timestamp(self._now())))
        with contextlib.suppress(errors.NotFound, errors.Conflict):
            await self._objects.delete(rt, key[1], key[2], DeleteOptions(uid=str(meta_of(pod).get("uid")),
                                                                      grace_period_seconds=0))

    async def _service(self, key: Key, svc: Object) -> None:
        if not network.needs_addresses(svc):
            return  # admission already gave it every address it needs: nothing to scan for
        services = (await self._store.list_shared("services", None)).items
        ips = [str((s.get("spec") or {}).get("clusterIP")) for s in services if (s.get("spec") or {}).get("clusterIP")]
        ports = [int(p["nodePort"]) for s in services for p in (s.get("spec") or {}).get("ports") or [] if p.get("nodePort")]
        updated = network.service_with_addresses(svc, ips, ports)
        rt = self._cluster.type_for_key(key[0])
        if updated is not None and rt is not None:
            self._index.wrote(key, await self._objects.update(rt, key[1], key[2], updated, _as(CONTROLLER_MANAGER),
                                                              shared=True))

    async def _claim(self, key: Key, pvc: Object) -> None:
        rt = self._cluster.type_for_key(key[0])
        if rt is None:
            return
        with_volume, status = network.bound_claim(pvc)
        if with_volume is not None:
            pvc = await self._objects.update(rt, key[1], key[2], with_volume, _as(CONTROLLER_MANAGER), shared=True)
            self._index.wrote(key, pvc)
            with_volume, status = network.bound_claim(pvc)
        if status is not None:
            await self._write_status(key, pvc, status)

    async def _ensure_node(self) -> None:
        rt = self._cluster.type_for_key("nodes")
        if rt is None or await self._store.get("nodes", "", NODE_NAME) is not None:
            return
        node = {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": NODE_NAME, "labels": node_labels()}, "spec": {}}
        with contextlib.suppress(errors.AlreadyExists):
            created = await self._objects.create(rt, "", node, _as(KUBELET))
            await self._write_status(("nodes", "", NODE_NAME), created, node_status(timestamp(self._now())))


async def run_simulation(cluster: Cluster) -> None:
    """The server's background loop with default settings (pods ready 2 s after creation)."""
    await Simulator(cluster, SimulationSettings()).run()


def simulation_loop(settings: SimulationSettings) -> Callable[[Cluster], Any]:
    """A background loop with these settings, for ``DevServerConfig.background``."""

    async def run_simulation_with_settings(cluster: Cluster) -> None:
        await Simulator(cluster, settings).run()

    return run_simulation_with_settings
