"""A restarted controller keeps serving the instances of an RGD whose current spec does not compile,
with the newest graph revision that does (revisions live in the cluster), and writes nothing in the
steady state."""

from __future__ import annotations

import asyncio
from typing import Any

from kro.kube import KubeClient

from ..conftest import ApiClient
from .conftest import SETTINGS, eventually, start_controller
from .helpers import CRDS, RGDS, condition, core, create, get, replace_spec, rgd_active
from .test_graph_changes import APPS, BASE, app_rgd, configmap, exists, instance, state

GRS = "/apis/internal.kro.run/v1alpha1/graphrevisions"


async def resource_versions(api: ApiClient) -> tuple[str, ...]:
    rgd, crd = await get(api, f"{RGDS}/app"), await get(api, f"{CRDS}/apps.kro.run")
    code, revisions = await api.get(GRS)
    assert rgd is not None and crd is not None and code == 200
    return (
        rgd["metadata"]["resourceVersion"],
        crd["metadata"]["resourceVersion"],
        *sorted(r["metadata"]["resourceVersion"] for r in revisions["items"]),
    )


async def test_restarted_controller_serves_a_broken_rgd_with_its_newest_good_revision(
    kapi: ApiClient, kube: KubeClient
) -> None:
    _, finish = await start_controller(kube, SETTINGS)
    try:
        await create(kapi, RGDS, app_rgd([BASE]))
        await eventually(lambda: rgd_active(kapi, "app"))
        await create(kapi, APPS, instance(regions=[]))
        await eventually(lambda: exists(kapi, "demo-base"))
        await eventually(lambda: _is(state(kapi), "ACTIVE"))
        first = await get(kapi, f"{GRS}/app-r00001")
        assert first is not None and condition(first, "GraphVerified")["status"] == "True"
    finally:
        await finish()

    broken = {"id": "broken", "template": configmap("x", value="${schema.spec.doesNotExist}")}
    await replace_spec(kapi, f"{RGDS}/app", app_rgd([BASE, broken])["spec"])

    _, finish = await start_controller(kube, SETTINGS)
    try:

        async def rejected() -> dict[str, Any] | None:
            rgd = await get(kapi, f"{RGDS}/app")
            return rgd if condition(rgd, "GraphAccepted").get("status") == "False" else None

        rgd = await eventually(rejected)
        assert "doesNotExist" in condition(rgd, "GraphAccepted")["message"]
        assert condition(rgd, "ControllerReady")["status"] == "True"
        assert "graph revision 1 (generation 1)" in condition(rgd, "ControllerReady")["message"]
        assert rgd["status"]["state"] == "Inactive"
        assert rgd["status"]["lastIssuedRevision"] == 2
        second = await get(kapi, f"{GRS}/app-r00002")
        verified = condition(second, "GraphVerified")
        assert verified["status"] == "False" and verified["reason"] == "InvalidGraph"
        assert "doesNotExist" in verified["message"]

        # the instance is still reconciled: drift is repaired
        code, _ = await kapi.delete(core("configmaps", "demo-base"))
        assert code == 200
        await eventually(lambda: exists(kapi, "demo-base"))
        # and it says which revision it runs
        c = condition(await get(kapi, f"{APPS}/demo"), "GraphRevisionCurrent")
        assert (c["status"], c["reason"]) == ("False", "NewestRevisionFailed")

        # steady state: neither the RGD, its CRD nor a revision is written again
        before = await resource_versions(kapi)
        await asyncio.sleep(1.5)
        assert await resource_versions(kapi) == before
    finally:
        await finish()


async def test_steady_state_after_a_restart_writes_nothing(kapi: ApiClient, kube: KubeClient) -> None:
    _, finish = await start_controller(kube, SETTINGS)
    try:
        await create(kapi, RGDS, app_rgd([BASE]))
        await eventually(lambda: rgd_active(kapi, "app"))
        await create(kapi, APPS, instance(regions=[]))
        await eventually(lambda: _is(state(kapi), "ACTIVE"))
    finally:
        await finish()
    before = await resource_versions(kapi)
    # a new controller re-reconciles the accepted RGD: same spec, so no new revision and no write
    _, finish = await start_controller(kube, SETTINGS)
    try:
        await asyncio.sleep(1.5)
        assert await resource_versions(kapi) == before
        code, revisions = await kapi.get(GRS)
        assert code == 200
        assert [r["metadata"]["name"] for r in revisions["items"]] == ["app-r00001"]
    finally:
        await finish()


async def _is(value: Any, expected: str) -> bool:
    return bool(await value == expected)
