"""Discovery, OpenAPI, TLS, restarts and namespaces."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from kro.devcluster import DevServer, DevServerConfig
from tests.integration.conftest import ApiClient, DevServerFactory
from tests.integration.devcluster.builders import configmap, widget, widget_crd

CMS = "/api/v1/namespaces/default/configmaps"
AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"


async def test_legacy_discovery(api: ApiClient) -> None:
    _, versions = await api.get("/api")
    assert versions["kind"] == "APIVersions" and versions["versions"] == ["v1"]
    _, groups = await api.get("/apis")
    apps = next(g for g in groups["groups"] if g["name"] == "apps")
    assert apps["preferredVersion"] == {"groupVersion": "apps/v1", "version": "v1"}
    _, resources = await api.get("/apis/apps/v1")
    names = {r["name"]: r for r in resources["resources"]}
    assert names["deployments"]["kind"] == "Deployment" and names["deployments"]["namespaced"] is True
    assert "deployments/status" in names
    _, core = await api.get("/api/v1")
    assert any(r["name"] == "namespaces" and r["namespaced"] is False for r in core["resources"])


async def test_aggregated_discovery_includes_new_crds(api: ApiClient) -> None:
    await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", widget_crd())
    await asyncio.sleep(0.2)
    async with api.session.get(
        api.server.url + "/apis", headers={"Authorization": f"Bearer {api.server.token}", "Accept": AGGREGATED}
    ) as resp:
        assert resp.headers["Content-Type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
        doc = await resp.json(content_type=None)
    assert doc["kind"] == "APIGroupDiscoveryList"
    example = next(i for i in doc["items"] if i["metadata"].get("name") == "example.com")
    resource = example["versions"][0]["resources"][0]
    assert resource["resource"] == "widgets" and resource["scope"] == "Namespaced"
    assert resource["subresources"][0]["subresource"] == "status"


async def test_version_and_health(api: ApiClient) -> None:
    _, version = await api.get("/version")
    assert version["major"] == "1" and int(version["minor"]) >= 32
    for path in ("/healthz", "/readyz", "/livez"):
        status, _ = await api.get(path)
        assert status == 200


async def test_openapi_v3_has_builtin_and_crd_schemas(api: ApiClient) -> None:
    await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", widget_crd())
    await asyncio.sleep(0.2)
    _, root = await api.get("/openapi/v3")
    assert "apis/apps/v1" in root["paths"] and "apis/example.com/v1" in root["paths"]
    _, apps = await api.get("/apis/apps/v1".replace("/apis", "/openapi/v3/apis"))
    deploy = apps["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"]
    assert deploy["x-kubernetes-group-version-kind"][0]["kind"] == "Deployment"
    spec_ref = deploy["properties"]["spec"]["$ref"]
    assert spec_ref.startswith("#/components/schemas/") and spec_ref.split("/")[-1] in apps["components"]["schemas"]
    _, example = await api.get("/openapi/v3/apis/example.com/v1")
    w = example["components"]["schemas"]["com.example.v1.Widget"]
    assert w["properties"]["spec"]["properties"]["size"]["enum"] == ["small", "large"]
    _, v2 = await api.get("/openapi/v2")
    assert v2["swagger"] == "2.0" and "io.k8s.api.core.v1.ConfigMap" in v2["definitions"]


async def test_https_with_own_ca(devserver_tls: DevServer) -> None:
    assert devserver_tls.url.startswith("https://127.0.0.1:")
    assert devserver_tls.ca_file is not None and devserver_tls.ca_file.exists()
    import ssl

    ctx = ssl.create_default_context(cafile=str(devserver_tls.ca_file))
    headers = {"Authorization": f"Bearer {devserver_tls.token}"}
    async with (
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx)) as session,
        session.get(devserver_tls.url + "/api/v1/namespaces", headers=headers) as resp,
    ):
        assert resp.status == 200
    text = devserver_tls.kubeconfig_path.read_text()
    assert devserver_tls.url in text and devserver_tls.token in text and str(devserver_tls.ca_file) in text


async def test_sqlite_restart_keeps_objects_crds_and_resource_version(tmp_path: Path) -> None:
    cfg = DevServerConfig(tls=False, state_dir=tmp_path / "state", port=0)
    async with DevServer(cfg) as server, aiohttp.ClientSession() as session:
        api = ApiClient(server, session)
        await api.post(CMS, configmap("keep", {"a": "1"}))
        await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", widget_crd())
        await asyncio.sleep(0.2)
        status, _ = await api.post("/apis/example.com/v1/namespaces/default/widgets", widget("w"))
        assert status == 201
        _, listed = await api.get(CMS)
        rv = int(listed["metadata"]["resourceVersion"])
        token = server.token
    async with DevServer(cfg) as server, aiohttp.ClientSession() as session:
        assert server.token == token  # kubeconfigs stay valid across restarts
        api = ApiClient(server, session)
        status, cm = await api.get(f"{CMS}/keep")
        assert status == 200 and cm["data"] == {"a": "1"}
        status, _ = await api.get("/apis/example.com/v1/namespaces/default/widgets/w")
        assert status == 200
        _, created = await api.post(CMS, configmap("next"))
        assert int(created["metadata"]["resourceVersion"]) > rv


async def test_namespace_deletion_terminates_then_removes_content(api: ApiClient) -> None:
    await api.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tmp"}})
    await api.post("/api/v1/namespaces/tmp/configmaps", configmap("a"))
    held = configmap("held")
    held["metadata"]["finalizers"] = ["example.com/hold"]
    await api.post("/api/v1/namespaces/tmp/configmaps", held)
    status, ns = await api.delete("/api/v1/namespaces/tmp")
    assert status == 200 and ns["status"]["phase"] == "Terminating"
    status, err = await api.post("/api/v1/namespaces/tmp/configmaps", configmap("new"))
    assert status == 403 and err["reason"] == "Forbidden"
    await asyncio.sleep(0.3)
    status, _ = await api.get("/api/v1/namespaces/tmp/configmaps/a")
    assert status == 404
    status, ns = await api.get("/api/v1/namespaces/tmp")
    assert status == 200  # held by the object that still has a finalizer
    _, h = await api.get("/api/v1/namespaces/tmp/configmaps/held")
    h["metadata"]["finalizers"] = []
    await api.put("/api/v1/namespaces/tmp/configmaps/held", h)
    for _ in range(100):
        status, _ = await api.get("/api/v1/namespaces/tmp")
        if status == 404:
            break
        await asyncio.sleep(0.02)
    assert status == 404


async def test_initial_namespaces_exist(api: ApiClient) -> None:
    _, listed = await api.get("/api/v1/namespaces")
    names = {n["metadata"]["name"] for n in listed["items"]}
    assert {"default", "kube-system", "kube-public"} <= names


async def test_system_namespaces_cannot_be_deleted(api: ApiClient) -> None:
    status, body = await api.delete("/api/v1/namespaces/default")
    assert status == 403 and body["reason"] == "Forbidden"
    assert body["message"] == 'namespaces "default" is forbidden: this namespace may not be deleted'


async def test_devserver_factory_starts_configured_servers(devserver_factory: DevServerFactory, tmp_path: Path) -> None:
    server = await devserver_factory(state_dir=tmp_path / "s", simulation=True)
    assert server.url.startswith("http://") and (tmp_path / "s" / "state.db").exists()


async def test_openapi_documents_in_media_types_nobody_serves_are_not_acceptable(api: ApiClient) -> None:
    status, body = await api.get("/openapi/v2", headers={"Accept": "text/html"})
    assert status == 406 and body["reason"] == "NotAcceptable"
