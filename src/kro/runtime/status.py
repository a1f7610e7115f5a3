"""The instance's status: computed fields, ``state`` and conditions.

Computed fields are re-derived every reconcile from whatever is observed; a field whose expression
cannot be evaluated yet is left out rather than failing the instance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kro.api.conditions import ConditionReason, ConditionType, InstanceState, NodeState
from kro.graph.model import Graph
from kro.runtime import conditions as cond
from kro.runtime.errors import ExpressionFailed, ExpressionPending
from kro.runtime.evaluation import evaluate
from kro.runtime.plan import NodeReport
from kro.runtime.resolve import set_path

_SETTLED = (NodeState.SYNCED, NodeState.SKIPPED)


def status_fields(graph: Graph, bindings: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in graph.status_fields:
        try:
            value = evaluate(f.expression, bindings)
        except (ExpressionPending, ExpressionFailed):
            continue
        if not f.standalone and not isinstance(value, str):
            value = str(value).lower() if isinstance(value, bool) else str(value)
        path = f.path[1:] if f.path[:1] == ("status",) else f.path
        if path:
            set_path(out, path, value)
    return out


def author_conditions(graph: Graph, bindings: Mapping[str, Any]) -> list[cond.Condition]:
    """The RGD author's ``status.conditions`` that evaluate now; the rest are left out, like
    unresolvable status fields."""
    out: list[cond.Condition] = []
    for expression in graph.status_conditions:
        try:
            value = evaluate(expression, bindings)
        except (ExpressionPending, ExpressionFailed):
            continue
        fields = {k: _field(value, k) for k in ("type", "status", "reason", "message")}
        if fields["type"] and fields["status"] in ("True", "False", "Unknown"):
            out.append(cond.Condition(fields["type"], fields["status"], fields["reason"], fields["message"]))
    return out


def _field(value: Any, key: str) -> str:
    raw = value.get(key, "") if isinstance(value, Mapping) else getattr(value, key, "")
    return raw if isinstance(raw, str) else ""


def merge_conditions(
    builtin: Sequence[cond.Condition], author: Sequence[cond.Condition]
) -> list[cond.Condition]:
    """kro's conditions followed by the author's; an author condition of the same type wins."""
    mine = {c.type for c in author}
    return [*(c for c in builtin if c.type not in mine), *author]


def instance_state(reports: Sequence[NodeReport]) -> InstanceState:
    if any(r.state is NodeState.ERROR for r in reports):
        return InstanceState.ERROR
    if all(r.state in _SETTLED for r in reports):
        return InstanceState.ACTIVE
    return InstanceState.IN_PROGRESS


def describe_wait(report: NodeReport) -> str:
    if report.state is NodeState.ERROR:
        return f"{report.id} failed: {report.reason}"
    return f"waiting for {report.id}: {report.reason}"


MANAGED_MESSAGE = "instance is properly managed with finalizers and labels"
RESOLVED_MESSAGE = "runtime graph created and all resources resolved"
READY_MESSAGE = "all resources are created and ready"
"""The messages of the healthy conditions, word for word as upstream kro writes them."""


def instance_conditions(reports: Sequence[NodeReport]) -> list[cond.Condition]:
    errors = [r for r in reports if r.state is NodeState.ERROR]
    managed = cond.true(ConditionType.INSTANCE_MANAGED, ConditionReason.MANAGED, MANAGED_MESSAGE)
    if errors:
        resolved = cond.false(
            ConditionType.GRAPH_RESOLVED,
            ConditionReason.RESOLUTION_FAILED,
            "; ".join(f"{r.id}: {r.reason}" for r in errors),
        )
    else:
        resolved = cond.true(ConditionType.GRAPH_RESOLVED, ConditionReason.RESOLVED, RESOLVED_MESSAGE)
    blocking = next((r for r in reports if r.state not in _SETTLED), None)
    if blocking is None:
        ready = cond.true(ConditionType.RESOURCES_READY, ConditionReason.ALL_RESOURCES_READY, READY_MESSAGE)
    else:
        ready = cond.false(ConditionType.RESOURCES_READY, ConditionReason.NOT_READY, describe_wait(blocking))
    parts = [managed, resolved, ready]
    return [*parts, cond.aggregate_ready(parts)]


def assemble(
    fields: Mapping[str, Any],
    *,
    state: InstanceState,
    conditions: Sequence[cond.Condition],
    instance: Mapping[str, Any],
    now: str,
) -> dict[str, Any]:
    """The whole ``status`` object as the controller writes it."""
    previous = (instance.get("status") or {}).get("conditions") or []
    generation = (instance.get("metadata") or {}).get("generation")
    rendered = cond.render(
        conditions, previous=previous, now=now, generation=generation if isinstance(generation, int) else None
    )
    return {**fields, "state": state.value, "conditions": rendered}


def special_status(
    instance: Mapping[str, Any],
    *,
    state: InstanceState,
    reason: ConditionReason,
    message: str,
    now: str,
    status: str = "False",
) -> dict[str, Any]:
    """Status while kro deliberately does not reconcile (suspended) or is deleting the children:
    the computed fields are kept as they were, ``ResourcesReady`` says why."""
    kept = {k: v for k, v in (instance.get("status") or {}).items() if k not in ("state", "conditions")}
    ready = cond.Condition(ConditionType.RESOURCES_READY.value, status, reason.value, message)
    parts = [cond.true(ConditionType.INSTANCE_MANAGED, ConditionReason.MANAGED, MANAGED_MESSAGE), ready]
    return assemble(
        kept, state=state, conditions=[*parts, cond.aggregate_ready(parts)], instance=instance, now=now
    )
