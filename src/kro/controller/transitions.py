"""Telling operators when an instance changes state: one log line per transition
(``IN_PROGRESS → ACTIVE``, a new kind of failure, waiting on another node), never one per reconcile,
and a Kubernetes Event: always for a failure (Warning), for the other transitions (Normal) only
with the ``InstanceConditionEvents`` feature gate, as upstream kro does.

What was last told is remembered per instance; a controller that just started takes the state the
instance's status already shows as told, so a restart does not repeat the story."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kro.api.conditions import ConditionReason, ConditionType, InstanceState
from kro.controller.events import EventRecorder

log = logging.getLogger(__name__)
Obj = Mapping[str, Any]


@dataclass(frozen=True)
class Telling:
    """What one state of an instance is told as: the Event's type and reason, and its message."""

    state: str
    type: str
    reason: str
    message: str
    node: str = ""
    """The node the instance waits on (or failed at), when there is one."""
    action: str = "Reconcile"

    @property
    def signature(self) -> tuple[str, str, str]:
        return self.state, self.reason, self.node


def _condition(status: Obj, ctype: ConditionType) -> Obj:
    for c in status.get("conditions") or []:
        if isinstance(c, Mapping) and c.get("type") == ctype.value:
            return c
    return {}


def telling(status: Obj, *, apply_failed: bool = False, waiting_on: str = "") -> Telling:
    """How the instance status ``status`` is told; ``apply_failed``: the API server refused some of
    the children (rather than an expression or a collection failing); ``waiting_on``: the node
    that holds the instance back."""
    state = str(status.get("state") or "")
    ready = _condition(status, ConditionType.RESOURCES_READY)
    waiting = str(ready.get("message") or "")
    if state == InstanceState.ACTIVE.value:
        return Telling(state, "Normal", "ResourcesReady", "all resources are ready")
    if state == InstanceState.ERROR.value:
        resolved = _condition(status, ConditionType.GRAPH_RESOLVED)
        message = str(resolved.get("message") or waiting)
        reason = "ApplyFailed" if apply_failed else "ResolutionFailed"
        return Telling(state, "Warning", reason, message)
    if state == InstanceState.DELETING.value:
        return Telling(state, "Normal", "Deleting", "deleting the instance's resources", action="Delete")
    if ready.get("reason") == ConditionReason.RECONCILIATION_SUSPENDED.value:
        return Telling(state, "Normal", "ReconciliationSuspended", waiting)
    return Telling(state, "Normal", "WaitingForReadiness", waiting, waiting_on)


class TransitionLog:
    """Remembers what was last told about each instance of one kind, and tells what is new."""

    def __init__(self, kind: str, events: EventRecorder, *, normal_events: bool = True) -> None:
        self._kind = kind
        self._events = events
        self._normal_events = normal_events
        self._told: dict[str, tuple[str, str, str]] = {}

    async def observe(
        self, instance: Obj, status: Obj, *, apply_failed: bool = False, waiting_on: str = ""
    ) -> None:
        """``instance`` (as cached) is about to get ``status``: log and record an Event if that is
        a transition. ``waiting_on``: the node holding the instance back, so waiting on the next
        node is told too."""
        meta = instance.get("metadata") or {}
        key = f"{meta.get('namespace') or ''}/{meta.get('name', '')}"
        before = str((instance.get("status") or {}).get("state") or "")
        now = telling(status, apply_failed=apply_failed, waiting_on=waiting_on)
        last = self._told.get(key)
        self._told[key] = now.signature
        if (last is None and before == now.state) or last == now.signature:
            return
        previous = last[0] if last is not None else before
        log.info(
            "%s %s: %s -> %s%s",
            self._kind,
            key,
            previous or "NEW",
            now.state,
            f": {now.message}" if now.message and now.reason != "ResourcesReady" else "",
            extra={"kind": self._kind, "instance": key, "previous": previous, "state": now.state,
                   "reason": now.reason},
        )  # fmt: skip
        if now.type == "Normal" and not self._normal_events:
            return
        await self._events.record(
            instance, type=now.type, reason=now.reason, message=now.message, action=now.action
        )

    def forget(self, namespace: str, name: str) -> None:
        self._told.pop(f"{namespace}/{name}", None)
