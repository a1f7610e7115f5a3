"""What one reconcile of a simulated controller wants done, and the condition bookkeeping they share.

A controller's pure ``plan_*`` function looks at its object and the children it owns and returns a
:class:`Plan`: objects to create, children whose ``spec`` to replace, children to delete and the new
``status`` of the object (``None`` when it is unchanged, so nothing is written needlessly).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Makes a unique child name from a prefix (kube's generateName); injected so plans stay pure.
NameMaker = Callable[[str], str]


@dataclass(frozen=True)
class Plan:
    create: tuple[tuple[str, dict[str, Any]], ...] = ()  # (storage key, object)
    update: tuple[tuple[str, dict[str, Any]], ...] = ()  # (storage key, whole object)
    delete: tuple[tuple[str, str], ...] = ()  # (storage key, name) in the owner's namespace
    status: dict[str, Any] | None = None
    annotate: dict[str, str] | None = None  # annotations to set on the object itself
    notes: tuple[str, ...] = field(default=(), compare=False)


def new_status(old: Mapping[str, Any], status: dict[str, Any]) -> dict[str, Any] | None:
    """``status`` if it differs from ``old``'s status, else ``None``."""
    return None if (old.get("status") or {}) == status else status


def condition(
    previous: Sequence[Mapping[str, Any]],
    type_: str,
    status: bool,
    reason: str,
    message: str,
    *,
    now: str,
    update_time: bool = False,
    probe_time: bool = False,
) -> dict[str, Any]:
    """A condition whose timestamps move only when its status (transition) or text (update) change."""
    value = "True" if status else "False"
    before = next((c for c in previous if c.get("type") == type_), {})
    same_status = before.get("status") == value
    same_text = same_status and before.get("reason") == reason and before.get("message") == message
    out: dict[str, Any] = {"type": type_, "status": value}
    if update_time:
        out["lastUpdateTime"] = before.get("lastUpdateTime") if same_text else now
    if probe_time:
        out["lastProbeTime"] = before.get("lastProbeTime") if same_text else now
    out["lastTransitionTime"] = before.get("lastTransitionTime") if same_status else now
    out["reason"] = reason
    out["message"] = message
    return out


def replica_failure(conditions: Sequence[Mapping[str, Any]], error: str | None, *, now: str) -> list[dict[str, Any]]:
    """A ReplicaSet's conditions after a sync whose pod creates failed with ``error`` (None: none
    failed): kube-controller-manager adds ``ReplicaFailure`` (reason FailedCreate) once, and removes
    it after a sync without failure."""
    kept = [dict(c) for c in conditions if c.get("type") != "ReplicaFailure"]
    before = next((dict(c) for c in conditions if c.get("type") == "ReplicaFailure"), None)
    if error is None:
        return kept
    if before is not None:
        return [dict(c) for c in conditions]
    return [*kept, {"type": "ReplicaFailure", "status": "True", "lastTransitionTime": now, "reason": "FailedCreate",
                    "message": error}]  # fmt: skip


def without_zeros(status: dict[str, Any], *keys: str) -> dict[str, Any]:
    """Drop the given integer fields when zero, as the API's ``omitempty`` tags do."""
    return {k: v for k, v in status.items() if not (k in keys and v == 0)}


def controlled_by(obj: Mapping[str, Any], owner: Mapping[str, Any]) -> bool:
    uid = (owner.get("metadata") or {}).get("uid")
    refs = (obj.get("metadata") or {}).get("ownerReferences") or []
    return any(r.get("uid") == uid and r.get("controller") for r in refs)


def replicas_of(obj: Mapping[str, Any]) -> int:
    value = (obj.get("spec") or {}).get("replicas")
    return 1 if value is None else int(value)


def generation_of(obj: Mapping[str, Any]) -> int:
    return int((obj.get("metadata") or {}).get("generation") or 1)
