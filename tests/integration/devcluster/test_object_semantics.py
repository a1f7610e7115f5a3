"""Object semantics that must match kube-apiserver exactly: generation, DELETE answers, request
options, unknown fields and error bodies, all over real HTTP."""

from __future__ import annotations

import copy
from typing import Any

from tests.integration.conftest import ApiClient
from tests.integration.devcluster.builders import configmap, deployment, widget_crd

CMS = "/api/v1/namespaces/default/configmaps"
DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"
WIDGETS = "/apis/example.com/v1/namespaces/default/widgets"


async def _widgets(api: ApiClient) -> None:
    status, body = await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", widget_crd())
    assert status == 201, body
    for _ in range(100):
        status, _ = await api.get(WIDGETS)
        if status == 200:
            return
    raise AssertionError("the widgets CRD was never served")


async def test_generation_only_for_kinds_whose_strategy_sets_it(api: ApiClient) -> None:
    _, cm = await api.post(CMS, configmap("plain", {"a": "1"}))
    assert "generation" not in cm["metadata"]
    cm["data"] = {"a": "2"}
    _, cm = await api.put(f"{CMS}/plain", cm)
    assert "generation" not in cm["metadata"]
    _, secret = await api.post("/api/v1/namespaces/default/secrets", {"metadata": {"name": "s"}, "stringData": {"k": "v"}})
    assert "generation" not in secret["metadata"]
    _, svc = await api.post("/api/v1/namespaces/default/services", {"metadata": {"name": "svc"}, "spec": {"ports": [{"port": 80}]}})
    assert "generation" not in svc["metadata"]
    _, deploy = await api.post(DEPLOYS, deployment("web"))
    assert deploy["metadata"]["generation"] == 1


async def test_generation_moves_only_when_the_spec_really_changes(api: ApiClient) -> None:
    _, created = await api.post(DEPLOYS, deployment("web"))
    # The same spec in another key order, without the defaults the server filled in, plus a new label.
    same = deployment("web")
    same["spec"] = dict(reversed(list(same["spec"].items())))
    same["metadata"]["labels"] = {"team": "a"}
    status, updated = await api.put(f"{DEPLOYS}/web", same)
    assert status == 200 and updated["metadata"]["generation"] == 1
    assert updated["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"]
    # A Deployment's annotations are copied to its ReplicaSets: changing them bumps the generation.
    same["metadata"]["annotations"] = {"note": "x"}
    _, updated = await api.put(f"{DEPLOYS}/web", same)
    assert updated["metadata"]["generation"] == 2
    changed = copy.deepcopy(same)
    changed["spec"]["replicas"] = 3
    _, updated = await api.put(f"{DEPLOYS}/web", changed)
    assert updated["metadata"]["generation"] == 3
    status, patched = await api.patch(f"{DEPLOYS}/web", {"metadata": {"labels": {"team": "b"}}})
    assert status == 200 and patched["metadata"]["generation"] == 3


async def test_custom_resource_generation_ignores_metadata_and_status(api: ApiClient) -> None:
    await _widgets(api)
    body: dict[str, Any] = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": "small"}}
    _, w = await api.post(WIDGETS, body)
    assert w["metadata"]["generation"] == 1
    w["metadata"]["labels"] = {"a": "b"}
    _, w = await api.put(f"{WIDGETS}/w", w)
    assert w["metadata"]["generation"] == 1
    w["status"] = {"ready": True}
    _, w = await api.put(f"{WIDGETS}/w/status", w)
    assert w["metadata"]["generation"] == 1
    w["spec"]["replicas"] = 2
    _, w = await api.put(f"{WIDGETS}/w", w)
    assert w["metadata"]["generation"] == 2


async def test_marking_an_object_deleting_bumps_its_generation(api: ApiClient) -> None:
    body = deployment("held")
    body["metadata"]["finalizers"] = ["example.com/hold"]
    await api.post(DEPLOYS, body)
    status, deleting = await api.delete(f"{DEPLOYS}/held")
    assert status == 200 and deleting["metadata"]["deletionTimestamp"]
    assert deleting["metadata"]["generation"] == 2


async def test_a_new_namespace_gets_its_name_label(api: ApiClient) -> None:
    status, ns = await api.post("/api/v1/namespaces", {"metadata": {"name": "team-a", "labels": {"x": "y"}}})
    assert status == 201
    assert ns["metadata"]["labels"] == {"x": "y", "kubernetes.io/metadata.name": "team-a"}
    assert "generation" not in ns["metadata"]
    ns["metadata"]["labels"] = {}
    _, ns = await api.put("/api/v1/namespaces/team-a", ns)
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team-a"}


async def test_delete_answers_a_success_status_or_the_held_object(api: ApiClient) -> None:
    _, deploy = await api.post(DEPLOYS, deployment("gone"))
    status, body = await api.delete(f"{DEPLOYS}/gone")
    assert status == 200
    assert body == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
        "details": {"name": "gone", "group": "apps", "kind": "deployments", "uid": deploy["metadata"]["uid"]},
    }
    held = configmap("held")
    held["metadata"]["finalizers"] = ["example.com/hold"]
    await api.post(CMS, held)
    status, body = await api.delete(f"{CMS}/held")
    assert status == 200 and body["kind"] == "ConfigMap" and body["metadata"]["deletionTimestamp"]
    assert body["metadata"]["deletionGracePeriodSeconds"] == 0
    # Only an explicit orphanDependents=false that cannot finish at once is 202.
    held["metadata"]["name"] = "held2"
    await api.post(CMS, held)
    status, body = await api.delete(f"{CMS}/held2", {"kind": "DeleteOptions", "apiVersion": "v1", "orphanDependents": False})
    assert status == 202 and body["metadata"]["deletionTimestamp"]


async def test_dry_run_delete_answers_like_a_real_one_and_keeps_the_object(api: ApiClient) -> None:
    _, cm = await api.post(CMS, configmap("dry"))
    status, body = await api.delete(f"{CMS}/dry", params={"dryRun": "All"})
    assert status == 200 and body["status"] == "Success"
    assert body["details"] == {"name": "dry", "kind": "configmaps", "uid": cm["metadata"]["uid"]}
    held = configmap("dry-held")
    held["metadata"]["finalizers"] = ["example.com/hold"]
    await api.post(CMS, held)
    status, body = await api.delete(f"{CMS}/dry-held", {"kind": "DeleteOptions", "apiVersion": "v1", "dryRun": ["All"]})
    assert status == 200 and body["metadata"]["deletionTimestamp"]
    for name in ("dry", "dry-held"):
        status, live = await api.get(f"{CMS}/{name}")
        assert status == 200 and "deletionTimestamp" not in live["metadata"]


async def test_dry_run_values_other_than_all_are_invalid_options(api: ApiClient) -> None:
    await api.post(CMS, configmap("x"))
    cases = [
        ("CreateOptions", api.post(CMS, configmap("y"), params={"dryRun": "Yes"})),
        ("UpdateOptions", api.put(f"{CMS}/x", configmap("x"), params={"dryRun": "Yes"})),
        ("PatchOptions", api.patch(f"{CMS}/x", {"data": {}}, params={"dryRun": "Yes"})),
        ("DeleteOptions", api.delete(f"{CMS}/x", params={"dryRun": "Yes"})),
    ]
    for kind, call in cases:
        status, body = await call
        assert status == 422, (kind, body)
        assert body == {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": f'{kind}.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{{"Yes"}}: supported values: "All"',
            "reason": "Invalid",
            "details": {
                "group": "meta.k8s.io", "kind": kind,
                "causes": [{"reason": "FieldValueNotSupported", "message": 'Unsupported value: []string{"Yes"}: supported values: "All"', "field": "dryRun"}],
            },
            "code": 422,
        }
    status, _ = await api.get(f"{CMS}/x")
    assert status == 200
    status, body = await api.post(CMS, configmap("z"), params={"fieldValidation": "strict"})
    assert status == 422
    assert body["details"]["causes"][0]["message"] == 'Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"'


async def test_delete_collection_answers_the_list_it_deleted(api: ApiClient) -> None:
    for name in ("a", "b"):
        await api.post(CMS, configmap(name, app="x"))
    await api.post(CMS, configmap("c", app="y"))
    status, body = await api.delete(CMS, params={"labelSelector": "app=x"})
    assert status == 200 and body["kind"] == "ConfigMapList" and body["apiVersion"] == "v1"
    assert [i["metadata"]["name"] for i in body["items"]] == ["a", "b"]
    assert "deletionTimestamp" not in body["items"][0]["metadata"]
    _, left = await api.get(CMS, params={"labelSelector": "app"})
    assert [i["metadata"]["name"] for i in left["items"]] == ["c"]


async def test_unknown_fields_without_a_directive_are_dropped_with_a_warning(api: ApiClient) -> None:
    body = deployment("warned")
    body["spec"]["foo"] = 1
    body["spec"]["template"]["spec"]["containers"][0]["bar"] = True
    async with api.session.post(api.server.url + DEPLOYS, json=body, headers={"Authorization": f"Bearer {api.server.token}"}) as resp:
        assert resp.status == 201
        # In the body's order, as Go's decoder meets them.
        assert resp.headers.getall("Warning") == [
            '299 - "unknown field \\"spec.template.spec.containers[0].bar\\""',
            '299 - "unknown field \\"spec.foo\\""',
        ]
        created = await resp.json()
    assert "foo" not in created["spec"] and "bar" not in created["spec"]["template"]["spec"]["containers"][0]
    body["metadata"]["name"] = "strict"
    body["metadata"]["colour"] = "blue"
    status, err = await api.post(DEPLOYS, body, params={"fieldValidation": "Strict"})
    assert status == 400 and err["reason"] == "BadRequest" and "details" not in err
    assert err["message"] == (
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
        'unknown field "metadata.colour", unknown field "spec.template.spec.containers[0].bar", unknown field "spec.foo"'
    )


async def test_error_bodies_match_kube_apiserver(api: ApiClient) -> None:
    status, body = await api.put(CMS, configmap("x"))
    assert status == 405 and body == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "the server does not allow this method on the requested resource",
        "reason": "MethodNotAllowed", "details": {}, "code": 405,
    }
    await api.post(CMS, configmap("x"))
    status, body = await api.request("PATCH", f"{CMS}/x", data="{}", headers={"Content-Type": "text/plain"})
    assert status == 415 and body["message"] == "415: Unsupported Media Type" and body["details"] == {}
    status, body = await api.request("POST", CMS, data="{}", headers={"Content-Type": "text/plain"})
    assert status == 415 and body["reason"] == "UnsupportedMediaType" and "details" not in body
    big = configmap("big", {"k": "x" * (3 * 1024 * 1024)})
    status, body = await api.post(CMS, big)
    assert status == 413 and body == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "Request entity too large: limit is 3145728", "reason": "RequestEntityTooLarge", "code": 413,
    }
    status, body = await api.get("/apis/apps/v1/namespaces/default/deployments/missing")
    assert status == 404 and body["details"] == {"name": "missing", "group": "apps", "kind": "deployments"}
    status, body = await api.get("/api/v1/namespaces/default/nothings")
    assert status == 404 and body["details"] == {} and body["message"] == "the server could not find the requested resource"


async def test_names_are_checked_with_each_kinds_rule(api: ApiClient) -> None:
    rbac = "/apis/rbac.authorization.k8s.io/v1"
    status, role = await api.post(f"{rbac}/clusterroles", {"metadata": {"name": "kro:controller:demo"}, "rules": []})
    assert status == 201, role
    status, body = await api.post(f"{rbac}/namespaces/default/roles", {"metadata": {"name": "a/b%c"}, "rules": []})
    assert status == 422
    assert body["message"] == "Role.rbac.authorization.k8s.io \"a/b%c\" is invalid: [metadata.name: Invalid value: \"a/b%c\": may not contain '/', metadata.name: Invalid value: \"a/b%c\": may not contain '%']"
    status, body = await api.post(f"{rbac}/clusterrolebindings", {
        "metadata": {"name": ".."}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "x"},
    })
    assert status == 422 and body["details"]["causes"] == [
        {"reason": "FieldValueInvalid", "message": "Invalid value: \"..\": may not be '..'", "field": "metadata.name"}
    ]
    status, body = await api.post(CMS, configmap("kro:controller:demo"))
    assert status == 422 and body["details"]["causes"][0]["field"] == "metadata.name"
    assert body["details"]["causes"][0]["message"].startswith('Invalid value: "kro:controller:demo": a lowercase RFC 1123 subdomain')


async def test_owner_reference_errors_name_the_field(api: ApiClient) -> None:
    body = configmap("owned")
    body["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner"}]
    status, err = await api.post(CMS, body)
    assert status == 422
    assert err["message"] == 'ConfigMap "owned" is invalid: metadata.ownerReferences.uid: Invalid value: "": uid must not be empty'
    assert err["details"] == {
        "name": "owned", "kind": "ConfigMap",
        "causes": [{"reason": "FieldValueInvalid", "message": 'Invalid value: "": uid must not be empty', "field": "metadata.ownerReferences.uid"}],
    }


async def test_config_data_over_one_mebibyte_is_too_long(api: ApiClient) -> None:
    status, _ = await api.post(CMS, configmap("fits", {"a": "x" * (1024 * 1024)}))
    assert status == 201
    status, body = await api.post(CMS, configmap("big", {"a": "x" * (1024 * 1024), "b": "y"}))
    assert status == 422
    assert body["message"] == 'ConfigMap "big" is invalid: []: Too long: may not be more than 1048576 bytes'
    assert body["details"]["causes"] == [{"reason": "FieldValueTooLong", "message": "Too long: may not be more than 1048576 bytes", "field": "[]"}]
    secret = {"metadata": {"name": "big"}, "stringData": {"a": "x" * (1024 * 1024 + 1)}}
    status, body = await api.post("/api/v1/namespaces/default/secrets", secret)
    assert status == 422
    assert body["message"] == 'Secret "big" is invalid: data: Too long: may not be more than 1048576 bytes'


async def test_update_managers_own_the_maps_and_items_they_created(api: ApiClient) -> None:
    status, cm = await api.post(CMS, configmap("owned", {"a": "1"}, x="y"), params={"fieldManager": "me"})
    assert status == 201
    [entry] = cm["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["apiVersion"]) == ("me", "Update", "v1")
    assert entry["fieldsV1"] == {"f:data": {".": {}, "f:a": {}}, "f:metadata": {"f:labels": {".": {}, "f:x": {}}}}
    _, deploy = await api.post(DEPLOYS, deployment("web"), params={"fieldManager": "me"})
    fields = deploy["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]
    # The zero Deployment already has spec, strategy and template: no "." for them; rollingUpdate is new.
    assert "." not in fields and "." not in fields["f:strategy"] and "." not in fields["f:template"]
    assert fields["f:strategy"]["f:rollingUpdate"] == {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}}
    assert fields["f:template"]["f:metadata"] == {"f:labels": {".": {}, "f:app": {}}}
    container = fields["f:template"]["f:spec"]["f:containers"]['k:{"name":"app"}']
    assert next(iter(container)) == "." and container["f:resources"] == {}


async def test_status_writes_record_their_subresource(api: ApiClient) -> None:
    await _widgets(api)
    body: dict[str, Any] = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": "small"}}
    _, w = await api.post(WIDGETS, body, params={"fieldManager": "maker"})
    assert w["metadata"]["managedFields"][0]["fieldsV1"] == {"f:spec": {".": {}, "f:replicas": {}, "f:size": {}}}
    applied = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "status": {"ready": True}}
    status, w = await api.patch(f"{WIDGETS}/w/status", applied, "application/apply-patch+yaml", params={"fieldManager": "reporter"})
    assert status == 200 and w["status"] == {"ready": True}
    entries = {e["manager"]: e for e in w["metadata"]["managedFields"]}
    assert entries["reporter"] == {
        "manager": "reporter", "operation": "Apply", "apiVersion": "example.com/v1", "time": entries["reporter"]["time"],
        "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {"f:ready": {}}}, "subresource": "status",
    }
    w["status"] = {"ready": False}
    _, w = await api.put(f"{WIDGETS}/w/status", w, params={"fieldManager": "writer"})
    entries = {e["manager"]: e for e in w["metadata"]["managedFields"]}
    assert entries["writer"]["operation"] == "Update" and entries["writer"]["subresource"] == "status"
    assert entries["writer"]["fieldsV1"] == {"f:status": {"f:ready": {}}}
    assert "reporter" not in entries  # the update took its only field


async def test_events_are_one_resource_in_two_api_versions(api: ApiClient) -> None:
    modern = {
        "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "web.1"},
        "eventTime": "2026-01-01T00:00:00.000000Z", "reportingController": "example.com/ctl", "reportingInstance": "ctl-1",
        "action": "Scale", "reason": "Scaled", "type": "Normal", "note": "scaled to 3",
        "regarding": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": "default"},
    }
    status, created = await api.post("/apis/events.k8s.io/v1/namespaces/default/events", modern)
    assert status == 201, created
    assert created["note"] == "scaled to 3" and created["regarding"]["name"] == "web" and "message" not in created
    status, core = await api.get("/api/v1/namespaces/default/events/web.1")
    assert status == 200 and core["apiVersion"] == "v1"
    assert core["message"] == "scaled to 3" and core["involvedObject"]["kind"] == "Deployment"
    assert core["reportingComponent"] == "example.com/ctl" and core["reportingInstance"] == "ctl-1"
    assert (core["source"], core["firstTimestamp"], core["lastTimestamp"]) == ({}, None, None)
    assert "note" not in core and "regarding" not in core
    legacy = {
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": "web.2"},
        "involvedObject": {"kind": "Pod", "name": "web-0", "namespace": "default"},
        "reason": "Started", "message": "started container", "type": "Normal", "count": 2,
        "source": {"component": "kubelet"}, "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:01:00Z",
    }
    status, _ = await api.post("/api/v1/namespaces/default/events", legacy)
    assert status == 201
    status, listed = await api.get("/apis/events.k8s.io/v1/namespaces/default/events")
    assert status == 200
    by_name = {e["metadata"]["name"]: e for e in listed["items"]}
    assert set(by_name) == {"web.1", "web.2"}
    assert by_name["web.2"]["note"] == "started container" and by_name["web.2"]["deprecatedCount"] == 2
    assert by_name["web.2"]["deprecatedSource"] == {"component": "kubelet"}
    assert by_name["web.2"]["deprecatedLastTimestamp"] == "2026-01-01T00:01:00Z" and by_name["web.2"]["eventTime"] is None
    _, core_list = await api.get("/api/v1/namespaces/default/events")
    assert {e["metadata"]["name"] for e in core_list["items"]} == {"web.1", "web.2"}
    # Updates and deletes through either version reach the same object.
    modern_event = created
    modern_event["note"] = "scaled to 4"
    status, updated = await api.put("/apis/events.k8s.io/v1/namespaces/default/events/web.1", modern_event)
    assert status == 200 and updated["note"] == "scaled to 4", updated
    _, core = await api.get("/api/v1/namespaces/default/events/web.1")
    assert core["message"] == "scaled to 4"
    core["message"] = "scaled to 5"
    status, _ = await api.put("/api/v1/namespaces/default/events/web.1", core)
    assert status == 200
    _, again = await api.get("/apis/events.k8s.io/v1/namespaces/default/events/web.1")
    assert again["note"] == "scaled to 5" and again["reportingController"] == "example.com/ctl"
    status, _ = await api.delete("/api/v1/namespaces/default/events/web.1")
    assert status == 200
    status, _ = await api.get("/apis/events.k8s.io/v1/namespaces/default/events/web.1")
    assert status == 404


def _crd_with(schema: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"name": "gizmos.example.com"}, "spec": {
        "group": "example.com", "scope": "Namespaced", "names": {"plural": "gizmos", "kind": "Gizmo"},
        "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}],
    }}


async def test_crds_with_invalid_schemas_are_refused_with_kube_apiserver_causes(api: ApiClient) -> None:
    crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    base = "spec.versions[0].schema.openAPIV3Schema"
    status, body = await api.post(crds, _crd_with({"type": "object", "properties": {
        "spec": {"properties": {"size": {"type": "text"}, "tags": {"type": "array"}}},
    }}))
    assert status == 422, body
    assert body["details"]["causes"] == [
        {"reason": "FieldValueNotSupported", "field": f"{base}.properties[spec].properties[size].type",
         "message": 'Unsupported value: "text": supported values: "array", "boolean", "integer", "number", "object", "string"'},
        {"reason": "FieldValueRequired", "field": f"{base}.properties[spec].properties[tags].items", "message": "Required value: must be specified"},
        {"reason": "FieldValueRequired", "field": f"{base}.properties[spec].type", "message": "Required value: must not be empty for specified object fields"},
    ]
    status, body = await api.post(crds, _crd_with({"type": "string"}))
    assert status == 422
    assert body["message"] == (
        'CustomResourceDefinition.apiextensions.k8s.io "gizmos.example.com" is invalid: '
        f'{base}.type: Invalid value: "string": must be object at the root'
    )
    status, body = await api.post(crds, _crd_with({"type": "object", "properties": {
        "metadata": {"type": "object", "properties": {"labels": {"type": "object"}}},
        "port": {"type": "string", "x-kubernetes-int-or-string": True},
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": False},
    }}))
    assert status == 422
    assert [(c["field"], c["message"]) for c in body["details"]["causes"]] == [
        (f"{base}.properties[port].type", 'Invalid value: "string": must be empty if x-kubernetes-int-or-string is true'),
        (f"{base}.properties[free].x-kubernetes-preserve-unknown-fields", "Invalid value: false: must be true or undefined"),
        (f"{base}.properties[metadata]", "Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified"),
    ]
    status, body = await api.post(crds, _crd_with({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "x": {"type": "string"}}, "additionalProperties": {"type": "string"}}}}))
    assert status == 422 and body["details"]["causes"][0]["message"] == "Forbidden: additionalProperties and properties are mutual exclusive"
