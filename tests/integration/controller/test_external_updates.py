"""An object an external reference reads queues its graph's instances again when it changes, but not
for an update of status fields no expression reads (a Deployment's status moves with every pod)."""

from __future__ import annotations

import asyncio
from typing import Any

from kro.controller.app import Controller

from ..conftest import ApiClient
from .conftest import eventually
from .helpers import RGDS, apps, core, create, get, instances, reconciles, rgd_active

SITES = {
    "apiVersion": "kro.run/v1alpha1",
    "kind": "ResourceGraphDefinition",
    "metadata": {"name": "sites"},
    "spec": {
        "schema": {"apiVersion": "v1alpha1", "kind": "Site", "spec": {}},
        "resources": [
            {
                "id": "platform",
                "externalRef": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "platform"}},
            },
            {
                "id": "settings",
                "template": {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "${schema.metadata.name}-settings"},
                    "data": {"replicas": "${string(platform.spec.replicas)}"},
                },
            },
        ],
    },
}
LABELS = {"app": "platform"}
PLATFORM = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "platform"},
    "spec": {
        "replicas": 1,
        "selector": {"matchLabels": LABELS},
        "template": {"metadata": {"labels": LABELS}, "spec": {"containers": [{"name": "p", "image": "nginx"}]}},
    },
}


async def test_an_external_objects_unread_status_change_queues_no_instance(
    kapi: ApiClient, controller: Controller
) -> None:
    await create(kapi, apps("deployments"), PLATFORM)
    await create(kapi, RGDS, SITES)
    await eventually(lambda: rgd_active(kapi, "sites"))
    site = {"apiVersion": "kro.run/v1alpha1", "kind": "Site", "metadata": {"name": "s1", "namespace": "default"}}
    await create(kapi, instances("sites"), {**site, "spec": {}})

    async def settings(replicas: str) -> bool:
        cm = await get(kapi, core("configmaps", "s1-settings"))
        return bool(cm and cm["data"]["replicas"] == replicas)

    await eventually(lambda: settings("1"), timeout=15)
    platform = apps("deployments", "platform")

    async def available() -> bool:
        obj = await get(kapi, platform)
        return bool(obj and (obj.get("status") or {}).get("availableReplicas") == 1)

    await eventually(available, timeout=15)
    await asyncio.sleep(0.5)  # let the reconciles queued so far finish
    before = reconciles(controller, resource="sites")

    code, _ = await kapi.patch(f"{platform}/status", {"status": {"updatedReplicas": 0}})
    assert code == 200
    await asyncio.sleep(1.0)
    assert reconciles(controller, resource="sites") == before

    # what the graph reads still counts
    code, _ = await kapi.patch(platform, {"spec": {"replicas": 2}})
    assert code == 200
    await eventually(lambda: settings("2"))
    assert reconciles(controller, resource="sites") > before


def readers_rgd() -> dict[str, Any]:
    """Each Reader copies the ConfigMap its spec names (an external reference with a templated name)."""
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "readers"},
        "spec": {
            "schema": {"apiVersion": "v1alpha1", "kind": "Reader", "spec": {"source": "string"}},
            "resources": [
                {
                    "id": "source",
                    "externalRef": {
                        "apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": "${schema.spec.source}"},
                    },
                },
                {
                    "id": "copy",
                    "template": {
                        "apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": "${schema.metadata.name}-copy"},
                        "data": {"value": "${source.data.value}"},
                    },
                },
            ],
        },
    }  # fmt: skip


def config(name: str, value: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"value": value}}


async def _copied(kapi: ApiClient, reader: str, value: str) -> bool:
    cm = await get(kapi, core("configmaps", f"{reader}-copy"))
    return bool(cm and (cm.get("data") or {}).get("value") == value)


async def test_an_external_objects_change_queues_only_the_instances_that_read_it(
    kapi: ApiClient, controller: Controller
) -> None:
    for i in range(3):
        await create(kapi, core("configmaps"), config(f"source-{i}", f"v{i}"))
    await create(kapi, RGDS, readers_rgd())
    await eventually(lambda: rgd_active(kapi, "readers"))
    for i in range(3):
        body = {"apiVersion": "kro.run/v1alpha1", "kind": "Reader", "metadata": {"name": f"r{i}"},
                "spec": {"source": f"source-{i}"}}  # fmt: skip
        await create(kapi, instances("readers"), body)
    for i in range(3):
        await eventually(lambda i=i: _copied(kapi, f"r{i}", f"v{i}"), timeout=15)
    await asyncio.sleep(0.5)  # let the reconciles queued so far finish
    before = reconciles(controller, resource="readers")

    code, _ = await kapi.patch(core("configmaps", "source-1"), {"data": {"value": "changed"}})
    assert code == 200
    await eventually(lambda: _copied(kapi, "r1", "changed"))
    await asyncio.sleep(0.5)
    # r1 alone: r0 and r2 read other ConfigMaps
    assert reconciles(controller, resource="readers") - before == 1

    # an external object that does not exist yet: its creation queues the instance waiting for it
    body = {"apiVersion": "kro.run/v1alpha1", "kind": "Reader", "metadata": {"name": "late"},
            "spec": {"source": "source-late"}}  # fmt: skip
    await create(kapi, instances("readers"), body)
    await asyncio.sleep(0.5)
    assert await get(kapi, core("configmaps", "late-copy")) is None
    await create(kapi, core("configmaps"), config("source-late", "at last"))
    await eventually(lambda: _copied(kapi, "late", "at last"), timeout=10)


def producer_rgd() -> dict[str, Any]:
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "producers"},
        "spec": {
            "schema": {"apiVersion": "v1alpha1", "kind": "Producer", "spec": {"value": "string"}},
            "resources": [{
                "id": "shared",
                "template": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"},
                             "data": {"value": "${schema.spec.value}"}},
            }],
        },
    }  # fmt: skip


async def test_an_external_object_made_by_another_instance_still_reaches_its_readers(
    kapi: ApiClient, controller: Controller
) -> None:
    """Graphs chain: one instance's child is what another graph's external reference reads."""
    await create(kapi, RGDS, producer_rgd())
    await create(kapi, RGDS, readers_rgd())
    await eventually(lambda: rgd_active(kapi, "producers"))
    await eventually(lambda: rgd_active(kapi, "readers"))
    producer = {"apiVersion": "kro.run/v1alpha1", "kind": "Producer", "metadata": {"name": "p"},
                "spec": {"value": "first"}}  # fmt: skip
    await create(kapi, instances("producers"), producer)
    reader = {"apiVersion": "kro.run/v1alpha1", "kind": "Reader", "metadata": {"name": "r"},
              "spec": {"source": "shared"}}  # fmt: skip
    await create(kapi, instances("readers"), reader)
    await eventually(lambda: _copied(kapi, "r", "first"), timeout=15)

    code, _ = await kapi.patch(instances("producers", "p"), {"spec": {"value": "second"}})
    assert code == 200
    await eventually(lambda: _copied(kapi, "r", "second"), timeout=10)
