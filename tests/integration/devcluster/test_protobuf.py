"""Kubernetes protobuf over real HTTP: request bodies of built-in kinds are read, responses are JSON
for clients that accept JSON and protobuf for clients that accept only protobuf, and custom
resources (which have no protobuf encoding) get kube-apiserver's 400 / 406."""

from __future__ import annotations

import asyncio

from kro.devcluster.codec import protobuf
from tests.integration.conftest import ApiClient
from tests.integration.devcluster.builders import widget, widget_crd

PB = "application/vnd.kubernetes.protobuf"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def _deployment() -> dict[str, object]:
    labels = {"app": "web"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": labels},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}},
        },
    }


async def test_a_protobuf_create_is_stored_like_the_json_one(api: ApiClient) -> None:
    body = protobuf.encode_object(_deployment())
    status, created = await api.request(
        "POST", "/apis/apps/v1/namespaces/default/deployments", data=body,
        headers={"Content-Type": PB, "Accept": f"{PB}, application/json"},
    )
    assert status == 201, created
    assert created["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert created["spec"]["replicas"] == 2
    status, got = await api.get("/apis/apps/v1/namespaces/default/deployments/web")
    assert status == 200 and got["metadata"]["uid"] == created["metadata"]["uid"]


async def test_a_protobuf_update_replaces_the_object(api: ApiClient) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}}
    assert (await api.post("/api/v1/namespaces/default/configmaps", cm))[0] == 201
    cm["data"] = {"a": "2"}
    status, updated = await api.request(
        "PUT", "/api/v1/namespaces/default/configmaps/c", data=protobuf.encode_object(cm), headers={"Content-Type": PB},
    )
    assert status == 200, updated
    assert updated["data"] == {"a": "2"}


async def test_a_protobuf_only_client_gets_protobuf(api: ApiClient) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "p"}, "data": {"k": "v"}}
    assert (await api.post("/api/v1/namespaces/default/configmaps", cm))[0] == 201
    url = api.server.url + "/api/v1/namespaces/default/configmaps/p"
    headers = {"Authorization": f"Bearer {api.server.token}", "Accept": PB}
    async with api.session.get(url, headers=headers) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == PB
        decoded = protobuf.decode_object(await resp.read())
    assert decoded["data"] == {"k": "v"} and decoded["metadata"]["name"] == "p"
    async with api.session.get(api.server.url + "/api/v1/namespaces/default/configmaps", headers=headers) as resp:
        assert resp.status == 200
        listed = protobuf.decode_object(await resp.read())
    assert listed["kind"] == "ConfigMapList"
    assert "p" in [item["metadata"]["name"] for item in listed["items"]]


async def test_custom_resources_have_no_protobuf_encoding(api: ApiClient) -> None:
    assert (await api.post(CRDS, widget_crd()))[0] == 201
    path = "/apis/example.com/v1/namespaces/default/widgets"
    for _ in range(50):
        status, _ = await api.get(path)
        if status == 200:
            break
        await asyncio.sleep(0.02)
    fake = protobuf.MAGIC + b"\x0a\x00"
    status, body = await api.request("POST", path, data=fake, headers={"Content-Type": PB})
    assert status == 400 and body["reason"] == "BadRequest"
    assert body["message"] == (
        'Widget in version "v1" cannot be handled as a Widget: object *unstructured.Unstructured does not implement '
        "the protobuf marshalling interface and cannot be encoded to a protobuf message")
    assert (await api.post(path, widget("w1")))[0] == 201
    status, body = await api.get(f"{path}/w1", headers={"Accept": PB})
    assert status == 406 and body["reason"] == "NotAcceptable"
    assert "*unstructured.Unstructured does not implement the protobuf marshalling interface" in body["message"]
    status, body = await api.get(path, headers={"Accept": PB})
    assert status == 406 and "*unstructured.UnstructuredList" in body["message"]


async def test_a_malformed_protobuf_body_is_400(api: ApiClient) -> None:
    status, body = await api.request(
        "POST", "/api/v1/namespaces/default/configmaps", data=protobuf.MAGIC + b"\x12\xff", headers={"Content-Type": PB},
    )
    assert status == 400 and body["reason"] == "BadRequest"
    assert body["message"].startswith('ConfigMap in version "v1" cannot be handled as a ConfigMap: ')


async def test_an_accept_header_with_nothing_the_server_speaks_is_406(api: ApiClient) -> None:
    status, body = await api.get("/api/v1/namespaces", headers={"Accept": "text/csv"})
    assert status == 406 and body["reason"] == "NotAcceptable"
