"""Rendering an instance's children offline: what kro would apply, as far as it can be known
without a cluster.

Nodes are visited in topological order. ``includeWhen`` is evaluated (a false one excludes the node
and, contagiously, its dependents); ``forEach`` is expanded; every field that can be computed is
computed. A dependency's value is its observed object when one is given (``--observed``), else its
rendered manifest, so names and labels flow through; fields that need data only the cluster has
(``status``) stay as their ``${...}`` text and are listed. A node is marked as *waiting* when a
dependency is not known to be ready (readiness needs an observed object).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kro.cel.errors import CELError, EvaluationError
from kro.graph.model import FieldPath, Graph, Node, TemplateField
from kro.graph.positions import format_path


@dataclass
class Rendered:
    node: Node
    manifest: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)
    item: int | None = None


@dataclass
class _State:
    bindings: dict[str, Any]
    excluded: set[str] = field(default_factory=set)
    ready: set[str] = field(default_factory=set)


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


def render(
    graph: Graph, instance: Mapping[str, Any], observed: Sequence[Mapping[str, Any]] = ()
) -> list[Rendered]:
    inst = instance_with_defaults(graph, instance)
    state = _State({"schema": inst})
    out: list[Rendered] = []
    for nid in graph.topological_order:
        out.extend(_render_node(graph.nodes[nid], inst, observed, state))
    return out


def _render_node(
    node: Node, inst: Mapping[str, Any], observed: Sequence[Mapping[str, Any]], state: _State
) -> list[Rendered]:
    gone = sorted(node.dependencies & state.excluded)
    if gone:
        state.excluded.add(node.id)
        return [Rendered(node, None, [f"excluded: depends on excluded {', '.join(gone)}"])]
    for expr in node.include_when:
        value, problem = _evaluate(expr, state.bindings)
        if problem is None and value is False:
            state.excluded.add(node.id)
            return [Rendered(node, None, [f"excluded: includeWhen ${{{expr.source}}} is false"])]
        if problem is not None:
            return [
                Rendered(node, None, [f"includeWhen ${{{expr.source}}} cannot be decided yet: {problem}"])
            ]
    notes = []
    waiting = sorted(d for d in node.dependencies if d not in state.ready)
    if waiting:
        notes.append(f"waits for {', '.join(waiting)} to be ready (not observed)")
    if node.is_collection and not node.is_external:
        items = _render_collection(node, inst, observed, state, notes)
    else:
        items = [_render_one(node, inst, dict(state.bindings), notes, observed, None)]
    _bind(node, items, observed, state)
    return items


def _render_collection(
    node: Node,
    inst: Mapping[str, Any],
    observed: Sequence[Mapping[str, Any]],
    state: _State,
    notes: list[str],
) -> list[Rendered]:
    dims: list[list[Any]] = []
    for dim in node.for_each:
        value, problem = _evaluate(dim.expression, state.bindings)
        if problem is not None or not isinstance(value, list):
            return [
                Rendered(
                    node, None, [*notes, f"forEach {dim.name} cannot be expanded yet: {problem or value!r}"]
                )
            ]
        dims.append(value)
    combos = list(itertools.product(*dims))
    if not combos:
        return [Rendered(node, None, [*notes, "forEach is empty: no items"])]
    out = []
    for i, combo in enumerate(combos):
        bindings = {**state.bindings, **{d.name: v for d, v in zip(node.for_each, combo, strict=True)}}
        out.append(_render_one(node, inst, bindings, list(notes), observed, i))
    return out


def _render_one(
    node: Node,
    inst: Mapping[str, Any],
    bindings: dict[str, Any],
    notes: list[str],
    observed: Sequence[Mapping[str, Any]],
    item: int | None,
) -> Rendered:
    manifest = copy.deepcopy(dict(node.template))
    for f in node.fields:
        value, problem = _evaluate(f.expression, bindings)
        if problem is not None:
            notes.append(f"{format_path(f.path)} = {f.source_text!r} unresolved: {problem}")
            continue
        _set(manifest, f.path, _as_field_value(f, value))
    meta = manifest.setdefault("metadata", {})
    if node.namespaced and not meta.get("namespace") and inst.get("metadata", {}).get("namespace"):
        meta["namespace"] = inst["metadata"]["namespace"]
    if node.is_external:
        found = "observed" if _find(node, manifest, observed) is not None else "not observed"
        notes.insert(0, f"external reference ({found}): read from the cluster, never created")
    return Rendered(node, manifest, notes, item)


def _bind(node: Node, items: list[Rendered], observed: Sequence[Mapping[str, Any]], state: _State) -> None:
    values = []
    ready = True
    for r in items:
        if r.manifest is None:
            ready = False
            continue
        found = _find(node, r.manifest, observed)
        if found is None:
            ready = False
            if not node.is_external:
                values.append(r.manifest)
            continue
        values.append(dict(found))
        for expr in node.ready_when:
            each = {**state.bindings, node.id: found, "each": found}
            ok, problem = _evaluate(expr, each)
            if problem is not None or ok is not True:
                ready = False
                r.notes.append(f"observed, not ready: readyWhen ${{{expr.source}}} is {problem or ok}")
    if node.is_collection:
        state.bindings[node.id] = values
    elif values:
        state.bindings[node.id] = values[0]
    if ready and items:
        state.ready.add(node.id)


def _find(
    node: Node, manifest: Mapping[str, Any], observed: Sequence[Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    name = (manifest.get("metadata") or {}).get("name")
    for obj in observed:
        if obj.get("kind") == node.gvk.kind and (obj.get("metadata") or {}).get("name") == name:
            return obj
    return None


def _evaluate(expr: Any, bindings: Mapping[str, Any]) -> tuple[Any, str | None]:
    try:
        return expr.evaluate(bindings), None
    except EvaluationError as e:
        return None, ("data not there yet: " if e.pending else "") + e.message
    except CELError as e:
        return None, e.message


def _as_field_value(f: TemplateField, value: Any) -> Any:
    if f.standalone or isinstance(value, str):
        return value
    return str(value).lower() if isinstance(value, bool) else str(value)


def _set(target: dict[str, Any], path: FieldPath, value: Any) -> None:
    node: Any = target
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
