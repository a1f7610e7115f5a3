"""plan_deletion: reverse waves from the apply-order annotation, externals untouched."""

from __future__ import annotations

from kro.runtime.deletion import plan_deletion
from kro.runtime.observed import Snapshot
from kro.runtime.outcome import Done, Requeue
from kro.runtime.planner import plan_instance

from .redis import as_created, redis_graph, redis_instance


def all_children():  # type: ignore[no-untyped-def]
    g, inst = redis_graph(), redis_instance()
    objects = as_created(plan_instance(g, inst, Snapshot(), kro_version="v"))
    for _ in range(3):
        objects = as_created(
            plan_instance(g, inst, Snapshot(objects), kro_version="v"), StatefulSet={"readyReplicas": 1}
        )
    return objects


def test_deletes_the_highest_wave_first_and_finishes_when_nothing_is_left() -> None:
    inst = {**redis_instance(), "metadata": {**redis_instance()["metadata"], "deletionTimestamp": "x"}}
    objects = all_children()
    outside = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "platform", "namespace": "default"},
    }
    seen = []
    while True:
        step = plan_deletion(inst, Snapshot([*objects, outside]), now="t")
        if step.finished:
            break
        assert step.outcome == Requeue(after=1.0)
        assert step.status["state"] == "DELETING"
        seen.append(sorted(r.ref.name for r in step.wave))
        gone = {r.uid for r in step.wave}
        objects = [o for o in objects if o["metadata"]["uid"] not in gone]
    assert seen == [["session-cache", "session-cache-headless"], ["session-cache"], ["session-cache-config"]]
    assert step.outcome == Done()
    ready = {c["type"]: c for c in step.status["conditions"]}["ResourcesReady"]
    assert (ready["status"], ready["reason"]) == ("Unknown", "UnderDeletion")
