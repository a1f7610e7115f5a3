"""``forEach``: expanding a collection node into its items.

Dimensions form a cartesian product with the first dimension as the outer loop; any empty dimension
gives zero items. Each item's bindings add one entry per iterator name."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kro.graph.model import Node
from kro.runtime.errors import CollectionError
from kro.runtime.evaluation import evaluate


@dataclass(frozen=True)
class CollectionLimits:
    max_items: int = 1000
    max_dimensions: int = 10


def expand(node: Node, bindings: Mapping[str, Any], *, limits: CollectionLimits) -> list[dict[str, Any]]:
    """The bindings of every item, in item order. Raises :class:`CollectionError` or an expression error."""
    if len(node.for_each) > limits.max_dimensions:
        raise CollectionError(
            f"forEach has {len(node.for_each)} dimensions; at most {limits.max_dimensions} are allowed"
        )
    values: list[list[Any]] = []
    for dim in node.for_each:
        value = evaluate(dim.expression, bindings)
        if not isinstance(value, list | tuple):
            raise CollectionError(f"forEach `{dim.name}` must be a list, got {type(value).__name__}")
        values.append(list(value))
    total = math.prod(len(v) for v in values)
    if total > limits.max_items:
        raise CollectionError(f"forEach expands to {total} items; at most {limits.max_items} are allowed")
    names = [d.name for d in node.for_each]
    return [{**bindings, **dict(zip(names, combo, strict=True))} for combo in itertools.product(*values)]
