"""Lists as kube-apiserver serves them: item shape, paging from one snapshot, continue tokens,
resourceVersion matching, remainingItemCount and per-kind field selectors."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import aiohttp

from tests.integration.conftest import ApiClient, DevServerFactory
from tests.integration.devcluster.builders import configmap, widget, widget_crd

CMS = "/api/v1/namespaces/default/configmaps"
ALL_CMS = "/api/v1/configmaps"
PODS = "/api/v1/namespaces/default/pods"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
WIDGETS = "/apis/example.com/v1/namespaces/default/widgets"


async def crd_served(api: ApiClient, crd: dict[str, Any]) -> None:
    status, body = await api.post(CRDS, crd)
    assert status == 201, body
    for _ in range(100):
        status, _ = await api.get(WIDGETS)
        if status == 200:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("CRD not served")


def token(meta: dict[str, Any]) -> dict[str, Any]:
    raw = meta["continue"]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    return decoded


async def names(api: ApiClient, path: str, **params: str) -> list[str]:
    status, body = await api.get(path, params=params)
    assert status == 200, body
    return [o["metadata"]["name"] for o in body["items"]]


async def test_list_items_have_kind_only_for_custom_resources(api: ApiClient) -> None:
    await api.post(CMS, configmap("a"))
    _, listed = await api.get(CMS)
    assert (listed["kind"], listed["apiVersion"]) == ("ConfigMapList", "v1")
    assert listed["items"] and all("kind" not in i and "apiVersion" not in i for i in listed["items"])
    _, one = await api.get(f"{CMS}/a")
    assert (one["kind"], one["apiVersion"]) == ("ConfigMap", "v1")  # single objects keep them

    await crd_served(api, widget_crd())
    await api.post(WIDGETS, widget("w"))
    _, crs = await api.get(WIDGETS)
    assert [(i["kind"], i["apiVersion"]) for i in crs["items"]] == [("Widget", "example.com/v1")]

    _, partial = await api.get(CMS, headers={"Accept": "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"})
    assert {(i["kind"], i["apiVersion"]) for i in partial["items"]} == {("PartialObjectMetadata", "meta.k8s.io/v1")}
    _, table = await api.get(CMS, params={"includeObject": "Object"}, headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})
    assert table["rows"][0]["object"]["kind"] == "ConfigMap"


async def test_paged_list_is_one_snapshot_with_kube_apiserver_tokens(api: ApiClient) -> None:
    for i in range(5):
        await api.post(CMS, configmap(f"c{i}", {"v": "old"}))
    status, first = await api.get(CMS, params={"limit": "2"})
    assert status == 200 and [o["metadata"]["name"] for o in first["items"]] == ["c0", "c1"]
    rv = first["metadata"]["resourceVersion"]
    assert first["metadata"]["remainingItemCount"] == 4  # c2, c3, c4 and the namespace's kube-root-ca.crt
    assert token(first["metadata"]) == {"v": "meta.k8s.io/v1", "rv": int(rv), "start": "c1\x00"}

    # Changes after the first page do not show in the next ones.
    _, c2 = await api.get(f"{CMS}/c2")
    c2["data"] = {"v": "new"}
    await api.put(f"{CMS}/c2", c2)
    await api.delete(f"{CMS}/c3")
    await api.post(CMS, configmap("c3a"))
    status, second = await api.get(CMS, params={"limit": "2", "continue": first["metadata"]["continue"]})
    assert status == 200, second
    assert [(o["metadata"]["name"], o["data"]["v"]) for o in second["items"]] == [("c2", "old"), ("c3", "old")]
    assert second["metadata"]["resourceVersion"] == rv
    assert token(second["metadata"])["rv"] == int(rv)
    _, last = await api.get(CMS, params={"limit": "2", "continue": second["metadata"]["continue"]})
    assert [o["metadata"]["name"] for o in last["items"]] == ["c4", "kube-root-ca.crt"]
    assert "continue" not in last["metadata"] and "remainingItemCount" not in last["metadata"]

    # Across namespaces the key is <namespace>/<name>.
    _, everywhere = await api.get(ALL_CMS, params={"limit": "1"})
    assert token(everywhere["metadata"])["start"].endswith("\x00") and "/" in token(everywhere["metadata"])["start"]


async def test_remaining_item_count_is_absent_with_selectors(api: ApiClient) -> None:
    for i in range(4):
        await api.post(CMS, configmap(f"s{i}", app="x"))
    for params in ({"labelSelector": "app=x"}, {"fieldSelector": "metadata.namespace=default"}):
        _, page = await api.get(CMS, params={"limit": "1", **params})
        assert page["metadata"]["continue"] and "remainingItemCount" not in page["metadata"], params
    _, plain = await api.get(CMS, params={"limit": "1"})
    assert plain["metadata"]["remainingItemCount"] >= 3


async def test_an_expired_continue_token_is_410_with_a_token_to_go_on(devserver_factory: DevServerFactory) -> None:
    server = await devserver_factory(watch_window=5)
    async with aiohttp.ClientSession() as session:
        api = ApiClient(server, session)
        for i in range(4):
            await api.post(CMS, configmap(f"e{i}"))
        _, first = await api.get(CMS, params={"limit": "2"})
        for i in range(10):  # push the first page's version out of the history
            await api.post(CMS, configmap(f"z{i}"))
        status, gone = await api.get(CMS, params={"limit": "2", "continue": first["metadata"]["continue"]})
        assert status == 410 and gone["reason"] == "Expired", gone
        assert gone["message"].startswith("The provided continue parameter is too old to display a consistent list result.")
        fresh = token(gone["metadata"])
        assert fresh["rv"] == -1 and fresh["start"] == token(first["metadata"])["start"]
        status, rest = await api.get(CMS, params={"limit": "100", "continue": gone["metadata"]["continue"]})
        assert status == 200 and [o["metadata"]["name"] for o in rest["items"]][:2] == ["e2", "e3"]
        assert "z9" in [o["metadata"]["name"] for o in rest["items"]]  # the latest state: inconsistent, as announced


async def test_continue_and_resource_version_options_are_checked(api: ApiClient) -> None:
    await api.post(CMS, configmap("a"))
    await api.post(CMS, configmap("b"))
    status, body = await api.get(CMS, params={"continue": "not-a-token"})
    assert status == 400 and body["message"].startswith("invalid continue token: continue key is not valid")
    status, body = await api.get(CMS, params={"resourceVersionMatch": "Exact"})
    assert status == 422 and body["reason"] == "Invalid"
    assert body["message"] == (
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: '
        "resourceVersionMatch is forbidden unless resourceVersion is provided"
    )
    assert body["details"]["causes"][0]["field"] == "resourceVersionMatch"
    _, page = await api.get(CMS, params={"limit": "1"})
    status, body = await api.get(CMS, params={"continue": page["metadata"]["continue"], "resourceVersion": "5"})
    assert status == 400 and body["message"] == "specifying resource version is not allowed when using continue"
    status, body = await api.get(CMS, params={"resourceVersion": "999999", "resourceVersionMatch": "NotOlderThan"})
    assert status == 504 and body["reason"] == "Timeout"
    assert body["message"].startswith("Timeout: Too large resource version: 999999, current: ")
    assert body["details"]["causes"] == [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}]


async def test_exact_resource_version_lists_the_past(api: ApiClient) -> None:
    _, a = await api.post(CMS, configmap("a", {"v": "1"}))
    rv = a["metadata"]["resourceVersion"]
    a["data"] = {"v": "2"}
    await api.put(f"{CMS}/a", a)
    await api.post(CMS, configmap("later"))
    status, past = await api.get(CMS, params={"resourceVersion": rv, "resourceVersionMatch": "Exact"})
    assert status == 200 and past["metadata"]["resourceVersion"] == rv
    assert [(o["metadata"]["name"], o["data"].get("v")) for o in past["items"]] == [("a", "1"), ("kube-root-ca.crt", None)]
    _, now = await api.get(CMS, params={"resourceVersion": rv, "resourceVersionMatch": "NotOlderThan"})
    assert sorted(o["metadata"]["name"] for o in now["items"]) == ["a", "kube-root-ca.crt", "later"]


def pod(name: str, node: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"nodeName": node, "containers": [{"name": "c", "image": "nginx"}], **spec},
    }


async def test_field_selectors_only_on_each_kinds_fields(api: ApiClient) -> None:
    await api.post(PODS, pod("p1", "node-a"))
    await api.post(PODS, pod("p2", "node-b", restartPolicy="Never"))
    assert await names(api, PODS, fieldSelector="spec.nodeName=node-a") == ["p1"]
    assert await names(api, PODS, fieldSelector="spec.restartPolicy=Never,metadata.name!=p1") == ["p2"]
    assert await names(api, PODS, fieldSelector="spec.host=node-b") == ["p2"]  # the old name of spec.nodeName
    assert await names(api, PODS, fieldSelector="spec.hostNetwork=false") == ["p1", "p2"]  # unset reads as false
    status, body = await api.get(PODS, params={"fieldSelector": "spec.containers=x"})
    assert (status, body["reason"], body["message"]) == (400, "BadRequest", "field label not supported: spec.containers")

    status, body = await api.get(CMS, params={"fieldSelector": "data.k=v"})
    assert status == 400
    assert body["message"] == '"data.k" is not a known field selector: only "metadata.name", "metadata.namespace"'

    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "type": "kubernetes.io/basic-auth",
              "stringData": {"username": "u", "password": "p"}}
    await api.post("/api/v1/namespaces/default/secrets", secret)
    assert await names(api, "/api/v1/namespaces/default/secrets", fieldSelector="type=kubernetes.io/basic-auth") == ["s"]
    assert "default" in await names(api, "/api/v1/namespaces", fieldSelector="status.phase=Active")
    status, body = await api.get("/api/v1/namespaces", params={"fieldSelector": "metadata.namespace=x"})
    assert status == 400 and body["message"] == "field label not supported: metadata.namespace"

    event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1"}, "reason": "Started", "type": "Normal",
             "involvedObject": {"kind": "Pod", "name": "p1", "namespace": "default"}, "source": {"component": "kubelet"}}
    await api.post("/api/v1/namespaces/default/events", event)
    events = "/api/v1/namespaces/default/events"
    assert await names(api, events, fieldSelector="involvedObject.name=p1,involvedObject.kind=Pod,source=kubelet") == ["e1"]

    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
           "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}
    await api.post("/apis/batch/v1/namespaces/default/jobs", job)
    assert await names(api, "/apis/batch/v1/namespaces/default/jobs", fieldSelector="status.successful=0") == ["j"]
    status, body = await api.get("/apis/apps/v1/namespaces/default/replicasets", params={"fieldSelector": "status.replicas=1"})
    assert status == 400 and body["message"].startswith('"status.replicas" is not a known field selector')


async def test_custom_resources_select_on_metadata_and_their_selectable_fields(api: ApiClient) -> None:
    crd = widget_crd()
    crd["spec"]["versions"][0]["selectableFields"] = [{"jsonPath": ".spec.size"}]
    await crd_served(api, crd)
    await api.post(WIDGETS, widget("small-one"))
    await api.post(WIDGETS, widget("big-one", size="large"))
    assert await names(api, WIDGETS, fieldSelector="spec.size=large") == ["big-one"]
    assert await names(api, WIDGETS, fieldSelector="metadata.name=small-one") == ["small-one"]
    status, body = await api.get(WIDGETS, params={"fieldSelector": "spec.replicas=1"})
    assert status == 400 and body["message"] == "field label not supported: spec.replicas"
