"""Events the simulated controllers record, as kube-controller-manager's do (core ``v1`` Events,
one per occurrence): a Deployment's ``ScalingReplicaSet``, a ReplicaSet's, Job's, StatefulSet's or
DaemonSet's ``SuccessfulCreate``/``SuccessfulDelete`` of a pod, an HPA's ``SuccessfulRescale``. So
``kubectl describe`` and ``kubectl events`` tell what the simulation did.

As a controller's event recorder does, the simulation hands an Event over and goes on: an
:class:`EventSink` writes each component's Events in the background, one after another in the order
they were recorded, and drops (and logs) an Event when 1,000 of that component's are already waiting.
A reconcile never waits for its Events, so a burst of workloads is not slowed by writing them.

A create that fails because the name is taken is told as kube-controller-manager tells it: the pod
controllers of ReplicaSets, Jobs and DaemonSets record a ``FailedCreate`` Warning (``Error creating:
<the API error>``); the StatefulSet controller sinks that error without an Event, and the Deployment
controller, finding its ReplicaSet already there, records no ``ScalingReplicaSet``."""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from kro.devcluster import errors
from kro.devcluster.objects import ObjectService, WriteOptions
from kro.devcluster.registry import Registry
from kro.devcluster.simulation.autoscaling import HPAS
from kro.devcluster.simulation.plan import Plan

log = logging.getLogger(__name__)

COMPONENTS = {
    "deployments.apps": "deployment-controller",
    "replicasets.apps": "replicaset-controller",
    "statefulsets.apps": "statefulset-controller",
    "daemonsets.apps": "daemonset-controller",
    "jobs.batch": "job-controller",
    HPAS: "horizontal-pod-autoscaler",
}


class Happening(NamedTuple):
    """One Event to record about an object."""

    reason: str
    message: str
    type: str = "Normal"


def plan_events(resource: str, owner: Mapping[str, Any], plan: Plan, replicas_before: Mapping[str, int], *,
                failed: Mapping[str, str] | None = None, refused: Mapping[str, str] | None = None) -> list[Happening]:
    """The events a plan's writes make; ``replicas_before``: the replicas of the ReplicaSets the plan
    updates, before the update; ``failed``: the message of the API error of each create (by the
    child's name) that was refused because the name was taken; ``refused``: of each create refused
    otherwise (admission)."""
    out: list[Happening] = []
    name = owner["metadata"]["name"]
    failed = {**(failed or {}), **(refused or {})}
    for kind, child in plan.create:
        child_name = child["metadata"]["name"]
        if child_name in failed:
            if kind == "pods" and resource == "statefulsets.apps":
                if child_name in (refused or {}):
                    message = f"create Pod {child_name} in StatefulSet {name} failed error: {failed[child_name]}"
                    out.append(Happening("FailedCreate", message, "Warning"))
            elif kind == "pods":
                out.append(Happening("FailedCreate", f"Error creating: {failed[child_name]}", "Warning"))
        elif kind == "replicasets.apps":
            out.append(Happening("ScalingReplicaSet", f"Scaled up replica set {child_name} from 0 to {_replicas(child)}"))
        elif kind == "pods" and resource == "statefulsets.apps":
            out.append(Happening("SuccessfulCreate", f"create Pod {child_name} in StatefulSet {name} successful"))
        elif kind == "pods":
            out.append(Happening("SuccessfulCreate", f"Created pod: {child_name}"))
    for kind, child in plan.update:
        child_name = child["metadata"]["name"]
        before, after = replicas_before.get(child_name), _replicas(child)
        if kind == "replicasets.apps" and before is not None and before != after:
            direction = "up" if after > before else "down"
            out.append(Happening("ScalingReplicaSet", f"Scaled {direction} replica set {child_name} from {before} to {after}"))
    for kind, child_name in plan.delete:
        if kind == "pods" and resource == "statefulsets.apps":
            out.append(Happening("SuccessfulDelete", f"delete Pod {child_name} in StatefulSet {name} successful"))
        elif kind == "pods":
            out.append(Happening("SuccessfulDelete", f"Deleted pod: {child_name}"))
    return out


def _replicas(obj: Mapping[str, Any]) -> int:
    value = (obj.get("spec") or {}).get("replicas")
    return 1 if value is None else int(value)


def event(involved: Mapping[str, Any], reason: str, message: str, *, component: str, now: str,
          type_: str = "Normal") -> dict[str, Any]:
    meta = involved.get("metadata") or {}
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{meta.get('name')}.{time.time_ns():x}", "namespace": meta.get("namespace") or "default"},
        "involvedObject": {
            "kind": involved.get("kind"), "namespace": meta.get("namespace"), "name": meta.get("name"),
            "uid": meta.get("uid"), "apiVersion": involved.get("apiVersion"),
            "resourceVersion": meta.get("resourceVersion"),
        },
        "reason": reason,
        "message": message,
        "source": {"component": component},
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
        "type": type_,
        "reportingComponent": component,
        "reportingInstance": "",
    }


# As many Events of one component as may wait to be written (client-go's event queue holds 1,000).
QUEUE_LIMIT = 1000
# How many distinct Events the sink remembers to count repeats of (client-go's LRU cache size).
REMEMBERED = 4096


def _repeat_key(body: Mapping[str, Any]) -> tuple[Any, ...]:
    """What makes two Events the same one, repeated (client-go's event correlator key)."""
    involved = body["involvedObject"]
    return (body["source"].get("component"), involved.get("kind"), involved.get("namespace"), involved.get("name"),
            involved.get("uid"), involved.get("apiVersion"), body["type"], body["reason"], body["message"])


class EventSink:
    """Writes the Events the simulated controllers record, in the background: one writer per
    component, in the order recorded. Built when recorded (the object's resourceVersion and the time
    then), written later; a failure (a namespace going away) is logged, never raised. An Event
    recorded again (same object, type, reason and message) updates the first one's ``count`` and
    ``lastTimestamp``, as client-go's recorder does, instead of adding another."""

    def __init__(self, objects: ObjectService, registry: Registry, *, limit: int = QUEUE_LIMIT) -> None:
        self._objects, self._registry, self._limit = objects, registry, limit
        self._queues: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self._writers: dict[str, asyncio.Task[None]] = {}
        # repeat key -> (the first Event's name, its count, its firstTimestamp), least recent first
        self._seen: OrderedDict[tuple[Any, ...], tuple[str, int, str]] = OrderedDict()

    def record(self, involved: Mapping[str, Any], happenings: Sequence[Happening], *, component: str,
               now: str) -> None:
        queue = self._queues.get(component)
        if queue is None:
            queue = self._queues[component] = asyncio.Queue(self._limit)
            self._writers[component] = asyncio.get_running_loop().create_task(self._write_all(component, queue))
        for reason, message, type_ in happenings:
            body = event(involved, reason, message, component=component, now=now, type_=type_)
            self._correlate(body)
            try:
                queue.put_nowait(body)
            except asyncio.QueueFull:
                log.warning("%s: %d events are waiting to be written, dropping %s for %s", component,
                            self._limit, reason, body["involvedObject"]["name"])

    def _correlate(self, body: dict[str, Any]) -> None:
        key = _repeat_key(body)
        seen = self._seen.pop(key, None)
        if seen is not None:
            body["metadata"]["name"], count, body["firstTimestamp"] = seen
            body["count"] = count + 1
        self._seen[key] = (body["metadata"]["name"], body["count"], body["firstTimestamp"])
        if len(self._seen) > REMEMBERED:
            self._seen.popitem(last=False)

    async def flush(self) -> None:
        """Return once every Event recorded so far is written (or its write failed)."""
        await asyncio.gather(*(queue.join() for queue in self._queues.values()))

    async def close(self) -> None:
        """Stop writing; Events still waiting are dropped."""
        writers, self._writers = list(self._writers.values()), {}
        self._queues.clear()
        for writer in writers:
            writer.cancel()
        await asyncio.gather(*writers, return_exceptions=True)

    async def _write_all(self, component: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        while True:
            body = await queue.get()
            try:
                await self._write(component, body)
            except Exception:  # one Event that cannot be written must not stop the ones after it
                log.exception("event %s for %s not recorded", body["reason"], body["involvedObject"]["name"])
            finally:
                queue.task_done()

    async def _write(self, component: str, body: dict[str, Any]) -> None:
        rt = self._registry.get("", "v1", "events")
        if rt is None:
            return
        namespace, name = body["metadata"]["namespace"], body["metadata"]["name"]
        if body["count"] > 1:
            try:  # a repeat: the stored Event counts it (its first Event may have gone: then a new one)
                stored = copy.deepcopy(dict(await self._objects.store.get_shared(rt.storage_key, namespace, name) or {}))
                if stored:
                    stored.update(count=body["count"], lastTimestamp=body["lastTimestamp"], message=body["message"])
                    await self._objects.update(rt, namespace, name, stored, WriteOptions(manager=component))
                    return
            except errors.ApiError as e:
                log.debug("event %s for %s not updated: %s", body["reason"], body["involvedObject"]["name"], e)
                return
        try:
            # ``body`` is new and holds only strings and numbers of its own: handed over, not copied.
            await self._objects.create(rt, body["metadata"]["namespace"], body, WriteOptions(manager=component),
                                       owned=True, shared=True)
        except errors.ApiError as e:
            log.debug("event %s for %s not recorded: %s", body["reason"], body["involvedObject"]["name"], e)
