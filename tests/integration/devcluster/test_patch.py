"""PATCH over HTTP: each patch type, server-side apply ownership, status patches, retries."""

from __future__ import annotations

import asyncio
import json

import yaml

from tests.integration.conftest import ApiClient
from tests.integration.devcluster.builders import configmap, deployment

CMS = "/api/v1/namespaces/default/configmaps"
DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"
APPLY = "application/apply-patch+yaml"


async def apply(api: ApiClient, path: str, obj: dict[str, object], manager: str, *, force: bool = False) -> tuple[int, dict[str, object]]:
    params = {"fieldManager": manager, **({"force": "true"} if force else {})}
    return await api.request("PATCH", path, data=yaml.safe_dump(obj), headers={"Content-Type": APPLY}, params=params)


async def test_json_and_strategic_merge_patches(api: ApiClient) -> None:
    await api.post(DEPLOYS, deployment("web"))
    ops = [{"op": "replace", "path": "/spec/replicas", "value": 3}]
    status, d = await api.patch(f"{DEPLOYS}/web", ops, content_type="application/json-patch+json")
    assert status == 200 and d["spec"]["replicas"] == 3 and d["metadata"]["generation"] == 2
    smp = {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:2"}]}}}}
    status, d = await api.patch(f"{DEPLOYS}/web", smp, content_type="application/strategic-merge-patch+json")
    [container] = d["spec"]["template"]["spec"]["containers"]
    assert status == 200 and (container["name"], container["image"]) == ("app", "nginx:2")
    status, body = await api.patch(f"{DEPLOYS}/web", [{"op": "test", "path": "/spec/replicas", "value": 9}], content_type="application/json-patch+json")
    assert status == 422 and body["kind"] == "Status"


async def test_patch_of_missing_object_is_404_and_stale_pinned_version_is_409(api: ApiClient) -> None:
    status, _ = await api.patch(f"{CMS}/nope", {"data": {"a": "b"}})
    assert status == 404
    _, cm = await api.post(CMS, configmap("c"))
    await api.patch(f"{CMS}/c", {"data": {"a": "1"}})
    status, body = await api.patch(f"{CMS}/c", {"metadata": {"resourceVersion": cm["metadata"]["resourceVersion"]}, "data": {"a": "2"}})
    assert status == 409 and body["reason"] == "Conflict"


async def test_server_side_apply_creates_tracks_owners_and_conflicts(api: ApiClient) -> None:
    desired = configmap("ssa", {"a": "1"})
    status, created = await apply(api, f"{CMS}/ssa", desired, "first")
    assert status == 201 and created["data"] == {"a": "1"}
    assert [m["manager"] for m in created["metadata"]["managedFields"]] == ["first"]
    status, unchanged = await apply(api, f"{CMS}/ssa", desired, "first")
    assert status == 200 and unchanged["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    status, conflict = await apply(api, f"{CMS}/ssa", configmap("ssa", {"a": "2"}), "second")
    assert status == 409 and conflict["reason"] == "Conflict"
    status, forced = await apply(api, f"{CMS}/ssa", configmap("ssa", {"a": "2"}), "second", force=True)
    assert status == 200 and forced["data"] == {"a": "2"}
    status, _ = await api.request("PATCH", f"{CMS}/ssa", data=yaml.safe_dump(desired), headers={"Content-Type": APPLY})
    assert status == 422  # fieldManager is required for apply


async def test_status_patch_changes_only_status(api: ApiClient) -> None:
    await api.post(DEPLOYS, deployment("web"))
    patch = {"spec": {"replicas": 5}, "status": {"readyReplicas": 1}}
    status, d = await api.patch(f"{DEPLOYS}/web/status", patch)
    assert status == 200 and d["status"] == {"readyReplicas": 1} and d["spec"]["replicas"] == 1
    status, st = await apply(api, f"{DEPLOYS}/web/status", {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "status": {"replicas": 1}}, "ctl")
    assert status == 200 and st["status"]["replicas"] == 1


async def test_concurrent_merge_patches_all_apply(api: ApiClient) -> None:
    await api.post(CMS, configmap("many"))
    results = await asyncio.gather(*(api.patch(f"{CMS}/many", {"data": {f"k{i}": str(i)}}) for i in range(10)))
    assert all(code == 200 for code, _ in results)
    _, cm = await api.get(f"{CMS}/many")
    assert len(cm["data"]) == 10, json.dumps(cm)


async def test_scale_subresource(api: ApiClient) -> None:
    await api.post(DEPLOYS, deployment("web", replicas=2))
    status, scale = await api.get(f"{DEPLOYS}/web/scale")
    assert status == 200 and scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"] == {"replicas": 2} and scale["status"]["selector"] == "app=web"
    status, scaled = await api.patch(f"{DEPLOYS}/web/scale", {"spec": {"replicas": 4}})
    assert status == 200 and scaled["spec"]["replicas"] == 4
    _, d = await api.get(f"{DEPLOYS}/web")
    assert d["spec"]["replicas"] == 4 and d["metadata"]["generation"] == 2
    scaled["spec"]["replicas"] = -1
    status, err = await api.put(f"{DEPLOYS}/web/scale", scaled)
    assert status == 422 and err["reason"] == "Invalid"
    status, _ = await api.get("/api/v1/namespaces/default/configmaps/x/scale")
    assert status == 404
