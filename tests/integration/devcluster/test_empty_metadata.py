"""ObjectMeta's ``omitempty`` fields: kube-apiserver never stores nor answers ``labels: {}``,
``finalizers: []`` or ``null`` there, whatever the write (create, update, every patch type, apply,
status), for built-in kinds and custom resources (coerced through the typed ObjectMeta)."""

from __future__ import annotations

import asyncio
from typing import Any

import yaml

from tests.integration.conftest import ApiClient
from tests.integration.devcluster.builders import configmap, deployment, widget, widget_crd

CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
CMS = "/api/v1/namespaces/default/configmaps"
WIDGETS = "/apis/example.com/v1/namespaces/default/widgets"
EMPTY_META = ("labels", "annotations", "finalizers", "ownerReferences", "managedFields")


async def _widgets(api: ApiClient) -> None:
    status, _ = await api.post(CRDS, widget_crd())
    assert status == 201
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while (await api.get(WIDGETS))[0] != 200:
        assert loop.time() < deadline, "widgets never served"
        await asyncio.sleep(0.02)


def _assert_no_empty_meta(obj: dict[str, Any]) -> None:
    meta = obj["metadata"]
    present = {k: meta[k] for k in EMPTY_META if k in meta and not meta[k]}
    assert present == {}, meta


async def _check_every_write(api: ApiClient, base: str, body: dict[str, Any]) -> None:
    name = body["metadata"]["name"]
    path = f"{base}/{name}"
    body["metadata"].update(labels={"app": "x"}, annotations={"note": "y"}, finalizers=["example.com/hold"])
    status, created = await api.post(base, body)
    assert status == 201, created
    assert created["metadata"]["labels"] == {"app": "x"}

    # A JSON merge patch removing the only label, annotation and finalizer.
    unset = {"metadata": {"labels": {"app": None}, "annotations": {"note": None}, "finalizers": None}}
    status, patched = await api.patch(path, unset)
    assert status == 200, patched
    _assert_no_empty_meta(patched)
    assert not {"labels", "annotations", "finalizers"} & set(patched["metadata"])
    _, got = await api.get(path)
    assert not {"labels", "annotations", "finalizers"} & set(got["metadata"])

    # An update sending empty maps, lists and nulls.
    got["metadata"].update(labels={}, annotations=None, finalizers=[], ownerReferences=[])
    status, updated = await api.put(path, got)
    assert status == 200, updated
    assert not {"labels", "annotations", "finalizers", "ownerReferences"} & set(updated["metadata"])

    # JSON patch and strategic merge patch (a custom resource refuses the latter with 415).
    ops = [{"op": "add", "path": "/metadata/labels", "value": {}}, {"op": "add", "path": "/metadata/annotations", "value": {}}]
    status, jp = await api.patch(path, ops, content_type="application/json-patch+json")
    assert status == 200, jp
    assert not {"labels", "annotations"} & set(jp["metadata"])
    status, smp = await api.patch(path, {"metadata": {"labels": {}}}, content_type="application/strategic-merge-patch+json")
    if base == CMS:
        assert status == 200 and "labels" not in smp["metadata"], smp

    # Server-side apply that owned the only label, then gives it up.
    kind = {k: body[k] for k in ("apiVersion", "kind")}
    owned = {**kind, "metadata": {"name": name, "labels": {"team": "a"}}}
    params = {"fieldManager": "applier"}
    apply_type = {"Content-Type": "application/apply-patch+yaml"}
    status, applied = await api.request("PATCH", path, data=yaml.safe_dump(owned), headers=apply_type, params=params)
    assert status == 200 and applied["metadata"]["labels"] == {"team": "a"}, applied
    released = {**kind, "metadata": {"name": name}}
    status, applied = await api.request("PATCH", path, data=yaml.safe_dump(released), headers=apply_type, params=params)
    assert status == 200 and "labels" not in applied["metadata"], applied
    _assert_no_empty_meta(applied)


async def test_configmap_writes_leave_no_empty_metadata_fields(api: ApiClient) -> None:
    await _check_every_write(api, CMS, configmap("cm"))


async def test_custom_resource_writes_leave_no_empty_metadata_fields(api: ApiClient) -> None:
    await _widgets(api)
    await _check_every_write(api, WIDGETS, widget("w"))


async def test_create_drops_empty_and_null_metadata_fields(api: ApiClient) -> None:
    await _widgets(api)
    empties = {"labels": {}, "annotations": None, "finalizers": [], "ownerReferences": [], "generateName": ""}
    for base, body in ((CMS, configmap("c")), (WIDGETS, widget("c"))):
        body["metadata"].update(empties)
        status, created = await api.post(base, body)
        assert status == 201, created
        assert not set(empties) & set(created["metadata"]), created
        _, got = await api.get(f"{base}/c")
        assert not set(empties) & set(got["metadata"]), got


async def test_status_write_of_custom_resource_keeps_metadata_without_empty_fields(api: ApiClient) -> None:
    await _widgets(api)
    body = widget("s")
    body["metadata"]["labels"] = {}
    _, created = await api.post(WIDGETS, body)
    status, done = await api.patch(f"{WIDGETS}/s/status", {"metadata": {"labels": {}}, "status": {"ready": True}})
    assert status == 200 and done["status"] == {"ready": True}, done
    assert "labels" not in done["metadata"] and "labels" not in created["metadata"]


async def test_embedded_resource_metadata_drops_empty_fields(api: ApiClient) -> None:
    crd = widget_crd()
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    spec["properties"]["template"] = {
        "type": "object",
        "x-kubernetes-embedded-resource": True,
        "x-kubernetes-preserve-unknown-fields": True,
    }
    status, _ = await api.post(CRDS, crd)
    assert status == 201
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while (await api.get(WIDGETS))[0] != 200:
        assert loop.time() < deadline
        await asyncio.sleep(0.02)
    template = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "t", "labels": {}, "annotations": None}}
    status, created = await api.post(WIDGETS, widget("e", template=template))
    assert status == 201, created
    assert created["spec"]["template"]["metadata"] == {"name": "t"}


async def test_pod_template_metadata_drops_empty_fields_but_keeps_its_null_timestamp(api: ApiClient) -> None:
    deploys = "/apis/apps/v1/namespaces/default/deployments"
    body = deployment("web")
    body["spec"]["template"]["metadata"].update(annotations={}, finalizers=[])
    status, created = await api.post(deploys, body)
    assert status == 201, created
    assert created["spec"]["template"]["metadata"] == {"labels": {"app": "web"}, "creationTimestamp": None}
    patch = {"spec": {"template": {"metadata": {"annotations": {"restartedAt": "now"}}}}}
    await api.patch(f"{deploys}/web", patch)
    status, patched = await api.patch(f"{deploys}/web", {"spec": {"template": {"metadata": {"annotations": {"restartedAt": None}}}}})
    assert status == 200 and "annotations" not in patched["spec"]["template"]["metadata"], patched
