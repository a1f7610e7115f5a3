"""A ResourceGraph root's children beyond planning: tracked children's readiness, and releasing a
managed child under ``releasePolicy: Orphan``."""

from __future__ import annotations

from typing import Any

from kro.runtime.rootchildren import not_ready, release_patch, still_owned


def obj(status: dict[str, Any] | None = None, **meta: Any) -> dict[str, Any]:
    return {"apiVersion": "networking.istio.io/v1", "kind": "Gateway",
            "metadata": {"name": "gw", "namespace": "default", **meta}, "status": status or {}}


def test_an_object_without_status_is_ready() -> None:
    assert not_ready(obj()) is None


def test_ready_and_available_conditions_decide() -> None:
    assert not_ready(obj({"conditions": [{"type": "Ready", "status": "False", "message": "no listener"}]})) == (
        "condition Ready is False: no listener"
    )
    assert not_ready(obj({"conditions": [{"type": "Available", "status": "True"}, {"type": "Other", "status": "False"}]})) is None


def test_a_status_behind_its_generation_is_not_ready() -> None:
    assert not_ready(obj({"observedGeneration": 1}, generation=2)) == "status.observedGeneration 1 is behind generation 2"


def test_workload_replicas() -> None:
    deploy = {"kind": "Deployment", "metadata": {"generation": 1}, "spec": {"replicas": 3},
              "status": {"observedGeneration": 1, "readyReplicas": 2, "availableReplicas": 2}}
    assert not_ready(deploy) == "status.readyReplicas is 2 of 3"
    deploy["status"] = {"observedGeneration": 1, "readyReplicas": 3, "availableReplicas": 3, "updatedReplicas": 3}
    assert not_ready(deploy) is None


def test_release_removes_kros_labels_annotations_and_owner_only() -> None:
    child = obj(
        resourceVersion="7",
        labels={"kro.run/owned": "true", "kro.run/instance-id": "u1", "kro.dev/root": "mesh", "kro.dev/graph": "g",
                "app.kubernetes.io/managed-by": "kro", "applyset.kubernetes.io/part-of": "x", "team": "net"},
        annotations={"internal.kro.run/apply-order": "0", "internal.kro.run/desired-hash": "h", "note": "keep"},
        ownerReferences=[{"uid": "u1", "name": "mesh"}, {"uid": "other", "name": "x"}],
    )
    patch = release_patch(child, root_uid="u1")
    assert patch["metadata"]["resourceVersion"] == "7"
    assert set(patch["metadata"]["labels"]) == {
        "kro.run/owned", "kro.run/instance-id", "kro.dev/root", "kro.dev/graph",
        "app.kubernetes.io/managed-by", "applyset.kubernetes.io/part-of",
    }
    assert set(patch["metadata"]["annotations"]) == {"internal.kro.run/apply-order", "internal.kro.run/desired-hash"}
    assert patch["metadata"]["ownerReferences"] == [{"uid": "other", "name": "x"}]


def test_another_manager_label_is_kept_and_a_lone_owner_goes() -> None:
    child = obj(labels={"app.kubernetes.io/managed-by": "helm"}, ownerReferences=[{"uid": "u1"}])
    patch = release_patch(child, root_uid="u1")
    assert "labels" not in patch["metadata"]
    assert patch["metadata"]["ownerReferences"] is None


def test_still_owned_is_this_graphs_managed_children() -> None:
    mine = obj(labels={"kro.run/owned": "true", "kro.dev/graph": "g"})
    other = obj(labels={"kro.run/owned": "true", "kro.dev/graph": "h"})
    assert still_owned([mine, other, obj()], graph="g") == [mine]
