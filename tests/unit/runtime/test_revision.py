"""Which graph revision an instance runs, as its GraphRevisionCurrent condition."""

from __future__ import annotations

from kro.api.conditions import ConditionReason
from kro.runtime.revision import ServedRevision, previously_current, with_revision

INSTANCE = {"metadata": {"name": "demo", "generation": 4}, "status": {"conditions": []}}


def test_the_newest_revision_is_current() -> None:
    c = ServedRevision("app", 3, 3).condition()
    assert (c.type, c.status, c.reason) == ("GraphRevisionCurrent", "True", "Current")
    assert c.message == "reconciled with graph revision 3 of ResourceGraphDefinition app, its newest"


def test_a_held_back_instance_says_which_revision_runs_and_why() -> None:
    failed = ServedRevision("app", 2, 3, ConditionReason.NEWEST_REVISION_FAILED).condition()
    assert (failed.status, failed.reason) == ("False", "NewestRevisionFailed")
    assert failed.message == (
        "reconciled with graph revision 2 of ResourceGraphDefinition app: its newest revision, 3, "
        "does not compile (kubectl describe gr app-r00003)"
    )
    refused = ServedRevision("app", 2, 3, ConditionReason.NEWEST_REVISION_REFUSED).condition()
    assert refused.reason == "NewestRevisionRefused" and "CRD update" in refused.message


def test_the_condition_joins_the_status_and_keeps_its_transition_time() -> None:
    status = {"state": "ACTIVE", "conditions": [{"type": "Ready", "status": "True"}]}
    first = with_revision(status, ServedRevision("app", 1, 1), instance=INSTANCE, now="2026-01-01T00:00:00Z")
    assert [c["type"] for c in first["conditions"]] == ["Ready", "GraphRevisionCurrent"]
    assert first["conditions"][1]["observedGeneration"] == 4
    later = with_revision(
        status, ServedRevision("app", 2, 2), instance={**INSTANCE, "status": first}, now="2026-01-02T00:00:00Z"
    )
    assert later["conditions"][1]["lastTransitionTime"] == "2026-01-01T00:00:00Z"  # still True
    assert previously_current({"status": later}) is True
    assert previously_current(INSTANCE) is None
