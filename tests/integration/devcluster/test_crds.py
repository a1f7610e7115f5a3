"""CustomResourceDefinitions: serving, conditions, schema validation/defaulting/pruning, CEL rules,
and teardown."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.integration.conftest import ApiClient
from tests.integration.devcluster.builders import widget, widget_crd

CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
WIDGETS = "/apis/example.com/v1/namespaces/default/widgets"


async def _established(api: ApiClient, name: str = "widgets.example.com", timeout: float = 1.0) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        status, crd = await api.get(f"{CRDS}/{name}")
        assert status == 200, crd
        conds = {c["type"]: c["status"] for c in (crd.get("status") or {}).get("conditions", [])}
        if conds.get("Established") == "True":
            return crd
        assert asyncio.get_running_loop().time() < deadline, crd
        await asyncio.sleep(0.02)


async def test_crd_is_served_and_established_within_a_second(api: ApiClient) -> None:
    status, created = await api.post(CRDS, widget_crd())
    assert status == 201
    # the create answer: no conditions yet, as kube-apiserver writes the Go type's nil slice
    assert created["status"] == {"conditions": None, "acceptedNames": {"plural": "", "kind": ""}, "storedVersions": ["v1"]}
    crd = await _established(api)
    conds = {c["type"]: c for c in crd["status"]["conditions"]}
    assert conds["NamesAccepted"]["status"] == "True"
    assert crd["status"]["acceptedNames"]["kind"] == "Widget"
    assert crd["status"]["storedVersions"] == ["v1"]
    status, created = await api.post(WIDGETS, widget("w1"))
    assert status == 201, created
    status, listed = await api.get(WIDGETS)
    assert status == 200 and listed["kind"] == "WidgetList" and len(listed["items"]) == 1


async def test_schema_defaulting_pruning_and_preserved_fields(api: ApiClient) -> None:
    status, body = await api.post(CRDS, widget_crd())
    assert status == 201, body
    await _established(api)
    body = widget("w", extra={"anything": {"goes": 1}}, port="http")
    body["spec"]["unknown"] = True
    status, created = await api.post(WIDGETS, body, params={"fieldValidation": "Ignore"})
    assert status == 201, created
    assert created["spec"]["replicas"] == 1  # defaulted
    assert "unknown" not in created["spec"]  # pruned
    assert created["spec"]["extra"] == {"anything": {"goes": 1}}
    status, err = await api.post(WIDGETS, {**body, "metadata": {"name": "w2"}}, params={"fieldValidation": "Strict"})
    assert status == 400
    assert err["message"] == 'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.unknown"'


async def test_structural_validation_reports_causes(api: ApiClient) -> None:
    status, body = await api.post(CRDS, widget_crd())
    assert status == 201, body
    await _established(api)
    bad = widget("bad", replicas="three", name="ABC", tags=["a", "b", "c"])
    bad["spec"]["size"] = "huge"
    status, err = await api.post(WIDGETS, bad)
    assert status == 422 and err["reason"] == "Invalid"
    assert err["details"]["kind"] == "Widget" and err["details"]["group"] == "example.com"
    causes = {c["field"]: c["reason"] for c in err["details"]["causes"]}
    assert causes == {
        "spec.size": "FieldValueNotSupported",
        "spec.replicas": "FieldValueTypeInvalid",
        "spec.name": "FieldValueInvalid",
        "spec.tags": "FieldValueTooMany",
        "<nil>": "FieldValueInvalid",  # rules are not checked on mistyped data
    }
    assert err["message"].startswith('Widget.example.com "bad" is invalid: [')
    missing = widget("m")
    del missing["spec"]["size"]
    status, err = await api.post(WIDGETS, missing)
    assert status == 422
    assert err["details"]["causes"] == [{"reason": "FieldValueRequired", "message": "Required value", "field": "spec.size"}]


async def test_cel_rules_and_transition_rules(api: ApiClient) -> None:
    status, body = await api.post(CRDS, widget_crd())
    assert status == 201, body
    await _established(api)
    status, err = await api.post(WIDGETS, widget("big", replicas=11))
    assert status == 422
    assert err["details"]["causes"][0]["message"] == 'Invalid value: "object": replicas must be at most 10'
    _, w = await api.post(WIDGETS, widget("w", replicas=2))
    w["spec"]["size"] = "large"
    status, err = await api.put(f"{WIDGETS}/w", w)
    assert status == 422
    assert err["details"]["causes"][0]["reason"] == "FieldValueForbidden"
    assert "size is immutable" in err["message"]


async def test_crd_with_rule_that_does_not_compile_is_refused(api: ApiClient) -> None:
    crd = widget_crd()
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["x-kubernetes-validations"] = [{"rule": "self.replicas <"}]
    status, err = await api.post(CRDS, crd)
    assert status == 422 and "x-kubernetes-validations[0].rule" in err["details"]["causes"][0]["field"]


async def test_invalid_crd_is_refused(api: ApiClient) -> None:
    crd = widget_crd()
    crd["metadata"]["name"] = "wrong.example.com"
    status, err = await api.post(CRDS, crd)
    assert status == 422 and err["details"]["causes"][0]["field"] == "metadata.name"


async def test_status_subresource_of_custom_resource(api: ApiClient) -> None:
    status, body = await api.post(CRDS, widget_crd())
    assert status == 201, body
    await _established(api)
    _, w = await api.post(WIDGETS, widget("w"))
    w["status"] = {"ready": True}
    status, st = await api.put(f"{WIDGETS}/w/status", w)
    assert status == 200 and st["status"] == {"ready": True}
    assert st["metadata"]["generation"] == 1
    st["spec"]["replicas"] = 3
    _, main = await api.put(f"{WIDGETS}/w", st)
    assert main["metadata"]["generation"] == 2 and main["status"] == {"ready": True}


async def test_table_uses_printer_columns(api: ApiClient) -> None:
    status, body = await api.post(CRDS, widget_crd())
    assert status == 201, body
    await _established(api)
    await api.post(WIDGETS, widget("w", size="large"))
    status, table = await api.get(WIDGETS, headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})
    assert status == 200 and table["kind"] == "Table"
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Size"]  # no Age unless declared
    assert table["rows"][0]["cells"][:2] == ["w", "large"]


async def test_deleting_the_crd_removes_its_objects_and_endpoints(api: ApiClient) -> None:
    status, body = await api.post(CRDS, widget_crd())
    assert status == 201, body
    await _established(api)
    await api.post(WIDGETS, widget("w"))
    status, _ = await api.delete(f"{CRDS}/widgets.example.com")
    assert status in (200, 202)
    for _ in range(100):
        status, _ = await api.get(f"{CRDS}/widgets.example.com")
        if status == 404:
            break
        await asyncio.sleep(0.02)
    assert status == 404
    status, body = await api.get(WIDGETS)
    assert status == 404 and body["kind"] == "Status"
    # Re-creating it starts empty.
    status, body = await api.post(CRDS, widget_crd())
    assert status == 201, body
    await _established(api)
    _, listed = await api.get(WIDGETS)
    assert listed["items"] == []


async def test_cluster_scoped_custom_resource(api: ApiClient) -> None:
    await api.post(CRDS, widget_crd(scope="Cluster"))
    await _established(api)
    status, created = await api.post("/apis/example.com/v1/widgets", widget("c"))
    assert status == 201 and "namespace" not in created["metadata"]
    status, _ = await api.get(f"{WIDGETS}/c")
    assert status == 404


async def test_custom_resources_refuse_unconditional_updates(api: ApiClient) -> None:
    await api.post(CRDS, widget_crd())
    await _established(api)
    _, w = await api.post(WIDGETS, widget("w"))
    del w["metadata"]["resourceVersion"]
    status, err = await api.put(f"{WIDGETS}/w", w)
    assert status == 422
    assert err["details"]["causes"][0]["field"] == "metadata.resourceVersion"
