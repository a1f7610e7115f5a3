"""Whether a change to a child's ``status`` can change anything a reconcile of its instance does.

A workload's status moves often (a StatefulSet's counters, a Deployment's conditions during a
rollout) and most of it is read by no expression of the graph. Each expression lists the field paths
it reads (``statefulset.status.readyReplicas``), and its evaluation sees nothing else of the object
(:mod:`kro.cel.expression` cuts every variable down to those paths). So when an update of a child
changes only its ``status``, and the cut of that status to the paths the graph reads is the same
before and after, every expression evaluates as before, readiness and the instance's status are the
same, and there is nothing for the instance's reconcile to do.

Anything else about the update (its spec, labels, annotations, owners, finalizers, deletion) always
counts: drift is repaired from those. A node whose object is read whole (``${statefulset}``), a
collection that other expressions read as a list, an expression that does not say what it reads, or a
template that sets ``status`` itself: every change counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from kro.cel.expression import Trie, cut, field_tries
from kro.graph.model import CompiledExpression, Graph, Node

# What the graph reads of one node's object: ``None`` for "all of it", otherwise a trie of field
# names (:data:`kro.cel.expression.Trie`) where a ``None`` leaf is "this value whole".
_WHOLE: None = None
_NOISE = ("resourceVersion", "managedFields")


@dataclass(frozen=True)
class StatusReads:
    """For each node id, what the graph's expressions read of that node's object."""

    by_node: Mapping[str, Trie | None]

    def change_matters(self, node_id: str, new: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
        """Whether an update of node ``node_id``'s object from ``old`` to ``new`` can change a
        reconcile of its instance. An unknown node counts every change."""
        if not _same(_essence(new), _essence(old)):
            return True
        reads = self.by_node.get(node_id, _WHOLE)
        if reads is None:
            return not _same(new.get("status"), old.get("status"))
        return not _same(cut(new, reads), cut(old, reads))


def status_reads(graph: Graph) -> StatusReads:
    """What ``graph``'s expressions read of each node's object (see the module's description)."""
    expressions = _all_expressions(graph)
    by_node: dict[str, Trie | None] = {}
    for node in graph.nodes.values():
        by_node[node.id] = _reads_of(node, expressions)
    return StatusReads(by_node)


def _reads_of(node: Node, expressions: list[CompiledExpression]) -> Trie | None:
    if "status" in node.template:
        return _WHOLE  # the template writes status: drift may be in any of it
    paths: set[tuple[str, ...]] = set()
    for expression in expressions:
        if node.id not in expression.references:
            continue
        found = _paths(expression)
        if found is None:
            return _WHOLE
        mine = [p for p in found if p[0] == node.id]
        if node.is_collection and mine:
            return _WHOLE  # read as a list: the items are not cut, any change may matter
        paths.update(mine)
    if node.is_collection:
        for condition in node.ready_when:  # a collection's readyWhen sees one item as ``each``
            found = _paths(condition)
            if found is None:
                return _WHOLE
            paths.update((node.id, *p[1:]) for p in found if p[0] == "each")
    return field_tries(frozenset(paths)).get(node.id, {})


def _all_expressions(graph: Graph) -> list[CompiledExpression]:
    out: list[CompiledExpression] = [f.expression for f in graph.status_fields]
    out.extend(graph.status_conditions)
    for node in graph.nodes.values():
        out.extend(f.expression for f in node.fields)
        out.extend(node.include_when)
        out.extend(d.expression for d in node.for_each)
        out.extend(node.ready_when)  # its own node under its id (a collection's items: ``each``, below)
    return out


def _paths(expression: CompiledExpression) -> frozenset[tuple[str, ...]] | None:
    paths = getattr(expression, "field_paths", None)
    if not isinstance(paths, frozenset):
        return None
    return paths


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same JSON types all the way down: ``1``, ``1.0`` and ``True`` are three
    different values to an expression (Python's ``==`` takes them for one). Python's ``==`` first
    (fast, and a difference there is a difference), then the two JSON texts, keys sorted."""
    if a != b:
        return False
    try:
        return orjson.dumps(a, option=orjson.OPT_SORT_KEYS) == orjson.dumps(b, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # what JSON cannot hold (orjson's error is a TypeError): compare by walking
        return _strict(a, b)


def _strict(a: Any, b: Any) -> bool:
    if isinstance(a, Mapping):
        return isinstance(b, Mapping) and a.keys() == b.keys() and all(_strict(v, b[k]) for k, v in a.items())
    if isinstance(a, list | tuple):
        return (isinstance(b, list | tuple) and len(a) == len(b)
                and all(_strict(x, y) for x, y in zip(a, b, strict=True)))  # fmt: skip
    return type(a) is type(b) and bool(a == b)


def _essence(obj: Mapping[str, Any]) -> tuple[Any, ...]:
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in _NOISE}
    return meta, {k: v for k, v in obj.items() if k not in ("metadata", "status")}
