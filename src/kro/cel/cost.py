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
"""

from __future__ import annotations

from typing import Any

COST_LIMIT = 1_000_000
"""Per evaluation: the total size of the values a metered program may build."""

_MULTIPLYING = frozenset({"replace"})


def needs_metering(expr: Any) -> bool:
    """Whether the checked tree ``expr`` has a comprehension or a size-multiplying call."""
    stack = [expr]
    while stack:
        e = stack.pop()
        kind = e.WhichOneof("expr_kind")
        if kind == "comprehension_expr":
            return True
        if kind == "call_expr":
            if e.call_expr.function in _MULTIPLYING:
                return True
            if e.call_expr.HasField("target"):
                stack.append(e.call_expr.target)
            stack.extend(e.call_expr.args)
        elif kind == "select_expr":
            stack.append(e.select_expr.operand)
        elif kind == "list_expr":
            stack.extend(e.list_expr.elements)
        elif kind == "struct_expr":
            for entry in e.struct_expr.entries:
                if entry.HasField("map_key"):
                    stack.append(entry.map_key)
                stack.append(entry.value)
    return False
