"""``readyWhen``: whether an observed node is ready for its dependents.

Default readiness is "observed". A scalar node's conditions see the node's own object under its id;
a collection's conditions see one item at a time as ``each``, every item must pass and at least as
many items must be observed as are desired. Each check returns ``None`` when ready, otherwise the
human reason the node is not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kro.graph.model import Node
from kro.runtime.errors import ExpressionPending
from kro.runtime.evaluation import evaluate_bool

Obj = Mapping[str, Any]


def scalar_not_ready(node: Node, observed: Obj | None, bindings: Mapping[str, Any]) -> str | None:
    if observed is None:
        return "not observed yet"
    scope = {**bindings, node.id: observed}
    return _first_false(node, scope)


def collection_not_ready(
    node: Node, observed: Sequence[Obj | None], bindings: Mapping[str, Any]
) -> str | None:
    present = [o for o in observed if o is not None]
    if len(present) < len(observed):
        return f"{len(present)} of {len(observed)} items observed"
    for index, item in enumerate(present):
        reason = _first_false(node, {**bindings, "each": item})
        if reason is not None:
            return f"item {index}: {reason}"
    return None


def _first_false(node: Node, scope: Mapping[str, Any]) -> str | None:
    for condition in node.ready_when:
        try:
            if not evaluate_bool(condition, scope):
                return f"readyWhen `{condition.source}` is false"
        except ExpressionPending as e:
            return f"readyWhen `{condition.source}`: {e.detail}"
    return None
