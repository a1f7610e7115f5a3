"""The writes the simulated controllers make, in order, as kube-controller-manager and a kubelet
make them: one status write at the end of a sync, and none that changes nothing."""

from __future__ import annotations

from typing import Any

from kro.devcluster import DevServer
from kro.devcluster.storage import WatchEvent
from tests.integration.conftest import ApiClient
from tests.integration.devcluster_gc_sim.conftest import eventually
from tests.integration.devcluster_gc_sim.test_simulation import APPS, NS, status_of, workload


def _step(event: WatchEvent) -> tuple[str, str, str, dict[str, Any]]:
    """(type, resource, name, the status fields a reader compares) of one stored change."""
    status = dict(event.object.get("status") or {})
    if event.resource == "pods":
        status = {"phase": status.get("phase")}
    elif event.resource != "statefulsets.apps":
        status = {}
    return event.type, event.resource, str(event.object["metadata"]["name"]), status


async def _changes_until(simserver: DevServer, since: int, *, last: int) -> list[tuple[str, str, str, dict[str, Any]]]:
    watcher = simserver.store.watch(None, None, since)
    steps: list[tuple[str, str, str, dict[str, Any]]] = []
    try:
        while True:
            event = await watcher.next(timeout=5)
            assert event is not None, steps
            if event.resource_version > last:
                return steps
            steps.append(_step(event))
    finally:
        watcher.close()


async def test_statefulset_rollout_writes_status_once_per_sync(simserver: DevServer, sim: ApiClient) -> None:
    since = simserver.store.resource_version
    code, body = await sim.post(f"{APPS}/statefulsets", workload("StatefulSet", "db", replicas=1, serviceName="db"))
    assert code == 201, body

    async def ready() -> dict[str, Any] | None:
        status = await status_of(sim, f"{APPS}/statefulsets/db")
        return status if status.get("readyReplicas") == 1 else None

    await eventually(ready, what="readyReplicas 1")
    # A marker written after the rollout bounds the changes to compare.
    code, marker = await sim.post(f"/api/v1{NS}/configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                                               "metadata": {"name": "marker"}})
    assert code == 201, marker
    steps = await _changes_until(simserver, since, last=int(marker["metadata"]["resourceVersion"]) - 1)
    revision = next(name for _, resource, name, _ in steps if resource == "controllerrevisions.apps")
    event = next(name for _, resource, name, _ in steps if resource == "events")
    counted = {"observedGeneration": 1, "currentRevision": revision, "updateRevision": revision, "collisionCount": 0}
    # The first sync writes the revision, the pod and a status; kube-controller-manager (v1.28 and
    # later) counts a created pod in .status.replicas from the next sync on (the pod it created has
    # no phase yet), which its creation starts: hence replicas 0, then 1, then ready. The pod's
    # event is written in the background, as an event recorder does: once, somewhere after the pod.
    assert steps[:3] == [
        ("ADDED", "statefulsets.apps", "db", {"replicas": 0, "availableReplicas": 0}),
        ("ADDED", "controllerrevisions.apps", revision, {}),
        ("ADDED", "pods", "db-0", {"phase": "Pending"}),
    ]
    assert [s for s in steps if s[1] == "events"] == [("ADDED", "events", event, {})]
    steps = [s for s in steps if s[1] != "events"]
    assert [s for s in steps[3:] if s[1] == "statefulsets.apps"] == [
        ("MODIFIED", "statefulsets.apps", "db", {**counted, "availableReplicas": 0, "replicas": 0}),
        ("MODIFIED", "statefulsets.apps", "db", {**counted, "availableReplicas": 0, "replicas": 1,
                                                "currentReplicas": 1, "updatedReplicas": 1}),
        ("MODIFIED", "statefulsets.apps", "db", {**counted, "availableReplicas": 1, "replicas": 1,
                                                "currentReplicas": 1, "updatedReplicas": 1, "readyReplicas": 1}),
    ]
    # the scheduler's binding (pods/binding), then the kubelet's one status write
    assert [s for s in steps[3:] if s[1] != "statefulsets.apps"] == [("MODIFIED", "pods", "db-0", {"phase": "Pending"}),
                                                                     ("MODIFIED", "pods", "db-0", {"phase": "Running"})]


async def test_job_status_counts_the_pods_its_sync_created(simserver: DevServer, sim: ApiClient) -> None:
    since = simserver.store.resource_version
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
           "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "m", "image": "busybox"}]}}}}
    code, body = await sim.post(f"/apis/batch/v1{NS}/jobs", job)
    assert code == 201, body

    async def complete() -> dict[str, Any] | None:
        status = await status_of(sim, f"/apis/batch/v1{NS}/jobs/once")
        return status if status.get("succeeded") == 1 and status.get("completionTime") else None

    await eventually(complete, what="the Job to complete")
    code, marker = await sim.post(f"/api/v1{NS}/configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                                               "metadata": {"name": "marker"}})
    assert code == 201, marker
    steps = await _changes_until(simserver, since, last=int(marker["metadata"]["resourceVersion"]) - 1)
    jobs = [s for s in steps if s[1] == "jobs.batch"]
    assert len(jobs) == 3, steps  # created; active 1 with the pod it created; complete
    watcher = simserver.store.watch("jobs.batch", None, since)
    try:
        first = await watcher.next(timeout=5)
        started = await watcher.next(timeout=5)
    finally:
        watcher.close()
    assert first is not None and started is not None
    assert started.object["status"]["active"] == 1 and started.object["status"]["startTime"]
