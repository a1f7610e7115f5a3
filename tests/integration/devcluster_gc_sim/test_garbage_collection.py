"""Garbage collection over HTTP: background, foreground and orphan propagation by ownerReferences."""

from __future__ import annotations

import functools
from typing import Any

from tests.integration.conftest import ApiClient
from tests.integration.devcluster_gc_sim.conftest import eventually

CMS = "/api/v1/namespaces/default/configmaps"


async def configmap(api: ApiClient, name: str, *owners: dict[str, Any], block: bool = False,
                    finalizers: list[str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if owners:
        meta["ownerReferences"] = [
            {"apiVersion": "v1", "kind": "ConfigMap", "name": o["metadata"]["name"], "uid": o["metadata"]["uid"],
             **({"blockOwnerDeletion": True} if block else {})}
            for o in owners
        ]
    if finalizers:
        meta["finalizers"] = finalizers
    status, body = await api.post(CMS, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta})
    assert status == 201, body
    return dict(body)


async def gone(api: ApiClient, name: str) -> bool:
    status, _ = await api.get(f"{CMS}/{name}")
    return status == 404


async def test_background_deletion_removes_dependents(sim: ApiClient) -> None:
    owner = await configmap(sim, "owner")
    await configmap(sim, "child", owner)
    await configmap(sim, "grandchild", await (configmap(sim, "middle", owner)))
    status, _ = await sim.delete(f"{CMS}/owner")
    assert status == 200
    assert await gone(sim, "owner")
    for name in ("child", "middle", "grandchild"):
        await eventually(functools.partial(gone, sim, name), what=f"{name} to be collected")


async def test_dependent_with_another_living_owner_stays_and_loses_the_dangling_reference(sim: ApiClient) -> None:
    a = await configmap(sim, "a")
    b = await configmap(sim, "b")
    await configmap(sim, "shared", a, b)
    await sim.delete(f"{CMS}/a")

    async def refs() -> list[str] | None:
        _, obj = await sim.get(f"{CMS}/shared")
        names = [r["name"] for r in obj["metadata"].get("ownerReferences", [])]
        return names if names == ["b"] else None

    assert await eventually(refs, what="the reference to a to go") == ["b"]


async def test_foreground_deletion_waits_for_blocking_dependents(sim: ApiClient) -> None:
    owner = await configmap(sim, "owner")
    await configmap(sim, "held", owner, block=True, finalizers=["example.com/hold"])
    status, body = await sim.delete(f"{CMS}/owner", {"kind": "DeleteOptions", "apiVersion": "v1",
                                                     "propagationPolicy": "Foreground"})
    assert status == 200, body  # the object, held: the deletion waits for finalizers
    assert body["metadata"]["deletionTimestamp"]
    assert "foregroundDeletion" in body["metadata"]["finalizers"]

    async def held_is_deleting() -> dict[str, Any] | None:
        _, obj = await sim.get(f"{CMS}/held")
        return obj if obj["metadata"].get("deletionTimestamp") else None

    held = await eventually(held_is_deleting, what="the dependent to be deleted")
    status, still = await sim.get(f"{CMS}/owner")
    assert status == 200 and still["metadata"]["deletionTimestamp"], "the owner must wait for its dependent"
    held["metadata"]["finalizers"] = []
    status, body = await sim.put(f"{CMS}/held", held)
    assert status == 200, body
    await eventually(lambda: gone(sim, "held"), what="the dependent to go")
    await eventually(lambda: gone(sim, "owner"), what="the owner to go after its dependents")


async def test_foreground_owner_without_blocking_dependents_goes_at_once(sim: ApiClient) -> None:
    owner = await configmap(sim, "owner")
    await configmap(sim, "loose", owner)
    status, _ = await sim.delete(f"{CMS}/owner", params={"propagationPolicy": "Foreground"})
    assert status in (200, 202)
    await eventually(lambda: gone(sim, "owner"), what="the owner to go")
    await eventually(lambda: gone(sim, "loose"), what="the dependent to be collected")


async def test_orphan_deletion_keeps_dependents_without_the_reference(sim: ApiClient) -> None:
    owner = await configmap(sim, "owner")
    await configmap(sim, "kept", owner)
    status, body = await sim.delete(f"{CMS}/owner", {"propagationPolicy": "Orphan"})
    assert status in (200, 202), body
    await eventually(lambda: gone(sim, "owner"), what="the owner to go")
    _, kept = await sim.get(f"{CMS}/kept")
    assert "ownerReferences" not in kept["metadata"]
    assert "orphan" not in (kept["metadata"].get("finalizers") or [])


async def test_dependent_created_for_a_missing_owner_is_collected(sim: ApiClient) -> None:
    ghost = {"metadata": {"name": "ghost", "uid": "00000000-0000-0000-0000-000000000000"}}
    await configmap(sim, "orphaned", ghost)
    await eventually(lambda: gone(sim, "orphaned"), what="the dependent of a missing owner to be collected")


async def test_owner_of_an_unknown_kind_is_not_taken_as_gone(sim: ApiClient) -> None:
    meta = {"name": "odd", "ownerReferences": [{"apiVersion": "example.com/v1", "kind": "Widget", "name": "w",
                                                "uid": "11111111-1111-1111-1111-111111111111"}]}
    status, _ = await sim.post(CMS, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta})
    assert status == 201
    # Give the collector a chance to act on it; it must not.
    await configmap(sim, "marker-owner")
    marker_owner = (await sim.get(f"{CMS}/marker-owner"))[1]
    await configmap(sim, "marker", marker_owner)
    await sim.delete(f"{CMS}/marker-owner")
    await eventually(lambda: gone(sim, "marker"), what="the marker to be collected")
    assert not await gone(sim, "odd")


async def test_cluster_scoped_dependent_of_a_namespaced_owner_is_never_collected(sim: ApiClient) -> None:
    owner = await configmap(sim, "ns-owner")
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "ns-owner", "uid": owner["metadata"]["uid"]}
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "odd-role", "ownerReferences": [ref]}, "rules": []}
    path = "/apis/rbac.authorization.k8s.io/v1/clusterroles"
    status, body = await sim.post(path, role)
    assert status == 201, body
    await sim.delete(f"{CMS}/ns-owner")
    await configmap(sim, "marker-owner")
    marker_owner = (await sim.get(f"{CMS}/marker-owner"))[1]
    await configmap(sim, "marker", marker_owner)
    await sim.delete(f"{CMS}/marker-owner")
    await eventually(lambda: gone(sim, "marker"), what="the marker to be collected")
    status, _ = await sim.get(f"{path}/odd-role")
    assert status == 200
