"""Reusing a node's desired object from an earlier plan of the same instance.

A scalar node's desired object (its resolved template, kro's labels and annotations, the desired
hash) is a function of the node, a few facts of the instance (uid, name, namespace, the graph's
apply order, kro's version, extra labels, the owner) and of the values its template's expressions
read. A checked expression lists the field paths it reads (``schema.spec.replicas``,
``config.metadata.name``); the engine sees nothing else of its bindings (:mod:`kro.cel.expression`
cuts them down to those paths), so when every one of those paths holds the same data as in an
earlier plan, the template resolves to the same object again. The instance's status, its
resourceVersion, a child's status: none of it is read by most templates, and it changes on every
reconcile.

"The same data" is strict: ``1``, ``1.0`` and ``True`` differ, and so does the order of a map's
keys, since either would change the body that is sent. The inputs are compared by their ``repr``,
which for JSON-like data (maps, lists, text, numbers, booleans, null) is the same exactly when the
data is the same in that strict sense, and is computed and compared in C. Only successfully
resolved objects are kept; a failure (pending data, a CEL error) is computed afresh every time.
A :class:`DesiredMemo` belongs to one instance; objects it hands out are shared, read-only, like
the informer caches' objects the bindings come from."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from kro.cel import CheckedExpression
from kro.graph.model import Node
from kro.runtime.evaluation import PathBook, ValueMemo, read_path, read_paths
from kro.runtime.plan import DesiredObject

if TYPE_CHECKING:
    from kro.runtime.nodeplan import NodeContext


def template_paths(node: Node) -> tuple[tuple[str, ...], ...] | None:
    """Every field path the node's template expressions read, or ``None`` when one of them does
    not say (an expression that is not a checked one)."""
    paths: set[tuple[str, ...]] = set()
    for f in node.fields:
        expression = f.expression
        if not isinstance(expression, CheckedExpression):
            return None
        paths.update(read_paths(expression))
    return tuple(sorted(paths))


def context_key(ctx: NodeContext) -> tuple[Any, ...]:
    """What of the plan's context goes into a desired object besides the template."""
    meta = ctx.instance.get("metadata") or {}
    return (
        meta.get("uid"),
        meta.get("name"),
        meta.get("namespace"),
        ctx.namespace,
        ctx.instance_gvk.group,
        ctx.instance_gvk.version,
        ctx.instance_gvk.kind,
        ctx.kro_version,
        ctx.apply_order,
        dict(ctx.extra_labels),
        None if ctx.owner is None else dict(ctx.owner),
        ctx.part_of,
    )


class DesiredMemo:
    """The desired object of each scalar node of one instance, as last resolved, with what it was
    resolved from."""

    __slots__ = ("_entries", "_paths", "values")

    def __init__(self, paths: PathBook | None = None) -> None:
        """``paths``: the graph's :class:`PathBook`, shared by the memos of its reconciles."""
        self._paths = paths or PathBook()
        self.values = ValueMemo(self._paths)
        """The instance's expression values (status fields, readiness), reused the same way."""
        self._entries: dict[str, tuple[Node, str, DesiredObject]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def desired(
        self,
        node: Node,
        bindings: Mapping[str, Any],
        ctx: NodeContext,
        resolve: Callable[[], DesiredObject],
    ) -> DesiredObject:
        """The node's desired object: the one kept from an earlier plan when everything it was
        resolved from is the same, else ``resolve()`` (kept for the next plan when it succeeds)."""
        paths = self._paths.of(node, lambda: template_paths(node))
        if paths is None:
            return resolve()
        key = repr((context_key(ctx), [read_path(bindings, p) for p in paths]))
        held = self._entries.get(node.id)
        if held is not None and held[0] is node and held[1] == key:
            return held[2]
        desired = resolve()
        self._entries[node.id] = (node, key, desired)
        return desired
