"""The Redis scenario of the project's main example, end to end against the local API server."""

from __future__ import annotations

import asyncio
import time

from kro.controller.app import Controller

from ..conftest import ApiClient
from .conftest import eventually
from .helpers import (
    CRDS,
    RGDS,
    apps,
    condition,
    core,
    create,
    example,
    get,
    instances,
    reconciles,
    replace_spec,
    rgd_active,
)

REDIS = instances("redis", "session-cache")


async def install_redis(api: ApiClient) -> None:
    await create(api, RGDS, example("redis"))
    rgd = await eventually(lambda: rgd_active(api, "redis"))
    assert rgd["status"]["topologicalOrder"] == ["config", "statefulset", "headless", "client"]
    # the conditions and messages upstream kro writes
    assert {c["type"]: (c["status"], c["reason"], c["message"]) for c in rgd["status"]["conditions"]} == {
        "GraphRevisionsResolved": ("True", "Resolved", "revision 1 compiled and active"),
        "GraphAccepted": ("True", "Valid", "resource graph and schema are valid"),
        "KindReady": ("True", "Ready", "kind Redis has been accepted and ready"),
        "ControllerReady": ("True", "Running", "controller is running"),
        "Ready": ("True", "Ready", ""),
    }
    assert rgd["status"]["lastIssuedRevision"] == 1
    assert rgd["status"]["resources"] == [
        {"id": "statefulset", "dependencies": [{"id": "config"}]},
        {"id": "headless", "dependencies": [{"id": "statefulset"}]},
        {"id": "client", "dependencies": [{"id": "statefulset"}]},
    ]
    crd = await get(api, f"{CRDS}/redis.kro.run")
    assert crd is not None and crd["metadata"]["labels"]["kro.run/resource-graph-definition-name"] == "redis"


async def active(api: ApiClient) -> dict | None:  # type: ignore[type-arg]
    obj = await get(api, REDIS)
    return obj if obj and (obj.get("status") or {}).get("state") == "ACTIVE" else None


async def test_redis_lifecycle(kapi: ApiClient, controller: Controller) -> None:
    await install_redis(kapi)
    await create(kapi, instances("redis"), example("redis", "instance.yaml"))
    inst = await eventually(lambda: active(kapi), timeout=15)
    assert inst["status"]["endpoint"] == "session-cache.default.svc.cluster.local:6379"
    assert inst["status"]["readyReplicas"] == 1
    assert condition(inst, "Ready")["status"] == "True"
    assert "kro.run/finalizer" in inst["metadata"]["finalizers"]
    assert inst["metadata"]["labels"]["kro.run/resource-graph-definition-name"] == "redis"
    assert inst["metadata"]["labels"]["applyset.kubernetes.io/id"] == (
        "applyset-7sWGyfhc9nS4tsLT6acQYtu5MQ1McURX8Yxi7MIa7FU-v1"
    )
    annotations = inst["metadata"]["annotations"]
    assert annotations["applyset.kubernetes.io/contains-group-kinds"] == "ConfigMap,Service,StatefulSet.apps"
    assert annotations["applyset.kubernetes.io/tooling"].startswith("kro/")

    # children exist, labelled, and were created in dependency order
    config = await get(kapi, core("configmaps", "session-cache-config"))
    sts = await get(kapi, apps("statefulsets", "session-cache"))
    headless = await get(kapi, core("services", "session-cache-headless"))
    client = await get(kapi, core("services", "session-cache"))
    assert config and sts and headless and client
    assert config["data"] == {"MAXMEMORY": "512mb", "MAXMEMORY_POLICY": "volatile-lru"}
    assert sts["metadata"]["labels"]["kro.run/node-id"] == "statefulset"
    assert headless["spec"]["selector"] == {"app": "session-cache"}
    rv = [int(o["metadata"]["resourceVersion"]) for o in (config, sts)]
    created = [o["metadata"]["creationTimestamp"] for o in (config, sts, headless, client)]
    assert created == sorted(created)
    assert rv[0] < int(sts["metadata"]["resourceVersion"])

    # a converged instance causes no writes
    writes = controller.metrics.writes.labels("apply")._value.get()
    await asyncio.sleep(1.0)
    assert controller.metrics.writes.labels("apply")._value.get() == writes

    # a spec change reaches the ConfigMap
    await replace_spec(kapi, REDIS, {**inst["spec"], "maxMemory": "1gb"})

    async def updated() -> bool:
        cm = await get(kapi, core("configmaps", "session-cache-config"))
        return bool(cm and cm["data"]["MAXMEMORY"] == "1gb")

    await eventually(updated)

    # drift: a deleted child comes back within 2 s
    code, _ = await kapi.delete(core("services", "session-cache-headless"))
    assert code == 200
    started = time.monotonic()
    await eventually(
        lambda: get(kapi, core("services", "session-cache-headless")), timeout=2.0, interval=0.02
    )
    repaired = time.monotonic() - started
    print(f"drift repaired in {repaired:.3f}s")
    assert repaired < 2.0

    # deleting the instance removes the children in reverse dependency order
    code, _ = await kapi.delete(REDIS)
    assert code == 200  # the instance, held: kro's finalizer keeps it until its children are gone
    gone_at: dict[str, float] = {}
    paths = {
        "client": core("services", "session-cache"),
        "headless": core("services", "session-cache-headless"),
        "statefulset": apps("statefulsets", "session-cache"),
        "config": core("configmaps", "session-cache-config"),
    }

    async def all_gone() -> bool:
        for node, path in paths.items():
            if node not in gone_at and await get(kapi, path) is None:
                gone_at[node] = time.monotonic()
        return len(gone_at) == len(paths) and await get(kapi, REDIS) is None

    await eventually(all_gone, interval=0.01)
    assert max(gone_at["client"], gone_at["headless"]) <= gone_at["statefulset"] <= gone_at["config"]



async def test_a_child_status_change_no_expression_reads_queues_no_reconcile(
    kapi: ApiClient, controller: Controller
) -> None:
    await install_redis(kapi)
    await create(kapi, instances("redis"), example("redis", "instance.yaml"))
    await eventually(lambda: active(kapi), timeout=15)
    sts = apps("statefulsets", "session-cache")
    await asyncio.sleep(0.5)  # let the reconciles the rollout queued finish
    before = reconciles(controller, controller="instance")

    # the Redis graph reads status.readyReplicas of its StatefulSet, nothing else of its status
    # (not collisionCount: the controller revision's hash counts it, so it would roll the pod)
    code, _ = await kapi.patch(f"{sts}/status", {"status": {"updatedReplicas": 0}})
    assert code == 200
    await asyncio.sleep(1.0)
    assert reconciles(controller, controller="instance") == before

    # what it reads still counts: the instance is looked at again
    code, _ = await kapi.patch(f"{sts}/status", {"status": {"readyReplicas": 0}})
    assert code == 200

    async def looked_at_again() -> bool:
        return reconciles(controller, controller="instance") > before

    await eventually(looked_at_again)
