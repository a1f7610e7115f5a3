"""``plan_deletion``: taking an instance's children down in reverse dependency order.

Deletion needs neither CEL nor the graph: it works from the children observed with this instance's
``kro.run/instance-id`` label and their ``internal.kro.run/apply-order`` annotation, so an instance
whose RGD is broken or gone can still be deleted. Each step deletes the highest remaining wave; the
next reconcile moves on once that wave is gone. External references are never labelled as owned, so
they are never deleted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kro.api.conditions import ConditionReason, InstanceState
from kro.api.keys import Labels
from kro.runtime.observed import ObservedState, labels_of
from kro.runtime.outcome import Done, Outcome, Requeue
from kro.runtime.plan import Removal
from kro.runtime.planner import removal_for, removal_waves
from kro.runtime.status import special_status


@dataclass(frozen=True)
class DeletionPlan:
    wave: tuple[Removal, ...]
    """What to delete now: the highest apply-order wave still present (empty when all are gone)."""
    remaining: int
    """Children still observed, this wave included."""
    status: Mapping[str, Any]
    outcome: Outcome

    @property
    def finished(self) -> bool:
        """Nothing is left: the finalizer may go."""
        return self.remaining == 0


def plan_deletion(
    instance: Mapping[str, Any], observed: ObservedState, *, now: str = "", requeue_after: float = 1.0
) -> DeletionPlan:
    uid = str((instance.get("metadata") or {}).get("uid", ""))
    owned = [o for o in observed.owned_by(uid) if labels_of(o).get(Labels.OWNED) == "true"]
    removals = [
        removal_for(o, labels_of(o).get(Labels.NODE_ID, ""), "the instance is being deleted") for o in owned
    ]
    waves = removal_waves(removals)
    wave = waves[0] if waves else ()
    names = ", ".join(str(r.ref) for r in wave)
    message = f"deleting {names}" if wave else "all resources deleted"
    status = special_status(
        instance,
        state=InstanceState.DELETING,
        reason=ConditionReason.UNDER_DELETION,
        message=message,
        now=now,
        status="Unknown",
    )
    outcome: Outcome = Requeue(after=requeue_after) if wave else Done()
    return DeletionPlan(wave, len(removals), status, outcome)
