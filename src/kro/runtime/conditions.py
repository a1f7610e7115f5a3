"""Instance conditions: building them, aggregating ``Ready`` and keeping transition times.

The planner reads no clock: the caller passes ``now`` and a condition keeps its previous
``lastTransitionTime`` unless its status flipped, so an unchanged instance yields an identical status
and the controller writes nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kro.api.conditions import ConditionReason, ConditionType


@dataclass(frozen=True)
class Condition:
    type: str
    status: str  # "True" | "False" | "Unknown"
    reason: str
    message: str = ""


def true(ctype: ConditionType, reason: ConditionReason, message: str = "") -> Condition:
    return Condition(ctype.value, "True", reason.value, message)


def false(ctype: ConditionType, reason: ConditionReason, message: str) -> Condition:
    return Condition(ctype.value, "False", reason.value, message)


def unknown(ctype: ConditionType, reason: ConditionReason, message: str) -> Condition:
    return Condition(ctype.value, "Unknown", reason.value, message)


def aggregate_ready(parts: Sequence[Condition]) -> Condition:
    """``Ready``: True when every part is; otherwise a copy of the most unhealthy part, False
    beating Unknown, the first in order winning a tie."""
    for wanted in ("False", "Unknown"):
        for c in parts:
            if c.status == wanted:
                return Condition(ConditionType.READY.value, c.status, c.reason, c.message)
    return true(ConditionType.READY, ConditionReason.READY)


def render(
    conditions: Sequence[Condition],
    *,
    previous: Sequence[Mapping[str, Any]],
    now: str,
    generation: int | None,
) -> list[dict[str, Any]]:
    """Wire form, keeping each previous ``lastTransitionTime`` whose status did not change."""
    before = {str(c.get("type")): c for c in previous if isinstance(c, Mapping)}
    out: list[dict[str, Any]] = []
    for c in conditions:
        old = before.get(c.type)
        stamp = old.get("lastTransitionTime") if old and old.get("status") == c.status else None
        wire: dict[str, Any] = {
            "type": c.type,
            "status": c.status,
            "reason": c.reason,
            "message": c.message,
            "lastTransitionTime": stamp or now,
        }
        if generation is not None:
            wire["observedGeneration"] = generation
        out.append(wire)
    return out
