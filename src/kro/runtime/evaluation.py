"""Evaluating one compiled expression, with its failure sorted into *pending* or *failed*.

:class:`kro.graph.model.CompiledExpression` raises :class:`kro.cel.errors.EvaluationError`, whose
``pending`` attribute says whether the data is merely not there yet. This module is the one place that
looks at that attribute, so the rest of the planner deals only in :mod:`kro.runtime.errors`. A
pending failure names the missing field from the expression's checked field paths, so a user reads
``statefulset.status.readyReplicas is not set yet`` rather than the engine's wording. Errors name the
expression as the user wrote it (``${...}``), not as the engine received it."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
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


class ValueMemo:
    """The last value of each checked expression evaluated for one instance, with what it read:
    the values at its field paths, compared by ``repr`` (see :mod:`kro.runtime.memo`). An
    expression reads nothing else of its bindings, so the same inputs give the same value."""

    __slots__ = ("_values", "paths")

    def __init__(self, paths: PathBook | None = None) -> None:
        self.paths = paths or PathBook()
        self._values: dict[int, tuple[CheckedExpression, str, Any]] = {}

    def __len__(self) -> int:
        return len(self._values)

    def evaluate(self, expression: CompiledExpression, bindings: Mapping[str, Any]) -> Any:
        """:func:`evaluate` without this memo: the kept value when the inputs are the same."""
        if not isinstance(expression, CheckedExpression):
            return _evaluate(expression, bindings)
        paths = self.paths.of(expression, lambda: read_paths(expression))
        assert paths is not None
        key = repr([read_path(bindings, p) for p in paths])
        held = self._values.get(id(expression))
        if held is not None and held[0] is expression and held[1] == key:
            return copy_data(held[2])
        value = _evaluate(expression, bindings)
        self._values[id(expression)] = (expression, key, value)
        return copy_data(value)


Paths = tuple[tuple[str, ...], ...]


class PathBook:
    """The field paths each expression (or node template) of a graph reads, worked out once and
    shared by the memos of every reconcile of that graph."""

    __slots__ = ("_known",)

    def __init__(self) -> None:
        self._known: dict[int, tuple[object, Paths | None]] = {}

    def of(self, owner: object, compute: Callable[[], Paths | None]) -> Paths | None:
        """The paths of ``owner`` (an expression, a node): ``compute()`` the first time."""
        known = self._known.get(id(owner))
        if known is None or known[0] is not owner:
            known = (owner, compute())
            self._known[id(owner)] = known
        return known[1]


def read_paths(expression: CheckedExpression) -> tuple[tuple[str, ...], ...]:
    """The field paths ``expression`` reads; a variable read without one is read whole."""
    whole = expression.references - {p[0] for p in expression.field_paths}
    return tuple(sorted(expression.field_paths | {(r,) for r in whole}))


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


ABSENT = _Absent()


def read_path(bindings: Mapping[str, Any], path: tuple[str, ...]) -> tuple[int, Any]:
    """What an expression reading ``path`` can see of ``bindings``: how many steps of the path
    exist and the value there (the value itself where a step meets something that is not a map,
    as the engine would; :data:`ABSENT` where a key is missing)."""
    value: Any = bindings.get(path[0], ABSENT)
    if value is ABSENT:
        return 0, ABSENT
    depth = 1
    for name in path[1:]:
        if not isinstance(value, dict):
            return depth, value
        value = value.get(name, ABSENT)
        if value is ABSENT:
            return depth, ABSENT
        depth += 1
    return depth, value


def evaluate(
    expression: CompiledExpression, bindings: Mapping[str, Any], *, values: ValueMemo | None = None
) -> Any:
    """The value of ``expression``; raises :class:`ExpressionPending` or :class:`ExpressionFailed`.
    ``values``: the instance's values from earlier plans, to reuse."""
    remembered = bindings.evaluated if type(bindings) is PlanBindings else None
    if remembered is not None:
        hit = remembered.get(id(expression))
        if hit is not None and hit[0] is expression:
            return copy_data(hit[1])
    for reference in expression.references:
        if reference not in bindings:
            _check_bound(expression, bindings)
            break
    value = _evaluate(expression, bindings) if values is None else values.evaluate(expression, bindings)
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


def evaluate_bool(
    expression: CompiledExpression, bindings: Mapping[str, Any], *, values: ValueMemo | None = None
) -> bool:
    value = evaluate(expression, bindings, values=values)
    if not isinstance(value, bool):
        raise ExpressionFailed(written(expression), f"expected a bool, got {type(value).__name__}")
    return value
