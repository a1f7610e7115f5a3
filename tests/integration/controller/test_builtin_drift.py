"""A child of a built-in kind comes back as kube-apiserver's Go types write it (``hostNetwork:
false``, ``args: []`` and ``minReadySeconds: 0`` gone, ``cpu: "0.5"`` read as ``500m``, a Secret's
``stringData`` moved into ``data``). The
controller takes that for holding: a restarted controller writes nothing, as with any child."""

from __future__ import annotations

import asyncio
from typing import Any

from kro.kube import KubeClient

from ..conftest import ApiClient
from .conftest import SETTINGS, eventually, start_controller
from .helpers import RGDS, apps, core, create, get, instances, reconciles, rgd_active

LABELS = {"app": "${schema.metadata.name}"}
WEBS = {
    "apiVersion": "kro.run/v1alpha1",
    "kind": "ResourceGraphDefinition",
    "metadata": {"name": "webs"},
    "spec": {
        "schema": {
            "apiVersion": "v1alpha1", "kind": "Web",
            "spec": {"cpu": 'string | default="0.5"', "wait": "integer | default=0",
                     "hostNetwork": "boolean | default=false"},
        },
        "resources": [{
            "id": "secret",
            "template": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "${schema.metadata.name}"},
                         "stringData": {"password": "${schema.metadata.name + '-pw'}"}},
        }, {
            "id": "deployment",
            "template": {
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "${schema.metadata.name}"},
                "spec": {
                    "minReadySeconds": "${schema.spec.wait}",
                    "selector": {"matchLabels": LABELS},
                    "template": {"metadata": {"labels": LABELS}, "spec": {
                        "hostNetwork": "${schema.spec.hostNetwork}", "nodeSelector": {},
                        "containers": [{
                            "name": "web", "image": "nginx", "args": [], "workingDir": "",
                            "resources": {"requests": {"cpu": "${schema.spec.cpu}", "memory": "1024Mi"}},
                        }],
                    }},
                },
            },
        }],
    },
}  # fmt: skip


async def _active(kapi: ApiClient) -> bool:
    web = await get(kapi, instances("webs", "w1"))
    return bool(web and (web.get("status") or {}).get("state") == "ACTIVE")


async def test_a_built_in_child_as_the_server_writes_it_back_holds(kapi: ApiClient, kube: KubeClient) -> None:
    _, finish = await start_controller(kube, SETTINGS)
    try:
        await create(kapi, RGDS, WEBS)
        await eventually(lambda: rgd_active(kapi, "webs"))
        body = {"apiVersion": "kro.run/v1alpha1", "kind": "Web", "metadata": {"name": "w1"}, "spec": {}}
        await create(kapi, instances("webs"), body)
        await eventually(lambda: _active(kapi), timeout=20)
    finally:
        await finish()
    deployment: Any = await get(kapi, apps("deployments", "w1"))
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    # as kube-apiserver writes it back
    assert "minReadySeconds" not in deployment["spec"]
    assert "hostNetwork" not in pod and "nodeSelector" not in pod
    assert "args" not in container and "workingDir" not in container
    assert container["resources"] == {"requests": {"cpu": "500m", "memory": "1Gi"}}
    secret: Any = await get(kapi, core("secrets", "w1"))
    assert "stringData" not in secret and secret["data"] == {"password": "dzEtcHc="}

    kube.stats.reset()
    ctrl, finish = await start_controller(kube, SETTINGS)
    try:
        await eventually(lambda: _reconciled(ctrl))
        await asyncio.sleep(0.5)
        writes = {k: n for k, n in kube.stats.by_resource.items() if k[0] not in ("get", "list", "watch", "discovery")}
        assert writes == {}, writes
    finally:
        await finish()


async def _reconciled(ctrl: Any) -> bool:
    return reconciles(ctrl, resource="webs") >= 1
