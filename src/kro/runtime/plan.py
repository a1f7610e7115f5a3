"""The plan for one instance: what the controller must do, and what the status says.

A :class:`Plan` is plain immutable data. The controller carries it out (apply wave by wave, prune,
write status, requeue) and never decides anything the plan does not say."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from kro.api.conditions import InstanceState, NodeState
from kro.api.refs import GVK, ObjectRef
from kro.runtime.outcome import Done, Outcome


@dataclass(frozen=True)
class DesiredObject:
    """One object to server-side apply, complete with kro's labels and annotations."""

    node_id: str
    gvk: GVK
    plural: str
    namespaced: bool
    body: Mapping[str, Any]

    @cached_property
    def ref(self) -> ObjectRef:
        meta = self.body.get("metadata") or {}
        return ObjectRef(self.gvk, str(meta.get("namespace") or ""), str(meta.get("name", "")))


@dataclass(frozen=True)
class Removal:
    """One observed object to delete, guarded by its UID so a re-created namesake survives."""

    ref: ObjectRef
    uid: str
    node_id: str
    apply_order: int | None
    reason: str


@dataclass(frozen=True)
class ExternalRead:
    """What a plan read of objects it does not manage (an external reference): one object by
    name, or every object a label selector matches (``namespace`` ``None``: in all namespaces).
    The controller looks at the instance again when one of these changes."""

    gvk: GVK
    namespace: str | None
    name: str = ""
    selector: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class NodeReport:
    """A node's state this reconcile; ``reason`` says why for every state but SYNCED."""

    id: str
    state: NodeState
    reason: str = ""
    objects: tuple[ObjectRef, ...] = ()
    item_reasons: tuple[str, ...] = ()
    """For a collection that is not ready: each item's own reason, ``""`` for a ready item, in the
    order of ``objects``."""


@dataclass(frozen=True)
class Plan:
    applies: tuple[tuple[DesiredObject, ...], ...] = ()
    """Waves of objects: every node in a wave depends only on nodes in earlier waves."""
    prunes: tuple[tuple[Removal, ...], ...] = ()
    """Waves of deletions, highest apply-order first."""
    nodes: Mapping[str, NodeReport] = field(default_factory=dict)
    status: Mapping[str, Any] = field(default_factory=dict)
    """The instance's whole ``status``: computed fields, ``state`` and ``conditions``."""
    state: InstanceState = InstanceState.IN_PROGRESS
    outcome: Outcome = field(default_factory=Done)
    external_reads: tuple[ExternalRead, ...] = ()
    """What the plan read through external references, in node order."""

    @property
    def all_applies(self) -> tuple[DesiredObject, ...]:
        return tuple(d for wave in self.applies for d in wave)

    @property
    def all_prunes(self) -> tuple[Removal, ...]:
        return tuple(r for wave in self.prunes for r in wave)

    def waiting_on(self) -> NodeReport | None:
        """The first node (topological order) that holds the instance back, if any."""
        for report in self.nodes.values():
            if report.state not in (NodeState.SYNCED, NodeState.SKIPPED):
                return report
        return None
