"""``includeWhen``: whether a node takes part in this instance at all.

Every condition must be true. A false one makes the node SKIPPED, and skipping is contagious: the
planner skips every dependent of a skipped node too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kro.graph.model import Node
from kro.runtime.evaluation import evaluate_bool


def excluded_by(node: Node, bindings: Mapping[str, Any]) -> str | None:
    """The source of the first false condition, or ``None`` when the node is included. Raises
    :class:`~kro.runtime.errors.ExpressionPending` / :class:`~kro.runtime.errors.ExpressionFailed`."""
    for condition in node.include_when:
        if not evaluate_bool(condition, bindings):
            return condition.source
    return None
