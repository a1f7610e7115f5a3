"""``includeWhen``: whether a node takes part in this instance at all.

Every condition must be true. A false one makes the node SKIPPED, and skipping is contagious: the
planner skips every dependent of a skipped node too."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kro.graph.model import CompiledExpression
from kro.runtime.evaluation import evaluate_bool, written


def excluded_by(conditions: Iterable[CompiledExpression], bindings: Mapping[str, Any]) -> str | None:
    """The source (as written, ``${...}``) of the first false condition, or ``None`` when none is
    false. Raises :class:`~kro.runtime.errors.ExpressionPending` /
    :class:`~kro.runtime.errors.ExpressionFailed`."""
    for condition in conditions:
        if not evaluate_bool(condition, bindings):
            return written(condition)
    return None
