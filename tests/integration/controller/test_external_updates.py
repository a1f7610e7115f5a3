"""An object an external reference reads queues its graph's instances again when it changes, but not
for an update of status fields no expression reads (a Deployment's status moves with every pod)."""

from __future__ import annotations

import asyncio

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
