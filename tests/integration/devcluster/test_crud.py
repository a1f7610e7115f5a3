"""Create, read, update, delete over HTTP, with kube-apiserver's status codes and Status bodies."""

from __future__ import annotations

import asyncio

from tests.integration.conftest import ApiClient
from tests.integration.devcluster.builders import configmap, deployment

CMS = "/api/v1/namespaces/default/configmaps"
DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"


async def test_create_get_update_delete(api: ApiClient) -> None:
    status, created = await api.post(CMS, configmap("a", {"k": "v"}))
    assert status == 201
    meta = created["metadata"]
    assert meta["uid"] and meta["creationTimestamp"] and "generation" not in meta  # ConfigMaps have none
    assert meta["namespace"] == "default"
    status, got = await api.get(f"{CMS}/a")
    assert status == 200 and got["data"] == {"k": "v"}
    got["data"] = {"k": "w"}
    status, updated = await api.put(f"{CMS}/a", got)
    assert status == 200 and updated["data"] == {"k": "w"}
    assert int(updated["metadata"]["resourceVersion"]) > int(meta["resourceVersion"])
    assert updated["metadata"]["uid"] == meta["uid"]
    status, gone = await api.delete(f"{CMS}/a")
    assert status == 200
    assert gone == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
        "details": {"name": "a", "kind": "configmaps", "uid": meta["uid"]},
    }
    status, body = await api.get(f"{CMS}/a")
    assert status == 404
    assert body == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'configmaps "a" not found', "reason": "NotFound",
        "details": {"name": "a", "kind": "configmaps"}, "code": 404,
    }


async def test_create_twice_is_already_exists(api: ApiClient) -> None:
    await api.post(CMS, configmap("a"))
    status, body = await api.post(CMS, configmap("a"))
    assert status == 409 and body["reason"] == "AlreadyExists"
    assert body["message"] == 'configmaps "a" already exists'


async def test_generate_name(api: ApiClient) -> None:
    body = configmap("")
    body["metadata"] = {"generateName": "gen-"}
    status, created = await api.post(CMS, body)
    assert status == 201 and created["metadata"]["name"].startswith("gen-") and len(created["metadata"]["name"]) == 9


async def test_stale_resource_version_conflicts(api: ApiClient) -> None:
    _, created = await api.post(CMS, configmap("a"))
    first = {**created, "data": {"x": "1"}}
    status, _ = await api.put(f"{CMS}/a", first)
    assert status == 200
    stale = {**created, "data": {"x": "2"}}
    status, body = await api.put(f"{CMS}/a", stale)
    assert status == 409 and body["reason"] == "Conflict"
    assert "the object has been modified" in body["message"]


async def test_concurrent_conflicting_updates_exactly_one_wins(api: ApiClient) -> None:
    _, created = await api.post(CMS, configmap("a"))
    results = await asyncio.gather(*(api.put(f"{CMS}/a", {**created, "data": {"i": str(i)}}) for i in range(8)))
    codes = sorted(code for code, _ in results)
    assert codes == [200] + [409] * 7


async def test_generation_bumps_on_spec_change_only(api: ApiClient) -> None:
    _, d = await api.post(DEPLOYS, deployment("web"))
    assert d["metadata"]["generation"] == 1
    d["metadata"]["labels"] = {"x": "y"}
    _, d = await api.put(f"{DEPLOYS}/web", d)
    assert d["metadata"]["generation"] == 1
    d["spec"]["replicas"] = 3
    _, d = await api.put(f"{DEPLOYS}/web", d)
    assert d["metadata"]["generation"] == 2


async def test_status_subresource_separates_status_and_spec(api: ApiClient) -> None:
    body = deployment("web")
    body["status"] = {"replicas": 99}
    _, d = await api.post(DEPLOYS, body)
    assert d["status"] == {}  # status is ignored on create: the zero status
    d["status"] = {"replicas": 5}
    d["spec"]["replicas"] = 4
    _, main = await api.put(f"{DEPLOYS}/web", d)
    assert main["spec"]["replicas"] == 4 and main["status"] == {}
    main["status"] = {"replicas": 5}
    main["spec"]["replicas"] = 7
    status, st = await api.put(f"{DEPLOYS}/web/status", main)
    assert status == 200
    assert st["status"] == {"replicas": 5} and st["spec"]["replicas"] == 4
    assert st["metadata"]["generation"] == 2


async def test_finalizers_hold_deletion(api: ApiClient) -> None:
    body = configmap("held")
    body["metadata"]["finalizers"] = ["example.com/hold"]
    await api.post(CMS, body)
    status, deleting = await api.delete(f"{CMS}/held")
    assert status == 200 and deleting["metadata"]["deletionTimestamp"]
    status, still = await api.get(f"{CMS}/held")
    assert status == 200
    still["metadata"]["finalizers"].append("example.com/another")
    status, body = await api.put(f"{CMS}/held", still)
    assert status == 422 and body["details"]["causes"][0]["field"] == "metadata.finalizers"
    _, still = await api.get(f"{CMS}/held")
    still["metadata"]["finalizers"] = []
    status, _ = await api.put(f"{CMS}/held", still)
    assert status == 200
    status, _ = await api.get(f"{CMS}/held")
    assert status == 404


async def test_dry_run_stores_nothing(api: ApiClient) -> None:
    status, created = await api.post(CMS, configmap("dry"), params={"dryRun": "All"})
    assert status == 201 and created["metadata"]["name"] == "dry"
    status, _ = await api.get(f"{CMS}/dry")
    assert status == 404
    await api.post(CMS, configmap("real"))
    status, _ = await api.delete(f"{CMS}/real", params={"dryRun": "All"})
    assert status == 200
    status, _ = await api.get(f"{CMS}/real")
    assert status == 200


async def test_field_validation_modes(api: ApiClient) -> None:
    body = configmap("fv")
    body["bogus"] = 1
    status, err = await api.post(CMS, body, params={"fieldValidation": "Strict"})
    assert status == 400 and err["reason"] == "BadRequest"
    assert err["message"] == 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"'
    status, _ = await api.post(CMS, body, params={"fieldValidation": "Ignore"})
    assert status == 201
    body["metadata"]["name"] = "fv2"
    async with api.session.post(
        api.server.url + CMS, json=body, params={"fieldValidation": "Warn"}, headers={"Authorization": f"Bearer {api.server.token}"}
    ) as resp:
        assert resp.status == 201
        assert 'unknown field \\"bogus\\"' in resp.headers["Warning"]
        assert "bogus" not in await resp.json()


async def test_list_with_selectors_and_pages(api: ApiClient) -> None:
    for i in range(5):
        await api.post(CMS, configmap(f"c{i}", tier="a" if i % 2 else "b"))
    _, listed = await api.get(CMS, params={"labelSelector": "tier=a"})
    assert listed["kind"] == "ConfigMapList" and [o["metadata"]["name"] for o in listed["items"]] == ["c1", "c3"]
    _, page = await api.get(CMS, params={"limit": "2"})
    # c2, c3, c4 and the namespace's kube-root-ca.crt
    assert len(page["items"]) == 2 and page["metadata"]["remainingItemCount"] == 4
    _, page2 = await api.get(CMS, params={"limit": "2", "continue": page["metadata"]["continue"]})
    assert [o["metadata"]["name"] for o in page2["items"]] == ["c2", "c3"]
    _, by_field = await api.get("/api/v1/configmaps", params={"fieldSelector": "metadata.name=c4"})
    assert [o["metadata"]["name"] for o in by_field["items"]] == ["c4"]
    status, _err = await api.get(CMS, params={"labelSelector": "a in b"})
    assert status == 400


async def test_cluster_scoped_and_namespaced_paths(api: ApiClient) -> None:
    status, _ = await api.get("/api/v1/namespaces/default/namespaces")
    assert status == 404
    status, ns = await api.get("/api/v1/namespaces/default")
    assert status == 200 and ns["status"]["phase"] == "Active"
    status, body = await api.post("/api/v1/namespaces/missing/configmaps", configmap("x"))
    assert status == 404 and body["message"] == 'namespaces "missing" not found'


async def test_delete_collection(api: ApiClient) -> None:
    for i in range(3):
        await api.post(CMS, configmap(f"d{i}", group="x" if i < 2 else "y"))
    status, body = await api.delete(CMS, params={"labelSelector": "group=x"})
    assert status == 200 and len(body["items"]) == 2
    _, left = await api.get(CMS, params={"labelSelector": "group"})
    assert [o["metadata"]["name"] for o in left["items"]] == ["d2"]


async def test_builtin_defaults_and_secret_string_data(api: ApiClient) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"password": "hunter2"}}
    status, created = await api.post("/api/v1/namespaces/default/secrets", secret)
    assert status == 201 and "stringData" not in created
    assert created["data"] == {"password": "aHVudGVyMg=="} and created["type"] == "Opaque"
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"}, "spec": {"ports": [{"port": 80}]}}
    _, created = await api.post("/api/v1/namespaces/default/services", svc)
    assert created["spec"]["type"] == "ClusterIP"
    assert created["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    _, d = await api.post(DEPLOYS, deployment("web"))
    assert d["spec"]["strategy"]["type"] == "RollingUpdate" and d["spec"]["revisionHistoryLimit"] == 10
    container = d["spec"]["template"]["spec"]["containers"][0]
    assert container["imagePullPolicy"] == "Always"  # untagged image
