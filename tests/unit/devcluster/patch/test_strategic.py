"""Strategic merge patch as kubectl sends it, against the built-in schemas' patch strategies."""

from __future__ import annotations

from typing import Any

import pytest

from kro.devcluster.patch import (
    MalformedPatchError,
    PatchType,
    UnsupportedPatchTypeError,
    apply_patch,
    strategic_merge_patch,
)
from tests.unit.devcluster.patch.builders import containers_of, deployment, schema_of

DEPLOY = schema_of("apps/v1", "Deployment")


def smp(original: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    return strategic_merge_patch(original, patch, schema=DEPLOY)


def pod_spec(patch: dict[str, Any]) -> dict[str, Any]:
    return {"spec": {"template": {"spec": patch}}}


TWO = deployment(containers=[{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}])


def test_containers_merge_by_name() -> None:
    out = smp(TWO, pod_spec({"containers": [{"name": "b", "image": "b:2"}]}))
    assert containers_of(out) == [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:2"}]


def test_new_container_is_appended() -> None:
    out = smp(TWO, pod_spec({"containers": [{"name": "c", "image": "c:1"}]}))
    assert [c["name"] for c in containers_of(out)] == ["a", "b", "c"]


def test_patch_delete_removes_an_item_by_merge_key() -> None:
    out = smp(TWO, pod_spec({"containers": [{"name": "a", "$patch": "delete"}]}))
    assert [c["name"] for c in containers_of(out)] == ["b"]


def test_patch_replace_item_replaces_the_whole_list() -> None:
    out = smp(TWO, pod_spec({"containers": [{"name": "z", "image": "z:1"}, {"$patch": "replace"}]}))
    assert containers_of(out) == [{"name": "z", "image": "z:1"}]


def test_ports_merge_by_container_port_and_env_by_name() -> None:
    base = deployment(containers=[{"name": "a", "image": "a", "ports": [{"containerPort": 80}],
                                   "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]}])
    patch = pod_spec({"containers": [{"name": "a", "ports": [{"containerPort": 443}],
                                      "env": [{"name": "Y", "value": "3"}]}]})
    (c,) = containers_of(smp(base, patch))
    assert c["ports"] == [{"containerPort": 80}, {"containerPort": 443}]
    assert c["env"] == [{"name": "X", "value": "1"}, {"name": "Y", "value": "3"}]


def test_lists_without_a_strategy_are_replaced() -> None:
    base = deployment(containers=[{"name": "a", "image": "a", "args": ["--x", "--y"]}])
    (c,) = containers_of(smp(base, pod_spec({"containers": [{"name": "a", "args": ["--z"]}]})))
    assert c["args"] == ["--z"]


def test_null_deletes_and_maps_merge() -> None:
    base = deployment(labels={"a": "1", "b": "2"})
    out = smp(base, {"metadata": {"labels": {"a": None, "c": "3"}}})
    assert out["metadata"]["labels"] == {"b": "2", "c": "3"}


def test_map_patch_replace_and_delete_directives() -> None:
    base = deployment(labels={"a": "1", "b": "2"})
    out = smp(base, {"metadata": {"labels": {"$patch": "replace", "z": "9"}}})
    assert out["metadata"]["labels"] == {"z": "9"}
    out = smp(base, {"metadata": {"labels": {"$patch": "delete"}}})
    assert "labels" not in out["metadata"]


def test_retain_keys_clears_the_other_strategy_fields() -> None:
    base = deployment()
    base["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}
    out = smp(base, {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}})
    assert out["spec"]["strategy"] == {"type": "Recreate"}


def test_finalizers_union_and_delete_from_primitive_list() -> None:
    base = deployment()
    base["metadata"]["finalizers"] = ["a", "b"]
    out = smp(base, {"metadata": {"finalizers": ["b", "c"]}})
    assert out["metadata"]["finalizers"] == ["a", "b", "c"]
    out = smp(out, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}})
    assert out["metadata"]["finalizers"] == ["b", "c"]


def test_set_element_order_reorders_the_merged_list() -> None:
    patch = pod_spec({"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
                      "containers": [{"name": "a", "image": "a:2"}]})
    out = smp(TWO, patch)
    assert containers_of(out) == [{"name": "b", "image": "b:1"}, {"name": "a", "image": "a:2"}]


def test_kubectl_apply_style_patch_with_element_order_and_annotation() -> None:
    patch = {
        "metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
        "spec": {"replicas": 3, "template": {"spec": {
            "$setElementOrder/containers": [{"name": "a"}, {"name": "b"}],
            "containers": [{"image": "a:9", "name": "a"}]}}},
    }
    out = smp(TWO, patch)
    assert out["spec"]["replicas"] == 3
    assert [(c["name"], c["image"]) for c in containers_of(out)] == [("a", "a:9"), ("b", "b:1")]


def test_original_is_not_modified() -> None:
    before = deployment()
    snapshot = repr(before)
    smp(before, pod_spec({"containers": [{"name": "nginx", "image": "x"}]}))
    assert repr(before) == snapshot


def test_custom_resources_answer_415() -> None:
    with pytest.raises(UnsupportedPatchTypeError) as err:
        apply_patch({"spec": {}}, {"spec": {"a": 1}}, PatchType.STRATEGIC, schema=None, builtin=False)
    assert err.value.status()["code"] == 415


def test_bad_patches_are_located() -> None:
    with pytest.raises(MalformedPatchError, match=r"containers\[0\].*merge key 'name'"):
        smp(TWO, pod_spec({"containers": [{"image": "x"}]}))
    with pytest.raises(MalformedPatchError, match="unknown patch directive"):
        smp(TWO, {"spec": {"$patch": "explode"}})
    with pytest.raises(MalformedPatchError):
        strategic_merge_patch(TWO, ["not", "a", "map"], schema=DEPLOY)


def test_patch_replace_inside_an_item_replaces_only_that_item() -> None:
    base = deployment(containers=[{"name": "a", "image": "a:1", "args": ["x"]}, {"name": "b", "image": "b:1"}])
    out = smp(base, pod_spec({"containers": [{"name": "a", "image": "a:2", "$patch": "replace"}]}))
    assert containers_of(out) == [{"name": "a", "image": "a:2"}, {"name": "b", "image": "b:1"}]
