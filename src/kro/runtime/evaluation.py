"""Evaluating one compiled expression, with its failure sorted into *pending* or *failed*.

:class:`kro.graph.model.CompiledExpression` raises :class:`kro.cel.errors.EvaluationError`, whose
``pending`` attribute says whether the data is merely not there yet. This module is the one place that
looks at that attribute, so the rest of the planner deals only in :mod:`kro.runtime.errors`. A
pending failure names the missing field from the expression's checked field paths, so a user reads
``statefulset.status.readyReplicas is not set yet`` rather than the engine's wording. Errors name the
expression as the user wrote it (``${...}``), not as the engine received it."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from kro.cel import CheckedExpression
from kro.cel.errors import CELError, EvaluationError
from kro.graph.model import CompiledExpression
from kro.runtime.errors import ExpressionFailed, ExpressionPending


def written(expression: CompiledExpression) -> str:
    """``expression`` as it appears in an RGD: ``${...}`` around its CEL source."""
    return f"${{{expression.source}}}"


def roots(expression: CompiledExpression) -> frozenset[str]:
    """The identifiers ``expression`` reads (``schema``, resource ids, iterators)."""
    return frozenset(r.split(".", 1)[0] for r in expression.references)


class PlanBindings(dict[str, Any]):
    """The bindings of one plan, remembering the value of every expression evaluated on them.

    A plan only ever adds bindings (a node's observed object, once): an expression that evaluated
    once evaluates to the same value for the rest of the plan, so the value is kept, by expression,
    and each later evaluation gets its own copy. Bindings derived from these (a collection item's,
    a node's own readiness scope) are plain dicts and evaluate afresh."""

    __slots__ = ("evaluated",)

    def __init__(self, bindings: Mapping[str, Any]) -> None:
        super().__init__(bindings)
        self.evaluated: dict[int, tuple[CompiledExpression, Any]] = {}


def evaluate(expression: CompiledExpression, bindings: Mapping[str, Any]) -> Any:
    """The value of ``expression``; raises :class:`ExpressionPending` or :class:`ExpressionFailed`."""
    remembered = bindings.evaluated if type(bindings) is PlanBindings else None
    if remembered is not None:
        hit = remembered.get(id(expression))
        if hit is not None and hit[0] is expression:
            return copy_data(hit[1])
    for reference in expression.references:
        if reference not in bindings:
            _check_bound(expression, bindings)
            break
    value = _evaluate(expression, bindings)
    if remembered is not None:
        remembered[id(expression)] = (expression, value)
        return copy_data(value)
    return value


def _check_bound(expression: CompiledExpression, bindings: Mapping[str, Any]) -> None:
    missing = sorted(roots(expression) - bindings.keys())
    if missing:
        # A reference with no binding is a node that is not observed (or is skipped): wait for it.
        raise ExpressionPending(written(expression), f"{', '.join(missing)} not observed yet")


def _evaluate(expression: CompiledExpression, bindings: Mapping[str, Any]) -> Any:
    try:
        return expression.evaluate(bindings)
    except EvaluationError as e:
        if e.pending:
            absent = missing_field(expression, bindings)
            raise ExpressionPending(written(expression), e.message, missing=absent) from e
        raise ExpressionFailed(written(expression), e.message) from e
    except CELError as e:  # a limit of the engine, hit at evaluation time
        raise ExpressionFailed(written(expression), e.message) from e


def copy_data(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, scalars), several times faster than
    :func:`copy.deepcopy`; anything else inside is deep-copied the usual way."""
    kind = type(value)
    if kind is dict:
        return {k: copy_data(v) for k, v in value.items()}
    if kind is list:
        return [copy_data(v) for v in value]
    if kind in _IMMUTABLE:
        return value
    return copy.deepcopy(value)


_IMMUTABLE = frozenset({str, int, float, bool, type(None), bytes})


def missing_field(expression: CompiledExpression, bindings: Mapping[str, Any]) -> str:
    """The first field path the expression reads (in path order) that ``bindings`` do not hold, as
    ``a.b.c``; empty when every path resolves or the expression does not list its paths. The engine's
    "no such key" message is not structured; the checked expression's own paths are."""
    if not isinstance(expression, CheckedExpression):
        return ""
    for path in sorted(expression.field_paths):
        value: Any = bindings
        for step in path:
            if not isinstance(value, Mapping) or value.get(step) is None:
                return ".".join(path)
            value = value[step]
    return ""


def evaluate_bool(expression: CompiledExpression, bindings: Mapping[str, Any]) -> bool:
    value = evaluate(expression, bindings)
    if not isinstance(value, bool):
        raise ExpressionFailed(written(expression), f"expected a bool, got {type(value).__name__}")
    return value
