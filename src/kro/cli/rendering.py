"""Rendering an instance's children offline: what the controller would apply, decided by the same
planner (:func:`kro.runtime.plan_instance`), so labels, readiness, ``includeWhen`` and ``forEach``
behave exactly as in the cluster.

The instance first gets its schema defaults, as the API server would give it. Offline, nothing is
observed unless ``--observed`` objects are given, so rendering plays reconciles forward: every object
the plan applies and nobody observed is assumed created as applied (it has no ``status``), and the
instance is planned again until nothing new appears. A node then either has objects (rendered) or
waits, is excluded or fails, and its notes say why, naming the real reason a dependency holds it
back (not observed, or observed with a ``readyWhen`` that is false or cannot be decided yet).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kro import __version__
from kro.api.conditions import NodeState
from kro.graph.model import Graph, Node
from kro.runtime import DesiredObject, NodeReport, Plan, Snapshot, plan_instance
from kro.runtime.observed import object_key

Obj = Mapping[str, Any]


@dataclass
class Rendered:
    node: Node
    manifest: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)
    item: int | None = None


def apply_defaults(value: Any, schema: Mapping[str, Any]) -> Any:
    """``value`` with the schema's ``default`` values filled in, as the API server does."""
    if isinstance(value, dict):
        out = dict(value)
        props = schema.get("properties") or {}
        for name, sub in props.items():
            if name not in out and "default" in sub:
                out[name] = copy.deepcopy(sub["default"])
            if name in out:
                out[name] = apply_defaults(out[name], sub)
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping):
            for name in out:
                if name not in props:
                    out[name] = apply_defaults(out[name], extra)
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        return [apply_defaults(v, schema["items"]) for v in value]
    return value


def missing_required(value: Any, schema: Mapping[str, Any], path: str = "spec") -> list[str]:
    """Paths of required fields ``value`` lacks (after defaulting), as the API server would reject."""
    if not isinstance(value, Mapping):
        return []
    props = schema.get("properties") or {}
    out = [f"{path}.{name}" for name in schema.get("required") or [] if name not in value]
    for name, sub in props.items():
        if name in value:
            out += missing_required(value[name], sub, f"{path}.{name}")
    return out


def instance_spec_schema(graph: Graph) -> Mapping[str, Any]:
    versions = (graph.crd.get("spec") or {}).get("versions") or [{}]
    root = ((versions[0].get("schema") or {}).get("openAPIV3Schema")) or {}
    spec: Mapping[str, Any] = (root.get("properties") or {}).get("spec") or {}
    return spec


def instance_with_defaults(graph: Graph, instance: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(copy.deepcopy(instance))
    out.setdefault("spec", {})
    out["spec"] = apply_defaults(out["spec"], instance_spec_schema(graph))
    if graph.instance_namespaced:
        out.setdefault("metadata", {}).setdefault("namespace", "default")
    return out


def placeholder_uid(instance: Mapping[str, Any]) -> str:
    """A stable stand-in for the uid the API server would give ``instance``, derived from its
    namespace and name, so rendered ``kro.run/instance-id`` labels are complete and reproducible."""
    meta = instance.get("metadata") or {}
    key = f"kro.run/offline/{meta.get('namespace') or ''}/{meta.get('name') or ''}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def render(graph: Graph, instance: Mapping[str, Any], observed: Sequence[Obj] = ()) -> list[Rendered]:
    """Every node's objects (or the reason it has none), in topological order. An instance without
    a uid gets :func:`placeholder_uid`, which the first manifest's notes say."""
    inst = instance_with_defaults(graph, instance)
    meta = inst.setdefault("metadata", {})
    placeholder = "" if meta.get("uid") else placeholder_uid(inst)
    if placeholder:
        meta["uid"] = placeholder
    plan = Plan()
    seen = [_with_namespace(graph, o, inst) for o in observed]
    seen_keys = {object_key(o) for o in seen}
    assumed: dict[tuple[str, str, str, str], Obj] = {}
    # Each round adds at least one object; the cap guards against templates that never settle.
    for _ in range(2 * len(graph.nodes) + 2):
        plan = plan_instance(graph, inst, Snapshot([*seen, *assumed.values()]), kro_version=__version__)
        new = {
            object_key(d.body): d.body
            for d in plan.all_applies
            if object_key(d.body) not in seen_keys and object_key(d.body) not in assumed
        }
        if not new:
            break
        assumed.update(new)
    results = _results(graph, plan, seen_keys)
    first = next((r for r in results if r.manifest is not None and not r.node.is_external), None)
    if placeholder and first is not None:
        first.notes.insert(
            0,
            f"instance uid {placeholder} (kro.run/instance-id) is an offline placeholder "
            "derived from namespace and name; the cluster assigns the real one",
        )
    return results


def _with_namespace(graph: Graph, obj: Obj, inst: Obj) -> Obj:
    """An observed object written without a namespace lives in the instance's, when its kind is a
    namespaced one of the graph."""
    meta = obj.get("metadata") or {}
    namespaced = any(n.namespaced and n.gvk.kind == obj.get("kind") for n in graph.nodes.values())
    if meta.get("namespace") or not namespaced:
        return obj
    namespace = (inst.get("metadata") or {}).get("namespace") or "default"
    return {**obj, "metadata": {**meta, "namespace": namespace}}


def _results(graph: Graph, plan: Plan, seen: set[tuple[str, str, str, str]]) -> list[Rendered]:
    by_node: dict[str, list[DesiredObject]] = {}
    for d in plan.all_applies:
        by_node.setdefault(d.node_id, []).append(d)
    out: list[Rendered] = []
    for node_id in graph.topological_order:
        node, report = graph.nodes[node_id], plan.nodes[node_id]
        desired = by_node.get(node_id, [])
        if not desired:
            out.append(Rendered(node, None, _why_nothing(graph, node, plan, seen)))
            continue
        for i, d in enumerate(desired):
            notes = [] if object_key(d.body) in seen else ["not observed: shown as first applied"]
            if report.state is not NodeState.SYNCED:
                notes.append(_not_ready(report, i if node.is_collection else None))
            out.append(Rendered(node, dict(d.body), notes, i if node.is_collection else None))
    return out


def _not_ready(report: NodeReport, item: int | None) -> str:
    """A scalar node's reason; for a collection item, that item's own state."""
    if item is None or item >= len(report.item_reasons):
        return f"{report.id} not ready: {report.reason}"
    own = report.item_reasons[item]
    return f"{report.id}[{item}] not ready: {own}" if own else f"{report.id}[{item}] ready"


def _why_nothing(graph: Graph, node: Node, plan: Plan, seen: set[tuple[str, str, str, str]]) -> list[str]:
    report = plan.nodes[node.id]
    if node.is_external:
        found = "found" if report.state is NodeState.SYNCED else report.reason
        return [f"external reference: read from the cluster, never created ({found})"]
    if report.state is NodeState.SKIPPED:
        return [report.reason]
    chain = _holding_chain(graph, node, plan)
    if chain:
        via = "".join(f", which waits for {r.id}" for r in chain[1:])
        return [f"waits for {chain[0].id}{via}: {_dependency_reason(chain[-1], seen)}"]
    if report.state is NodeState.SYNCED and node.is_collection:
        return ["forEach is empty: no items"]
    return [f"{report.state.value.lower().replace('_', ' ')}: {report.reason}"]


def _holding_chain(graph: Graph, node: Node, plan: Plan) -> list[NodeReport]:
    """The dependency holding ``node`` back (the first not ready, as the planner picks it), then the
    one holding that back, and so on, down to the node that has its own reason."""
    chain: list[NodeReport] = []
    while True:
        holding = next(
            (
                plan.nodes[d]
                for d in graph.topological_order
                if d in node.dependencies and plan.nodes[d].state is not NodeState.SYNCED
            ),
            None,
        )
        if holding is None or (chain and chain[-1].objects):
            return chain
        chain.append(holding)
        node = graph.nodes[holding.id]


def _dependency_reason(report: NodeReport, seen: set[tuple[str, str, str, str]]) -> str:
    """Why a dependency is not ready, and whether that is judged on an observed object or on one
    only assumed created offline (which has no status yet)."""
    if report.state is NodeState.ERROR:
        return f"it failed: {report.reason}"
    if not report.objects:
        return report.reason
    observed = all((r.gvk.group, r.gvk.kind, r.namespace, r.name) in seen for r in report.objects)
    return f"{report.reason} ({'observed' if observed else 'not observed; assumed created without status'})"
