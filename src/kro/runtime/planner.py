"""``plan_instance``: one instance's reconcile, decided without I/O.

Nodes are visited in topological order. A node whose dependency is skipped is skipped too; an
``includeWhen`` that can be decided already (it reads only ``schema`` or ready dependencies) decides
next; a node whose dependency is not ready waits; otherwise the rest of its ``includeWhen`` decides,
then it is expanded, resolved,
matched with what is observed and judged ready or not (:mod:`kro.runtime.nodeplan`). Children of this
instance that no node wants any more are pruned."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kro.api.conditions import InstanceState, NodeState
from kro.api.keys import Annotations, Labels
from kro.api.refs import GVK, ObjectRef
from kro.graph.model import CompiledExpression, Graph, Node
from kro.runtime.errors import ExpressionFailed, ExpressionPending
from kro.runtime.evaluation import PlanBindings, roots
from kro.runtime.foreach import CollectionLimits
from kro.runtime.includewhen import excluded_by
from kro.runtime.labels import instance_applyset_id
from kro.runtime.nodeplan import NodeContext, NodeResult, plan_node
from kro.runtime.observed import ObservedState, labels_of, object_key
from kro.runtime.outcome import Done, Outcome, Requeue, Terminal
from kro.runtime.plan import DesiredObject, NodeReport, Plan, Removal
from kro.runtime.status import (
    assemble,
    author_conditions,
    describe_wait,
    instance_conditions,
    instance_state,
    merge_conditions,
    status_fields,
)


@dataclass(frozen=True)
class PlanSettings:
    limits: CollectionLimits = field(default_factory=CollectionLimits)
    requeue_after: float = 3.0
    """How soon to look again while something is converging (watch events usually come first)."""


def schema_binding(instance: Mapping[str, Any]) -> dict[str, Any]:
    """What expressions see as ``schema``: the instance without its status."""
    return {k: v for k, v in instance.items() if k != "status"}


def plan_instance(
    graph: Graph,
    instance: Mapping[str, Any],
    observed: ObservedState,
    *,
    kro_version: str,
    now: str = "",
    settings: PlanSettings | None = None,
    extra_labels: Mapping[str, str] | None = None,
    owner: Mapping[str, Any] | None = None,
    part_of: str | None = None,
) -> Plan:
    """Plan one reconcile of ``instance`` (the graph's root object). ``extra_labels`` go on every
    child beside kro's own; ``owner`` is an ownerReference put on children whose scope allows it
    (a ResourceGraph's children point at their root this way). ``part_of``: the instance's
    ApplySet id, when the caller has it already."""
    settings = settings or PlanSettings()
    meta = instance.get("metadata") or {}
    order = graph.apply_order()
    part_of = part_of or instance_applyset_id(instance, graph.instance_gvk)
    bindings = PlanBindings({graph.root_variable: schema_binding(instance)})
    results: dict[str, NodeResult] = {}
    for node_id in graph.topological_order:
        node = graph.nodes[node_id]
        ctx = NodeContext(
            instance,
            graph.instance_gvk,
            str(meta.get("namespace") or ""),
            kro_version,
            order[node_id],
            settings.limits,
            extra_labels or {},
            owner,
            part_of,
        )
        result = _gate(node, results, bindings, root=graph.root_variable) or plan_node(
            node, bindings, observed, ctx
        )
        results[node_id] = result
        if result.bound:
            bindings[node_id] = result.binding
    reports = [_report(node_id, r) for node_id, r in results.items()]
    state = instance_state(reports)
    status = assemble(
        status_fields(graph, bindings),
        state=state,
        conditions=merge_conditions(instance_conditions(reports), author_conditions(graph, bindings)),
        instance=instance,
        now=now,
    )
    return Plan(
        applies=_waves(graph, results),
        prunes=_prune_waves(graph, results, observed.owned_by(str(meta.get("uid", "")))),
        nodes={r.id: r for r in reports},
        status=status,
        state=state,
        outcome=_outcome(state, reports, settings),
        external_reads=tuple(r.read for r in results.values() if r.read is not None),
    )


def _gate(
    node: Node, results: Mapping[str, NodeResult], bindings: Mapping[str, Any], *, root: str
) -> NodeResult | None:
    """A result when the node is decided before resolving: skipped, waiting on a dependency, or
    excluded by ``includeWhen``; ``None`` when it should be planned.

    An ``includeWhen`` condition whose every reference is available (the root, or dependencies
    that are ready) is decided first, so a node switched off by the instance's spec is excluded at
    once rather than shown waiting for dependencies it will never use."""
    deps = [d for d in results if d in node.dependencies]  # topological order
    for dep in deps:
        if results[dep].state is NodeState.SKIPPED:
            return NodeResult(NodeState.SKIPPED, f"excluded: dependency {dep} is skipped")
    ready = {root, *(d for d in deps if results[d].state is NodeState.SYNCED)}
    decided = _include([c for c in node.include_when if roots(c) <= ready], bindings)
    if decided is not None:
        return decided
    for dep in deps:
        if results[dep].state is not NodeState.SYNCED:
            return NodeResult(NodeState.WAITING_FOR_READINESS, f"waiting for dependency {dep}")
    return _include([c for c in node.include_when if not roots(c) <= ready], bindings)


def _include(conditions: Sequence[CompiledExpression], bindings: Mapping[str, Any]) -> NodeResult | None:
    """SKIPPED when one of ``conditions`` is false, waiting or ERROR when one cannot be decided."""
    try:
        condition = excluded_by(conditions, bindings)
    except ExpressionPending as e:
        return NodeResult(NodeState.WAITING_FOR_READINESS, f"includeWhen cannot be decided yet: {e}")
    except ExpressionFailed as e:
        return NodeResult(NodeState.ERROR, f"includeWhen: {e}")
    if condition is not None:
        return NodeResult(NodeState.SKIPPED, f"excluded: includeWhen `{condition}` is false", resolved=True)
    return None


def _report(node_id: str, r: NodeResult) -> NodeReport:
    return NodeReport(
        node_id,
        r.state,
        "" if r.state is NodeState.SYNCED else r.reason,
        tuple(d.ref for d in r.desired),
        r.item_reasons,
    )


def _waves(graph: Graph, results: Mapping[str, NodeResult]) -> tuple[tuple[DesiredObject, ...], ...]:
    depth: dict[str, int] = {}
    for node_id in graph.topological_order:
        deps = [depth[d] for d in graph.nodes[node_id].dependencies if d in depth]
        depth[node_id] = 1 + max(deps, default=-1)
    waves: dict[int, list[DesiredObject]] = {}
    for node_id, r in results.items():
        waves.setdefault(depth[node_id], []).extend(r.desired)
    return tuple(tuple(waves[w]) for w in sorted(waves) if waves[w])


def _prune_waves(
    graph: Graph, results: Mapping[str, NodeResult], owned: Sequence[Mapping[str, Any]]
) -> tuple[tuple[Removal, ...], ...]:
    wanted = {
        (d.gvk.group, d.gvk.kind, d.ref.namespace, d.ref.name) for r in results.values() for d in r.desired
    }
    removals: list[Removal] = []
    for obj in owned:
        if object_key(obj) in wanted:
            continue
        node_id = labels_of(obj).get(Labels.NODE_ID, "")
        result = results.get(node_id)
        if node_id not in graph.nodes:
            reason = f"node {node_id or '(unlabelled)'} is no longer in the graph"
        elif result is not None and result.state is NodeState.SKIPPED:
            reason = f"node {node_id} is skipped"
        elif result is not None and result.resolved and not graph.nodes[node_id].is_external:
            reason = f"node {node_id} no longer wants it"
        else:
            continue
        removals.append(removal_for(obj, node_id, reason))
    return removal_waves(removals)


def removal_for(obj: Mapping[str, Any], node_id: str, reason: str) -> Removal:
    meta = obj.get("metadata") or {}
    raw = (meta.get("annotations") or {}).get(Annotations.APPLY_ORDER)
    order = int(raw) if isinstance(raw, str) and raw.isdigit() else None
    gvk = GVK.from_api_version(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
    ref = ObjectRef(gvk, str(meta.get("namespace") or ""), str(meta.get("name", "")))
    return Removal(ref, str(meta.get("uid", "")), node_id, order, reason)


def removal_waves(removals: list[Removal]) -> tuple[tuple[Removal, ...], ...]:
    """Highest apply-order first; objects without one go last."""
    groups: dict[int, list[Removal]] = {}
    for r in removals:
        groups.setdefault(-1 if r.apply_order is None else r.apply_order, []).append(r)
    return tuple(tuple(sorted(groups[k], key=lambda r: str(r.ref))) for k in sorted(groups, reverse=True))


def _outcome(state: InstanceState, reports: list[NodeReport], settings: PlanSettings) -> Outcome:
    if state is InstanceState.ACTIVE:
        return Done()
    if state is InstanceState.ERROR:
        return Terminal("; ".join(describe_wait(r) for r in reports if r.state is NodeState.ERROR))
    return Requeue(after=settings.requeue_after)


def with_failures(
    plan: Plan, failures: Mapping[str, str], *, instance: Mapping[str, Any], now: str = ""
) -> Plan:
    """``plan`` after carrying it out failed for some nodes (``node id -> message``, e.g. the API
    server rejected an apply): those nodes turn ERROR and state, conditions and outcome follow."""
    if not failures:
        return plan
    reports = [
        NodeReport(r.id, NodeState.ERROR, failures[r.id], r.objects) if r.id in failures else r
        for r in plan.nodes.values()
    ]
    state = instance_state(reports)
    fields = {k: v for k, v in plan.status.items() if k not in ("state", "conditions")}
    status = assemble(
        fields, state=state, conditions=instance_conditions(reports), instance=instance, now=now
    )
    errors = "; ".join(describe_wait(r) for r in reports if r.state is NodeState.ERROR)
    return Plan(plan.applies, plan.prunes, {r.id: r for r in reports}, status, state, Terminal(errors), plan.external_reads)
