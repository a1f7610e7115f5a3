"""A restarted controller keeps serving the instances of an RGD whose current spec does not compile,
with the spec last accepted (recorded on the generated CRD)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from kro.kube import KubeClient

from ..conftest import ApiClient
from .conftest import SETTINGS, eventually, start_controller
from .helpers import CRDS, RGDS, condition, core, create, get, replace_spec, rgd_active
from .test_graph_changes import APPS, BASE, app_rgd, configmap, exists, instance, state

ACCEPTED_SPEC = "internal.kro.run/accepted-spec"
ACCEPTED_GENERATION = "internal.kro.run/accepted-generation"


async def crd_annotations(api: ApiClient) -> dict[str, str]:
    crd = await get(api, f"{CRDS}/apps.kro.run")
    return dict(((crd or {}).get("metadata") or {}).get("annotations") or {})


async def resource_versions(api: ApiClient) -> tuple[str, str]:
    rgd, crd = await get(api, f"{RGDS}/app"), await get(api, f"{CRDS}/apps.kro.run")
    assert rgd is not None and crd is not None
    return rgd["metadata"]["resourceVersion"], crd["metadata"]["resourceVersion"]


async def test_restarted_controller_serves_a_broken_rgd_with_its_recorded_spec(
    kapi: ApiClient, kube: KubeClient
) -> None:
    _, finish = await start_controller(kube, SETTINGS)
    try:
        await create(kapi, RGDS, app_rgd([BASE]))
        await eventually(lambda: rgd_active(kapi, "app"))
        await create(kapi, APPS, instance(regions=[]))
        await eventually(lambda: exists(kapi, "demo-base"))
        await eventually(lambda: _is(state(kapi), "ACTIVE"))
        annotations = await eventually(lambda: crd_annotations(kapi))
        assert annotations[ACCEPTED_GENERATION] == "1"
        recorded = json.loads(annotations[ACCEPTED_SPEC])
        stored = await get(kapi, f"{RGDS}/app")
        assert stored is not None and recorded == stored["spec"]  # as stored, defaults included
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
        assert "last accepted graph (generation 1)" in condition(rgd, "ControllerReady")["message"]
        assert rgd["status"]["state"] == "Inactive"

        # the instance is still reconciled: drift is repaired
        code, _ = await kapi.delete(core("configmaps", "demo-base"))
        assert code == 200
        await eventually(lambda: exists(kapi, "demo-base"))
        # the record still names the accepted generation, not the broken one
        assert (await crd_annotations(kapi))[ACCEPTED_GENERATION] == "1"

        # steady state: neither the RGD nor its CRD is written again
        before = await resource_versions(kapi)
        await asyncio.sleep(1.5)
        assert await resource_versions(kapi) == before
    finally:
        await finish()


async def test_steady_state_writes_no_record_again(kapi: ApiClient, kube: KubeClient) -> None:
    _, finish = await start_controller(kube, SETTINGS)
    try:
        await create(kapi, RGDS, app_rgd([BASE]))
        await eventually(lambda: rgd_active(kapi, "app"))
        await eventually(lambda: crd_annotations(kapi))
    finally:
        await finish()
    before = await resource_versions(kapi)
    # a new controller re-reconciles the accepted RGD: the record is already there
    _, finish = await start_controller(kube, SETTINGS)
    try:
        await asyncio.sleep(1.5)
        assert await resource_versions(kapi) == before
    finally:
        await finish()


async def _is(value: Any, expected: str) -> bool:
    return bool(await value == expected)
