"""The cost of evaluating an expression: what may grow large, and the budget it must stay in.

An evaluation runs inside the controller's process, so one instance's data must not be able to
make it allocate without bound. Three bounds apply:

* the engine's own iteration budget (about 10,000 comprehension iterations per evaluation);
* ``lists.range(n)`` refuses ``n`` above :data:`kro.cel.library.MAX_RANGE` before the engine
  allocates the list;
* a *metered* program charges the size of every string, bytes, list and map it builds (elements,
  characters) to a per-evaluation budget of :data:`COST_LIMIT` and stops with a
  :class:`~kro.cel.errors.LimitError` once it is spent (:mod:`kro.cel.program`).

Metering costs a call into Python per built value, so it is applied only where values can grow
faster than the data the expression reads: expressions with a comprehension (``map``, ``filter``,
``all``, ``cel.bind``, ``sortBy``, two-variable comprehensions...), where one step repeats up to the
iteration budget, or with ``replace``, whose result can be the product of its arguments' sizes.
Any other expression builds values whose total size is at most its own length times the size of
what it reads, which the API server already bounds.

At compile time, :func:`estimated_iterations` bounds how many comprehension iterations an
evaluation may run, from the sizes the schemas declare (``maxItems``, ``maxProperties``,
``maxLength``, and ``maximum`` of a ``lists.range`` argument) and literals, as kube-apiserver
estimates the cost of a CRD validation rule. An expression that the declared sizes allow to run
past the engine's budget is refused with a located error (:func:`check_estimate`), rather than
failing later on the instances that reach those sizes. Where a size is not declared there is no
estimate and the run-time bounds above apply.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kro.cel.ast import children
from kro.cel.types import CelType, Kind

COST_LIMIT = 1_000_000
"""Per evaluation: the cost of the values a metered program may build (see
:mod:`kro.cel.library.guards` for the prices)."""
ITERATION_BUDGET = 9_999
"""Comprehension iterations the engine runs per evaluation before it stops it."""

_MULTIPLYING = frozenset({"replace"})


def needs_metering(expr: Any) -> bool:
    """Whether the checked tree ``expr`` has a comprehension or a size-multiplying call."""
    stack = [expr]
    while stack:
        e = stack.pop()
        kind = e.WhichOneof("expr_kind")
        if kind == "comprehension_expr":
            return True
        if kind == "call_expr" and e.call_expr.function in _MULTIPLYING:
            return True
        stack.extend(children(e))
    return False


def estimated_iterations(expr: Any, types: Mapping[int, CelType]) -> int | None:
    """The most comprehension iterations evaluating ``expr`` can take, given the sizes its
    schemas declare; ``None`` when that depends on a size nothing declares."""
    return _Estimator(types).iterations(expr)


def check_estimate(expr: Any, types: Mapping[int, CelType]) -> str | None:
    """Why ``expr`` is refused (its declared sizes allow more iterations than an evaluation may
    run), or ``None``."""
    total = estimated_iterations(expr, types)
    if total is None or total <= ITERATION_BUDGET:
        return None
    return (
        f"estimated cost exceeds the budget: the declared sizes (maxItems, maxProperties, maxLength, "
        f"maximum) let this expression iterate up to {total} times, and an evaluation may iterate "
        f"at most {ITERATION_BUDGET}; lower those bounds or iterate over less"
    )


_SAME_SIZE_METHODS = frozenset({"sort", "distinct", "reverse", "slice", "sortBy"})


class _Estimator:
    def __init__(self, types: Mapping[int, CelType]) -> None:
        self.types = types

    def iterations(self, e: Any) -> int | None:
        if e.WhichOneof("expr_kind") != "comprehension_expr":
            return _total(self.iterations(child) for child in children(e))
        c = e.comprehension_expr
        outside = _total(self.iterations(x) for x in (c.iter_range, c.accu_init, c.result))
        count = self.size(c.iter_range)
        if outside is None or count is None:
            return None
        if count == 0:
            return outside
        per_step = _total(self.iterations(x) for x in (c.loop_condition, c.loop_step))
        return None if per_step is None else outside + count * (1 + per_step)

    def size(self, e: Any) -> int | None:
        """The most elements (or characters) the value of ``e`` can have."""
        kind = e.WhichOneof("expr_kind")
        if kind == "list_expr":
            return len(e.list_expr.elements)
        if kind == "struct_expr":
            return len(e.struct_expr.entries)
        if kind == "const_expr":
            which = e.const_expr.WhichOneof("constant_kind")
            return len(getattr(e.const_expr, which)) if which in ("string_value", "bytes_value") else 1
        if kind == "select_expr":
            return _declared(self._field_schema(e), "maxItems", "maxProperties", "maxLength")
        if kind == "comprehension_expr":
            c = e.comprehension_expr
            bind = c.iter_range.WhichOneof("expr_kind") == "list_expr" and not c.iter_range.list_expr.elements
            return self.size(c.result) if bind else self.size(c.iter_range)
        if kind == "call_expr":
            call = e.call_expr
            if call.function == "lists.range" and len(call.args) == 1:
                return self.value(call.args[0])
            if call.function in _SAME_SIZE_METHODS and call.HasField("target"):
                return self.size(call.target)
        return None

    def value(self, e: Any) -> int | None:
        """The largest integer ``e`` can be."""
        kind = e.WhichOneof("expr_kind")
        if kind == "const_expr" and e.const_expr.WhichOneof("constant_kind") == "int64_value":
            return max(int(e.const_expr.int64_value), 0)
        if kind == "select_expr":
            return _declared(self._field_schema(e), "maximum")
        if kind == "call_expr" and e.call_expr.function == "size" and e.call_expr.args:
            return self.size(e.call_expr.args[-1])
        return None

    def _field_schema(self, e: Any) -> Mapping[str, Any] | None:
        operand = self.types.get(e.select_expr.operand.id)
        if operand is None or operand.kind != Kind.OBJECT or operand.schema is None:
            return None
        field = (operand.schema.get("properties") or {}).get(e.select_expr.field)
        return field if isinstance(field, Mapping) else None


def _declared(schema: Mapping[str, Any] | None, *keys: str) -> int | None:
    if schema is None:
        return None
    for key in keys:
        value = schema.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return max(int(value), 0)
    return None


def _total(parts: Iterator[int | None]) -> int | None:
    total = 0
    for part in parts:
        if part is None:
            return None
        total += part
    return total
