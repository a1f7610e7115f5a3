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
from kro.runtime.evaluation import evaluate_bool, written

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
        return f"{len(present)} of {len(observed)} item{'' if len(observed) == 1 else 's'} observed"
    for index, reason in enumerate(items_not_ready(node, observed, bindings)):
        if reason is not None:
            return f"item {index}: {reason}"
    return None


def items_not_ready(
    node: Node, observed: Sequence[Obj | None], bindings: Mapping[str, Any]
) -> list[str | None]:
    """Each item's own reason it is not ready (``None`` when it is), in item order."""
    return [
        "not observed yet" if item is None else _first_false(node, {**bindings, "each": item})
        for item in observed
    ]


def _first_false(node: Node, scope: Mapping[str, Any]) -> str | None:
    for condition in node.ready_when:
        try:
            if not evaluate_bool(condition, scope):
                return f"readyWhen `{written(condition)}` is false"
        except ExpressionPending as e:
            return f"readyWhen `{written(condition)}`: {e.detail}"
    return None
