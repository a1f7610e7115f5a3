"""Server-side apply: ownership, conflicts, force, removal, keyed lists, sets, atomic nodes, and the
kubectl flows (``--server-side``, client-side then server-side), as the Kubernetes docs describe."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kro.devcluster.patch import (
    LAST_APPLIED,
    ApplyConflictError,
    MalformedPatchError,
    PatchApplyError,
    record_update,
    server_side_apply,
)
from tests.unit.devcluster.patch.builders import (
    T0,
    T1,
    T2,
    configmap,
    containers_of,
    deployment,
    managers,
    schema_of,
)

DEPLOY = schema_of("apps/v1", "Deployment")
CM = schema_of("v1", "ConfigMap")


def apply(live: dict[str, Any] | None, cfg: dict[str, Any], manager: str, *, schema: dict[str, Any] = DEPLOY,
          force: bool = False, now: str = T0, ignored: tuple[str, ...] = ()) -> dict[str, Any]:
    return server_side_apply(live, cfg, schema=schema, manager=manager, now=now, force=force,
                             ignored=ignored).object


def test_create_on_apply_records_the_docs_configmap_field_set() -> None:
    cfg = configmap("test-cm", data={"key": "some value"}, labels={"test-label": "test"})
    result = server_side_apply(None, cfg, schema=CM, manager="kubectl", now=T0)
    assert result.created and result.changed
    entry = managers(result.object)[("kubectl", "Apply")]
    assert entry == {
        "manager": "kubectl",
        "operation": "Apply",
        "apiVersion": "v1",
        "time": T0,
        "fieldsType": "FieldsV1",
        "fieldsV1": {"f:data": {"f:key": {}}, "f:metadata": {"f:labels": {"f:test-label": {}}}},
    }
    assert result.object["data"] == {"key": "some value"}


def test_keyed_list_items_are_members_with_dot_and_atomic_selector_is_a_leaf() -> None:
    obj = apply(None, deployment(replicas=2), "kubectl")
    fields = managers(obj)[("kubectl", "Apply")]["fieldsV1"]
    assert fields["f:spec"]["f:selector"] == {}
    assert fields["f:spec"]["f:replicas"] == {}
    item = fields["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"nginx"}']
    assert item == {".": {}, "f:image": {}, "f:name": {}}


def test_reapplying_the_same_configuration_changes_nothing() -> None:
    first = apply(None, deployment(replicas=2), "kubectl", now=T0)
    again = server_side_apply(first, deployment(replicas=2), schema=DEPLOY, manager="kubectl", now=T1)
    assert not again.changed
    assert again.object == first
    assert managers(again.object)[("kubectl", "Apply")]["time"] == T0


def test_conflict_names_the_other_manager_and_the_field() -> None:
    live = apply(None, deployment(replicas=2), "alice")
    with pytest.raises(ApplyConflictError) as err:
        apply(live, deployment(replicas=5), "bob")
    assert err.value.message == 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas'
    status = err.value.status()
    assert status["code"] == 409 and status["reason"] == "Conflict"
    assert status["details"]["causes"] == [
        {"reason": "FieldManagerConflict", "message": 'conflict with "alice"', "field": ".spec.replicas"}
    ]


def test_same_value_is_shared_ownership_not_a_conflict() -> None:
    live = apply(None, deployment(replicas=2), "alice")
    obj = apply(live, deployment(replicas=2), "bob")
    owners = managers(obj)
    assert "f:replicas" in owners[("alice", "Apply")]["fieldsV1"]["f:spec"]
    assert "f:replicas" in owners[("bob", "Apply")]["fieldsV1"]["f:spec"]
    # Any later change of the shared field conflicts, whoever makes it.
    with pytest.raises(ApplyConflictError, match='"bob"'):
        apply(obj, deployment(replicas=3), "alice")


def test_force_takes_ownership_from_the_other_manager() -> None:
    live = apply(None, deployment(replicas=2), "alice")
    obj = apply(live, deployment(replicas=5), "bob", force=True)
    assert obj["spec"]["replicas"] == 5
    owners = managers(obj)
    assert "f:replicas" not in owners[("alice", "Apply")]["fieldsV1"]["f:spec"]
    assert "f:replicas" in owners[("bob", "Apply")]["fieldsV1"]["f:spec"]


def test_fields_a_manager_stops_applying_are_removed_when_nobody_else_owns_them() -> None:
    live = apply(None, configmap(data={"a": "1", "b": "2"}, labels={"x": "1", "y": "2"}), "kubectl", schema=CM)
    obj = apply(live, configmap(data={"a": "1"}, labels={"x": "1"}), "kubectl", schema=CM)
    assert obj["data"] == {"a": "1"}
    assert obj["metadata"]["labels"] == {"x": "1"}


def test_fields_a_manager_stops_applying_stay_when_another_manager_owns_them() -> None:
    live = apply(None, configmap(data={"a": "1", "b": "2"}), "alice", schema=CM)
    live = apply(live, configmap(data={"b": "2"}), "bob", schema=CM)
    obj = apply(live, configmap(data={"a": "1"}), "alice", schema=CM)
    assert obj["data"] == {"a": "1", "b": "2"}
    assert managers(obj)[("bob", "Apply")]["fieldsV1"] == {"f:data": {"f:b": {}}}


def test_removing_every_field_of_a_map_removes_the_map() -> None:
    live = apply(None, configmap(data={"a": "1"}, labels={"x": "1"}), "kubectl", schema=CM)
    obj = apply(live, configmap(data={"a": "1"}), "kubectl", schema=CM)
    assert "labels" not in obj["metadata"]


def test_fields_set_by_a_plain_create_are_not_removed_by_apply() -> None:
    created = record_update(None, configmap(data={"a": "1", "b": "2"}), schema=CM, manager="kubectl-create", now=T0)
    obj = apply(created, configmap(data={"a": "9"}), "kubectl", schema=CM, force=True)
    obj = apply(obj, configmap(data={}), "kubectl", schema=CM)
    assert obj["data"] == {"b": "2"}


def test_two_managers_share_a_keyed_list() -> None:
    live = apply(None, deployment(containers=[{"name": "app", "image": "app:1"}]), "alice")
    sidecar = deployment(containers=[{"name": "sidecar", "image": "envoy:1"}])
    sidecar["spec"].pop("selector")
    obj = apply(live, sidecar, "bob")
    assert [c["name"] for c in containers_of(obj)] == ["app", "sidecar"]
    bob = managers(obj)[("bob", "Apply")]["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]
    assert list(bob) == ['k:{"name":"sidecar"}']
    # alice re-applies without knowing about the sidecar: it stays, it is bob's.
    obj = apply(obj, deployment(containers=[{"name": "app", "image": "app:2"}]), "alice")
    assert [(c["name"], c["image"]) for c in containers_of(obj)] == [("app", "app:2"), ("sidecar", "envoy:1")]
    # bob stops applying his item: it goes.
    empty = deployment(containers=[])
    empty["spec"].pop("selector")
    obj = apply(obj, empty, "bob")
    assert [c["name"] for c in containers_of(obj)] == ["app"]


def test_field_inside_another_managers_list_item_conflicts() -> None:
    live = apply(None, deployment(containers=[{"name": "app", "image": "app:1"}]), "alice")
    with pytest.raises(ApplyConflictError) as err:
        apply(live, deployment(containers=[{"name": "app", "image": "app:2"}]), "bob")
    assert [c.field for c in err.value.conflicts] == ['.spec.template.spec.containers[name="app"].image']


def test_item_kept_while_another_manager_owns_a_field_in_it() -> None:
    live = apply(None, deployment(containers=[{"name": "app", "image": "app:1"}]), "alice")
    env = deployment(containers=[{"name": "app", "env": [{"name": "MODE", "value": "x"}]}])
    obj = apply(live, env, "bob")
    obj = apply(obj, deployment(containers=[]), "alice")
    (container,) = containers_of(obj)
    assert container == {"name": "app", "env": [{"name": "MODE", "value": "x"}]}


def test_ports_are_keyed_by_container_port_and_defaulted_protocol() -> None:
    ports = [{"containerPort": 80}, {"containerPort": 443, "protocol": "TCP"}]
    obj = apply(None, deployment(containers=[{"name": "app", "image": "a", "ports": ports}]), "kubectl")
    item = managers(obj)[("kubectl", "Apply")]["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]
    port_keys = set(item['k:{"name":"app"}']["f:ports"])
    assert port_keys == {'k:{"containerPort":80,"protocol":"TCP"}', 'k:{"containerPort":443,"protocol":"TCP"}'}


def test_keyed_item_without_its_key_is_rejected_with_its_location() -> None:
    with pytest.raises(PatchApplyError, match=r"\.spec\.template\.spec\.containers: element 0.*'name'"):
        apply(None, deployment(containers=[{"image": "x"}]), "kubectl")


def test_set_lists_are_unioned_between_managers() -> None:
    a = configmap()
    a["metadata"]["finalizers"] = ["example.com/a"]
    live = apply(None, a, "alice", schema=CM)
    b = configmap()
    b["metadata"]["finalizers"] = ["example.com/b"]
    obj = apply(live, b, "bob", schema=CM)
    assert obj["metadata"]["finalizers"] == ["example.com/a", "example.com/b"]
    assert managers(obj)[("bob", "Apply")]["fieldsV1"] == {"f:metadata": {"f:finalizers": {'v:"example.com/b"': {}}}}


def test_atomic_map_is_replaced_whole_and_owned_as_one_field() -> None:
    live = apply(None, deployment(), "alice")
    cfg = deployment()
    cfg["spec"]["selector"] = {"matchLabels": {"app": "web", "tier": "fe"}}
    with pytest.raises(ApplyConflictError, match=r"\.spec\.selector$"):
        apply(live, cfg, "bob")
    obj = apply(live, cfg, "alice")
    assert obj["spec"]["selector"] == {"matchLabels": {"app": "web", "tier": "fe"}}


def test_atomic_list_is_replaced_whole() -> None:
    cfg = deployment(containers=[{"name": "app", "image": "a", "args": ["--a", "--b"]}])
    live = apply(None, cfg, "alice")
    cfg2 = deployment(containers=[{"name": "app", "image": "a", "args": ["--c"]}])
    obj = apply(live, cfg2, "alice")
    assert containers_of(obj)[0]["args"] == ["--c"]


def test_update_then_apply_by_another_manager_conflicts_using_api_version() -> None:
    created = record_update(None, deployment(replicas=1), schema=DEPLOY, manager="kubectl-create", now=T0)
    scaled = json.loads(json.dumps(created))
    scaled["spec"]["replicas"] = 4
    scaled = record_update(created, scaled, schema=DEPLOY, manager="kube-controller-manager", now=T1)
    with pytest.raises(ApplyConflictError) as err:
        apply(scaled, deployment(replicas=2), "kubectl")
    assert err.value.message == (
        'Apply failed with 1 conflict: conflict with "kube-controller-manager" using apps/v1: .spec.replicas'
    )


def test_update_takes_changed_fields_from_the_applier() -> None:
    live = apply(None, deployment(replicas=2), "kubectl")
    scaled = json.loads(json.dumps(live))
    scaled["spec"]["replicas"] = 7
    obj = record_update(live, scaled, schema=DEPLOY, manager="hpa", now=T1)
    owners = managers(obj)
    assert owners[("hpa", "Update")]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    assert owners[("hpa", "Update")]["apiVersion"] == "apps/v1"
    assert "f:replicas" not in owners[("kubectl", "Apply")]["fieldsV1"]["f:spec"]
    # The applier leaving replicas out of its configuration no longer removes them.
    cfg = deployment()
    after = apply(obj, cfg, "kubectl", now=T2)
    assert after["spec"]["replicas"] == 7


def test_applier_that_drops_a_field_hands_it_over_to_the_docs_hpa_flow() -> None:
    live = apply(None, deployment(replicas=3), "kubectl")
    # HPA scales; the user then applies without replicas and keeps HPA in charge.
    scaled = json.loads(json.dumps(live))
    scaled["spec"]["replicas"] = 5
    scaled = record_update(live, scaled, schema=DEPLOY, manager="hpa", now=T1)
    obj = apply(scaled, deployment(), "kubectl", now=T2)
    assert obj["spec"]["replicas"] == 5
    with pytest.raises(ApplyConflictError):
        apply(obj, deployment(replicas=3), "kubectl")


def test_client_side_apply_then_server_side_apply_takes_over_without_conflict() -> None:
    cfg = deployment(replicas=2)
    annotated = json.loads(json.dumps(cfg))
    annotated["metadata"]["annotations"] = {LAST_APPLIED: json.dumps(cfg) + "\n"}
    created = record_update(None, annotated, schema=DEPLOY, manager="kubectl-client-side-apply", now=T0)
    cfg3 = deployment(replicas=3)
    obj = apply(created, cfg3, "kubectl", now=T1)
    assert obj["spec"]["replicas"] == 3
    owners = managers(obj)
    assert "f:replicas" in owners[("kubectl", "Apply")]["fieldsV1"]["f:spec"]
    assert "f:replicas" not in owners[("kubectl-client-side-apply", "Update")]["fieldsV1"]["f:spec"]
    assert json.loads(obj["metadata"]["annotations"][LAST_APPLIED])["spec"]["replicas"] == 3


def test_server_side_takeover_is_limited_to_kubectl_and_last_applied_fields() -> None:
    cfg = deployment(replicas=2)
    annotated = json.loads(json.dumps(cfg))
    annotated["metadata"]["annotations"] = {LAST_APPLIED: json.dumps(cfg)}
    created = record_update(None, annotated, schema=DEPLOY, manager="kubectl-client-side-apply", now=T0)
    with pytest.raises(ApplyConflictError, match="kubectl-client-side-apply"):
        apply(created, deployment(replicas=3), "my-tool")


def test_status_is_ignored_when_the_kind_has_a_status_subresource() -> None:
    live = apply(None, deployment(replicas=1), "kubectl", ignored=("status",))
    live["status"] = {"replicas": 1}
    cfg = deployment(replicas=1)
    cfg["status"] = {"replicas": 99}
    obj = apply(live, cfg, "kubectl", ignored=("status",))
    assert obj["status"] == {"replicas": 1}
    assert "f:status" not in managers(obj)[("kubectl", "Apply")]["fieldsV1"]


def test_custom_resource_schema_lists_without_list_type_are_atomic() -> None:
    crd_schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "hosts": {"type": "array", "items": {"type": "string"}},
                    "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
                    "rules": {
                        "type": "array",
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["host"],
                        "items": {"type": "object", "properties": {"host": {"type": "string"},
                                                                   "port": {"type": "integer"}}},
                    },
                    "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                },
            }
        },
    }
    cfg = {"apiVersion": "ex.com/v1", "kind": "Site", "metadata": {"name": "s"},
           "spec": {"hosts": ["a"], "tags": ["t1"], "rules": [{"host": "a", "port": 1}], "extra": {"x": {"y": 1}}}}
    obj = apply(None, cfg, "m1", schema=crd_schema)
    spec_fields = managers(obj)[("m1", "Apply")]["fieldsV1"]["f:spec"]
    assert spec_fields["f:hosts"] == {}
    assert spec_fields["f:tags"] == {'v:"t1"': {}}
    assert spec_fields["f:rules"] == {'k:{"host":"a"}': {".": {}, "f:host": {}, "f:port": {}}}
    assert spec_fields["f:extra"] == {"f:x": {".": {}, "f:y": {}}}


def test_unknown_schema_treats_maps_as_granular_and_lists_as_atomic() -> None:
    cfg = {"apiVersion": "ex.com/v1", "kind": "Thing", "metadata": {"name": "t", "labels": {"a": "1"}},
           "spec": {"list": [1, 2], "m": {"k": "v"}}}
    live = apply(None, cfg, "m1", schema={})
    other = {"apiVersion": "ex.com/v1", "kind": "Thing", "metadata": {"name": "t"}, "spec": {"m": {"k2": "v2"}}}
    obj = apply(live, other, "m2", schema={})
    assert obj["spec"] == {"list": [1, 2], "m": {"k": "v", "k2": "v2"}}
    assert obj["metadata"]["labels"] == {"a": "1"}


def test_managed_fields_are_sorted_apply_first_and_server_fields_are_never_owned() -> None:
    created = record_update(None, configmap(data={"a": "1"}), schema=CM, manager="creator", now=T0)
    obj = apply(created, configmap(data={"b": "2"}), "applier", schema=CM, now=T1)
    ops = [(e["manager"], e["operation"]) for e in obj["metadata"]["managedFields"]]
    assert ops == [("applier", "Apply"), ("creator", "Update")]
    for entry in obj["metadata"]["managedFields"]:
        meta = entry["fieldsV1"].get("f:metadata", {})
        assert "f:name" not in meta and "f:namespace" not in meta
        assert "f:apiVersion" not in entry["fieldsV1"] and "f:kind" not in entry["fieldsV1"]


def test_bad_configurations_are_rejected_clearly() -> None:
    with pytest.raises(MalformedPatchError, match="apiVersion"):
        apply(None, {"kind": "ConfigMap", "metadata": {"name": "x"}}, "m", schema=CM)
    bad = configmap()
    bad["metadata"]["managedFields"] = [{"manager": "x"}]
    with pytest.raises(MalformedPatchError, match="managedFields must be nil"):
        apply(None, bad, "m", schema=CM)
    with pytest.raises(MalformedPatchError, match="fieldManager"):
        apply(None, configmap(), "", schema=CM)
    live = apply(None, configmap(), "m", schema=CM)
    with pytest.raises(MalformedPatchError, match="kind"):
        apply(live, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "cm"}}, "m", schema=CM)


def test_multiple_conflicts_are_grouped_by_manager() -> None:
    live = apply(None, configmap(data={"a": "1", "b": "1"}), "alice", schema=CM)
    with pytest.raises(ApplyConflictError) as err:
        apply(live, configmap(data={"a": "2", "b": "2"}), "bob", schema=CM)
    assert err.value.message == 'Apply failed with 2 conflicts: conflicts with "alice":\n- .data.a\n- .data.b'


def test_status_subresource_writes_own_only_status() -> None:
    from kro.devcluster.patch import ignored_fields

    live = apply(None, deployment(replicas=1), "kubectl", ignored=("status",))
    changed = json.loads(json.dumps(live))
    changed["status"] = {"replicas": 1}
    changed["metadata"]["labels"] = {"sneaky": "1"}
    ignored = ignored_fields(subresource="status", has_status=True, objects=[live, changed])
    # A Deployment's zero value has a status struct: filling it adds no "." entry.
    obj = record_update(live, changed, schema=DEPLOY, manager="kube-controller-manager", now=T1, ignored=ignored,
                        subresource="status", zero_structs=[("f:status",)])
    entry = next(e for e in obj["metadata"]["managedFields"] if e["manager"] == "kube-controller-manager")
    assert entry["subresource"] == "status"
    assert entry["fieldsV1"] == {"f:status": {"f:replicas": {}}}


def test_apply_to_the_status_subresource_changes_and_owns_only_status() -> None:
    from kro.devcluster.patch import ignored_fields

    live = apply(None, deployment(replicas=1), "kubectl", ignored=("status",))
    cfg = {"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "web", "namespace": "default", "labels": {"x": "y"}},
           "spec": {"replicas": 9}, "status": {"readyReplicas": 1}}
    ignored = ignored_fields(subresource="status", has_status=True, objects=[live, cfg])
    result = server_side_apply(live, cfg, schema=DEPLOY, manager="ctl", now=T1, ignored=ignored,
                               subresource="status").object
    assert result["status"] == {"readyReplicas": 1}
    assert result["spec"]["replicas"] == 1 and "labels" not in result["metadata"]
    entry = managers(result)[("ctl", "Apply")]
    assert entry["subresource"] == "status" and entry["fieldsV1"] == {"f:status": {"f:readyReplicas": {}}}


def test_managed_fields_reset_with_a_single_empty_entry_but_not_with_an_empty_list() -> None:
    live = apply(None, configmap(data={"a": "1"}), "kubectl", schema=CM)
    echoed = json.loads(json.dumps(live))
    echoed["metadata"]["managedFields"] = []
    kept = record_update(live, echoed, schema=CM, manager="kubectl-edit", now=T1)
    assert managers(kept) == managers(live)
    echoed["metadata"]["managedFields"] = [{}]
    reset = record_update(live, echoed, schema=CM, manager="kubectl-patch", now=T1)
    assert "managedFields" not in reset["metadata"]


def test_update_echoing_managed_fields_keeps_them_and_records_the_change() -> None:
    live = apply(None, configmap(data={"a": "1"}), "kubectl", schema=CM)
    edited = json.loads(json.dumps(live))
    edited["data"]["b"] = "2"
    obj = record_update(live, edited, schema=CM, manager="kubectl-edit", now=T1)
    assert managers(obj)[("kubectl", "Apply")]["fieldsV1"] == {"f:data": {"f:a": {}}}
    assert managers(obj)[("kubectl-edit", "Update")]["fieldsV1"] == {"f:data": {"f:b": {}}}
    assert managers(obj)[("kubectl-edit", "Update")]["time"] == T1
