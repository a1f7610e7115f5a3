"""How instances follow changes: includeWhen flips, forEach shrinking, RGD updates (good and
broken) and RGD deletion."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

import pytest

from kro.controller.app import Controller
from kro.kube import KubeClient

from ..conftest import ApiClient
from .conftest import SETTINGS, eventually, start_controller
from .helpers import CRDS, RGDS, condition, core, create, get, instances, replace_spec, rgd_active

APPS = instances("apps")


def configmap(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def app_rgd(resources: list[dict[str, Any]], *, spec: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "app"},
        "spec": {
            "schema": {
                "apiVersion": "v1alpha1",
                "kind": "App",
                "spec": spec or {"enabled": "boolean | default=true", "regions": "[]string"},
            },
            "resources": resources,
        },
    }


def outer_rgd(*resources: dict[str, Any]) -> dict[str, Any]:
    """RGD ``outer`` (kind Outer) whose resources include instances of the App kind (chaining)."""
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "outer"},
        "spec": {
            "schema": {"apiVersion": "v1alpha1", "kind": "Outer", "spec": {}},
            "resources": list(resources),
        },
    }


def inner_app(regions: list[str], **node: Any) -> dict[str, Any]:
    """Resource ``inner``: an App instance named after the Outer instance."""
    return {
        "id": "inner",
        **node,
        "template": {
            "apiVersion": "kro.run/v1alpha1",
            "kind": "App",
            "metadata": {"name": "${schema.metadata.name}-inner"},
            "spec": {"regions": regions},
        },
    }


# an instance of outer_rgd's kind, Outer
OUTER_O = {
    "apiVersion": "kro.run/v1alpha1",
    "kind": "Outer",
    "metadata": {"name": "o", "namespace": "default"},
    "spec": {},
}


BASE = {"id": "base", "template": configmap("${schema.metadata.name}-base", role="base")}
OPTIONAL = {
    "id": "optional",
    "includeWhen": ["${schema.spec.enabled}"],
    "template": configmap("${schema.metadata.name}-optional", base="${base.metadata.name}"),
}
PER_REGION = {
    "id": "regions",
    "forEach": [{"region": "${schema.spec.regions}"}],
    "template": configmap("${schema.metadata.name}-${region}", region="${region}"),
}


def instance(name: str = "demo", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "App",
        "metadata": {"name": name, "namespace": "default"},
        "spec": spec,
    }


async def state(api: ApiClient, name: str = "demo") -> str:
    obj = await get(api, instances("apps", name))
    return str(((obj or {}).get("status") or {}).get("state", ""))


async def exists(api: ApiClient, cm: str) -> bool:
    return await get(api, core("configmaps", cm)) is not None


async def absent(api: ApiClient, cm: str) -> bool:
    return await get(api, core("configmaps", cm)) is None


async def test_include_when_flip_creates_and_prunes(kapi: ApiClient, controller: Controller) -> None:
    await create(kapi, RGDS, app_rgd([BASE, OPTIONAL]))
    await eventually(lambda: rgd_active(kapi, "app"))
    await create(kapi, APPS, instance(enabled=False, regions=[]))
    await eventually(lambda: exists(kapi, "demo-base"))
    await eventually(lambda: _is(state(kapi), "ACTIVE"))
    assert await absent(kapi, "demo-optional")

    await replace_spec(kapi, instances("apps", "demo"), {"enabled": True, "regions": []})
    await eventually(lambda: exists(kapi, "demo-optional"))
    cm = await get(kapi, core("configmaps", "demo-optional"))
    assert cm is not None and cm["data"] == {"base": "demo-base"}

    await replace_spec(kapi, instances("apps", "demo"), {"enabled": False, "regions": []})
    await eventually(lambda: absent(kapi, "demo-optional"))
    assert await exists(kapi, "demo-base")


async def test_for_each_shrink_prunes_removed_items(kapi: ApiClient, controller: Controller) -> None:
    await create(kapi, RGDS, app_rgd([PER_REGION]))
    await eventually(lambda: rgd_active(kapi, "app"))
    await create(kapi, APPS, instance(regions=["eu", "us", "ap"]))
    for region in ("eu", "us", "ap"):
        await eventually(lambda r=region: exists(kapi, f"demo-{r}"))  # type: ignore[misc]
    cm = await get(kapi, core("configmaps", "demo-us"))
    assert cm is not None and cm["metadata"]["labels"]["kro.run/collection-index"] == "1"

    await replace_spec(kapi, instances("apps", "demo"), {"enabled": True, "regions": ["eu"]})
    await eventually(lambda: absent(kapi, "demo-us"))
    await eventually(lambda: absent(kapi, "demo-ap"))
    assert await exists(kapi, "demo-eu")


async def test_rgd_update_adds_a_resource_to_running_instances(
    kapi: ApiClient, controller: Controller
) -> None:
    await create(kapi, RGDS, app_rgd([BASE]))
    await eventually(lambda: rgd_active(kapi, "app"))
    await create(kapi, APPS, instance(regions=[]))
    await eventually(lambda: exists(kapi, "demo-base"))

    await replace_spec(kapi, f"{RGDS}/app", app_rgd([BASE, OPTIONAL])["spec"])
    await eventually(lambda: exists(kapi, "demo-optional"))


async def test_broken_rgd_update_keeps_the_last_good_graph(
    kapi: ApiClient, controller: Controller, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await create(kapi, RGDS, app_rgd([BASE]))
    await eventually(lambda: rgd_active(kapi, "app"))
    await create(kapi, APPS, instance(regions=[]))
    await eventually(lambda: exists(kapi, "demo-base"))

    broken = {"id": "broken", "template": configmap("x", value="${schema.spec.doesNotExist}")}
    await replace_spec(kapi, f"{RGDS}/app", app_rgd([BASE, broken])["spec"])

    async def rejected() -> dict[str, Any] | None:
        rgd = await get(kapi, f"{RGDS}/app")
        return rgd if condition(rgd, "GraphAccepted").get("status") == "False" else None

    rgd = await eventually(rejected)
    assert condition(rgd, "GraphAccepted")["reason"] == "InvalidResourceGraph"
    assert "doesNotExist" in condition(rgd, "GraphAccepted")["message"]
    assert condition(rgd, "GraphRevisionsResolved")["status"] == "False"
    assert condition(rgd, "GraphRevisionsResolved")["message"] == "latest graph revision 2 failed compilation"
    assert "graph revision 1 (generation 1)" in condition(rgd, "ControllerReady")["message"]
    assert rgd["status"]["state"] == "Inactive"
    assert rgd["status"]["lastIssuedRevision"] == 2

    # the event kubectl describe shows
    code, events = await kapi.get(core("events"))
    assert code == 200
    reasons = [(e["reason"], e["type"]) for e in events["items"] if e["involvedObject"]["name"] == "app"]
    assert ("ValidationFailed", "Warning") in reasons
    # and the log line an operator greps for: once per rejected revision, with the first error
    rejections = [r.getMessage() for r in caplog.records if "rejected" in r.getMessage()]
    assert len(rejections) == 1, rejections
    assert rejections[0].startswith("RGD app (generation 2) rejected: graph revision 2 does not compile: ")
    assert "doesNotExist" in rejections[0]

    # the instance says which revision it runs, and why not the newest (status and an Event)
    async def held_back() -> dict[str, Any] | None:
        c = condition(await get(kapi, instances("apps", "demo")), "GraphRevisionCurrent")
        return c if c.get("status") == "False" else None

    current = await eventually(held_back)
    assert current["reason"] == "NewestRevisionFailed"
    assert current["message"].startswith("reconciled with graph revision 1 of ResourceGraphDefinition app:")
    assert await state(kapi) == "ACTIVE"
    code, events = await kapi.get(core("events"))
    told = [
        e
        for e in events["items"]
        if e["involvedObject"]["name"] == "demo" and e["reason"] == "NewestRevisionFailed"
    ]
    assert len(told) == 1 and told[0]["type"] == "Warning"

    # the instance is still served with the old graph: drift is still repaired
    code, _ = await kapi.delete(core("configmaps", "demo-base"))
    assert code == 200
    await eventually(lambda: exists(kapi, "demo-base"))


async def test_rgd_deletion_keeps_the_crd_and_instances(kapi: ApiClient, controller: Controller) -> None:
    await create(kapi, RGDS, app_rgd([BASE]))
    await eventually(lambda: rgd_active(kapi, "app"))
    await create(kapi, APPS, instance(regions=[]))
    await eventually(lambda: exists(kapi, "demo-base"))

    code, _ = await kapi.delete(f"{RGDS}/app")
    assert code == 200  # held by kro's finalizer: the controller lets it go once it stopped serving the kind
    await eventually(lambda: _is_none(get(kapi, f"{RGDS}/app")))
    await asyncio.sleep(0.5)
    assert await get(kapi, f"{CRDS}/apps.kro.run") is not None
    assert await get(kapi, instances("apps", "demo")) is not None
    assert await exists(kapi, "demo-base")
    # no controller serves the kind any more: drift is not repaired
    await kapi.delete(core("configmaps", "demo-base"))
    await asyncio.sleep(1.0)
    assert await absent(kapi, "demo-base")


async def _is(value: Any, expected: Any) -> bool:
    return bool(await value == expected)


async def _is_none(value: Any) -> bool:
    return await value is None


async def test_rgd_update_removing_a_field_removes_it_from_children(
    kapi: ApiClient, controller: Controller
) -> None:
    two_keys = {"id": "base", "template": configmap("${schema.metadata.name}-base", role="base", extra="x")}
    await create(kapi, RGDS, app_rgd([two_keys]))
    await eventually(lambda: rgd_active(kapi, "app"))
    await create(kapi, APPS, instance(regions=[]))

    async def data() -> dict[str, Any] | None:
        cm = await get(kapi, core("configmaps", "demo-base"))
        return cm["data"] if cm else None

    await eventually(lambda: _is(data(), {"role": "base", "extra": "x"}))
    await replace_spec(kapi, f"{RGDS}/app", app_rgd([BASE])["spec"])
    await eventually(lambda: _is(data(), {"role": "base"}))


async def test_chained_rgd_compiles_once_the_inner_kind_exists(
    kapi: ApiClient, controller: Controller
) -> None:
    outer = outer_rgd(inner_app(["eu"]))
    await create(kapi, RGDS, outer)

    async def rejected() -> bool:
        return condition(await get(kapi, f"{RGDS}/outer"), "GraphAccepted").get("status") == "False"

    await eventually(rejected)
    await create(kapi, RGDS, app_rgd([PER_REGION]))
    await eventually(lambda: rgd_active(kapi, "outer"))
    await create(kapi, instances("outers"), OUTER_O)
    await eventually(lambda: exists(kapi, "o-inner-eu"))


async def test_allow_crd_deletion_deletes_the_crd_with_the_rgd(kapi: ApiClient, kube: KubeClient) -> None:
    _, finish = await start_controller(kube, replace(SETTINGS, allow_crd_deletion=True))
    try:
        await create(kapi, RGDS, app_rgd([BASE]))
        await eventually(lambda: rgd_active(kapi, "app"))
        assert await get(kapi, f"{CRDS}/apps.kro.run") is not None
        await kapi.delete(f"{RGDS}/app")
        await eventually(lambda: _is_none(get(kapi, f"{CRDS}/apps.kro.run")))
        await eventually(lambda: _is_none(get(kapi, f"{RGDS}/app")))
    finally:
        await finish()


async def test_rgd_update_removing_a_resource_prunes_its_children(
    kapi: ApiClient, controller: Controller
) -> None:
    await create(kapi, RGDS, app_rgd([BASE, OPTIONAL]))
    await eventually(lambda: rgd_active(kapi, "app"))
    await create(kapi, APPS, instance(regions=[]))
    await eventually(lambda: exists(kapi, "demo-optional"))

    await replace_spec(kapi, f"{RGDS}/app", app_rgd([BASE])["spec"])
    await eventually(lambda: absent(kapi, "demo-optional"))
    assert await exists(kapi, "demo-base")


async def test_a_chained_instance_becoming_active_wakes_its_parent_without_a_requeue(
    kapi: ApiClient, kube: KubeClient
) -> None:
    # the periodic look is an hour away: only the inner instance's own status write can tell the
    # outer one that its readyWhen holds and the ConfigMap that waits on it can be created
    _, finish = await start_controller(kube, replace(SETTINGS, requeue_interval=3600))
    try:
        await create(kapi, RGDS, app_rgd([BASE]))
        await eventually(lambda: rgd_active(kapi, "app"))
        outer = outer_rgd(
            inner_app([], readyWhen=['${inner.status.state == "ACTIVE"}']),
            {
                "id": "after",
                "template": configmap("${schema.metadata.name}-after", inner="${inner.metadata.name}"),
            },
        )
        await create(kapi, RGDS, outer)
        await eventually(lambda: rgd_active(kapi, "outer"))
        await create(kapi, instances("outers"), OUTER_O)

        async def outer_active() -> bool:
            got = await get(kapi, instances("outers", "o"))
            return bool(got and (got.get("status") or {}).get("state") == "ACTIVE")

        await eventually(outer_active, timeout=20)
        assert (await get(kapi, core("configmaps", "o-after")) or {}).get("data") == {"inner": "o-inner"}
    finally:
        await finish()
