"""The ResourceGraph's status: root counts, the first failing roots, state and conditions."""

from __future__ import annotations

from kro.api.conditions import ConditionReason, ConditionType
from kro.controller.rgstatus import rg_status, root_counts
from kro.controller.roots import RootResult
from kro.runtime import conditions as cond


def test_counts_only_the_matched_roots_and_names_the_first_five_failing() -> None:
    results = {("ns", f"r{i}"): RootResult("Failing", "gateway", f"boom {i}") for i in range(7)}
    results[("ns", "ok")] = RootResult("Synced")
    results[("ns", "busy")] = RootResult("InProgress", "gateway", "creating")
    results[("ns", "gone")] = RootResult("Synced")  # no longer matched: not counted
    matched = [("ns", f"r{i}") for i in range(7)] + [("ns", "ok"), ("ns", "busy"), ("ns", "new")]
    counts, failing = root_counts(matched, results)
    assert counts == {"matched": 10, "synced": 1, "failing": 7}
    assert [f["name"] for f in failing] == ["r0", "r1", "r2", "r3", "r4"]
    assert failing[0] == {"namespace": "ns", "name": "r0", "child": "gateway", "message": "boom 0"}


def test_a_cluster_scoped_root_has_no_namespace_entry() -> None:
    _, failing = root_counts([("", "t")], {("", "t"): RootResult("Failing", "config", "no")})
    assert failing == [{"name": "t", "child": "config", "message": "no"}]


def test_rejected_graph_is_inactive_with_the_message_in_both_conditions() -> None:
    rg = {"metadata": {"generation": 3}, "status": {}}
    parts = [cond.false(ConditionType.GRAPH_ACCEPTED, ConditionReason.INVALID_RESOURCE_GRAPH, "spec.root.kind: unknown")]
    status = rg_status(rg, parts, served=None, accepted_generation=None, roots=({"matched": 0}, []), now="t")
    assert status["state"] == "Inactive"
    assert [(c["type"], c["status"], c["message"]) for c in status["conditions"]] == [
        ("GraphAccepted", "False", "spec.root.kind: unknown"),
        ("Ready", "False", "spec.root.kind: unknown"),
    ]
    assert all(c["observedGeneration"] == 3 for c in status["conditions"])
    assert "failingRoots" not in status and "acceptedGeneration" not in status
