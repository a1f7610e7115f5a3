"""Which graph revision an instance runs, as data and as the instance's ``GraphRevisionCurrent``
condition.

An instance normally runs its RGD's newest revision. When the newest does not compile (or its CRD
update was refused), kro keeps instances on the newest revision that still works instead of stopping
them; the condition turns False and says which revision runs and why. It is informational: it does
not take part in ``Ready``, which is about the instance's own resources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kro.api.conditions import ConditionReason, ConditionType
from kro.graph.spechash import revision_name
from kro.runtime import conditions as cond


@dataclass(frozen=True)
class ServedRevision:
    rgd_name: str
    number: int
    """The revision instances run."""
    newest: int
    """The RGD's newest revision."""
    held_back: ConditionReason | None = None
    """Why ``number`` is not ``newest``: ``NEWEST_REVISION_FAILED`` or ``NEWEST_REVISION_REFUSED``."""

    @property
    def current(self) -> bool:
        return self.held_back is None

    def condition(self) -> cond.Condition:
        running = f"reconciled with graph revision {self.number} of ResourceGraphDefinition {self.rgd_name}"
        if self.held_back is None:
            return cond.true(ConditionType.GRAPH_REVISION_CURRENT, ConditionReason.CURRENT, f"{running}, its newest")
        newest = revision_name(self.rgd_name, self.newest)
        if self.held_back is ConditionReason.NEWEST_REVISION_REFUSED:
            why = f"the CRD update of its newest revision, {self.newest}, was refused (kubectl describe rgd {self.rgd_name})"
        else:
            why = f"its newest revision, {self.newest}, does not compile (kubectl describe gr {newest})"
        return cond.false(ConditionType.GRAPH_REVISION_CURRENT, self.held_back, f"{running}: {why}")


def with_revision(
    status: Mapping[str, Any], served: ServedRevision, *, instance: Mapping[str, Any], now: str
) -> dict[str, Any]:
    """``status`` (as the planner made it) with the ``GraphRevisionCurrent`` condition added, keeping
    its previous ``lastTransitionTime`` unless it flipped."""
    previous = (instance.get("status") or {}).get("conditions") or []
    generation = (instance.get("metadata") or {}).get("generation")
    (rendered,) = cond.render(
        [served.condition()],
        previous=previous,
        now=now,
        generation=generation if isinstance(generation, int) else None,
    )
    kept = [c for c in status.get("conditions") or [] if c.get("type") != rendered["type"]]
    return {**status, "conditions": [*kept, rendered]}


def previously_current(instance: Mapping[str, Any]) -> bool | None:
    """Whether the instance's stored status said it ran its RGD's newest revision (None: not said)."""
    for c in (instance.get("status") or {}).get("conditions") or []:
        if isinstance(c, Mapping) and c.get("type") == ConditionType.GRAPH_REVISION_CURRENT.value:
            return bool(c.get("status") == "True")
    return None
