"""A bare Pod as a child, as it lives on a real cluster: the scheduler binds it, a deletion is
graceful (the pod lingers, marked, until the kubelet is done), and the controller still repairs
it and still cleans up."""

from __future__ import annotations

from typing import Any

from kro.kube import KubeClient

from ..conftest import ApiClient
from .conftest import SETTINGS, eventually, start_controller
from .helpers import RGDS, core, create, get, instances, rgd_active

RUNNERS = {
    "apiVersion": "kro.run/v1alpha1",
    "kind": "ResourceGraphDefinition",
    "metadata": {"name": "runners"},
    "spec": {
        "schema": {
            "apiVersion": "v1alpha1", "kind": "Runner",
            "spec": {"image": 'string | default="nginx"'},
            "status": {"node": "${pod.spec.nodeName}"},
        },
        "resources": [{
            "id": "pod",
            "readyWhen": ['${pod.status.phase == "Running"}'],
            "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "${schema.metadata.name}"},
                         "spec": {"containers": [{"name": "main", "image": "${schema.spec.image}"}]}},
        }],
    },
}  # fmt: skip


async def _runner(kapi: ApiClient) -> dict[str, Any] | None:
    return await get(kapi, instances("runners", "r1"))


async def test_a_pod_child_is_repaired_and_cleaned_up_through_its_graceful_deletion(kapi: ApiClient, kube: KubeClient) -> None:
    _, finish = await start_controller(kube, SETTINGS)
    try:
        await create(kapi, RGDS, RUNNERS)
        await eventually(lambda: rgd_active(kapi, "runners"))
        await create(kapi, instances("runners"), {"apiVersion": "kro.run/v1alpha1", "kind": "Runner",
                                                  "metadata": {"name": "r1"}, "spec": {}})

        async def active() -> dict[str, Any] | None:
            runner = await _runner(kapi)
            status = (runner or {}).get("status") or {}
            return runner if status.get("state") == "ACTIVE" and status.get("node") else None

        runner = await eventually(active, timeout=20)
        assert runner["status"]["node"] == "kro-dev-node"  # bound by the scheduler, read back by kro
        first: Any = await get(kapi, core("pods", "r1"))

        status, marked = await kapi.delete(core("pods", "r1"))
        assert status == 200 and marked["metadata"]["deletionGracePeriodSeconds"] == 30, marked

        async def replaced() -> dict[str, Any] | None:
            pod = await get(kapi, core("pods", "r1"))
            fresh = pod and pod["metadata"]["uid"] != first["metadata"]["uid"]
            return pod if fresh and (pod.get("status") or {}).get("phase") == "Running" else None

        await eventually(replaced, timeout=20)
        await eventually(active, timeout=20)

        status, _ = await kapi.delete(instances("runners", "r1"))
        assert status == 200

        async def gone() -> bool:
            return await _runner(kapi) is None and await get(kapi, core("pods", "r1")) is None

        await eventually(gone, timeout=20)
    finally:
        await finish()
