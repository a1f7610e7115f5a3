"""Run-time guards an evaluating environment inserts into checked expressions
(:mod:`kro.cel.program`); internal names (``@kro.*``) that no expression can call itself.

- ``@kro.rangeSize(n)``: the argument of every ``lists.range(n)``: ``n`` itself, ``0`` when
  negative (upstream's empty list; the engine would fail to allocate), an error past
  :data:`MAX_RANGE` (the engine would allocate the whole list before any iteration budget applies).
- ``@kro.charge(n)``: adds ``n`` to the evaluation's :class:`Meter` and fails once its budget is
  spent; always ``true`` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from kro.cel.library.declarations import Function, Type, function, global_overload

RANGE_SIZE = "@kro.rangeSize"
CHARGE = "@kro.charge"
MAX_RANGE = 100_000
"""Elements ``lists.range`` may build in one call (the engine iterates at most about 10,000)."""


class BudgetExceeded(ValueError):
    """An evaluation spent its cost budget. The message carries "cost limit", which
    :mod:`kro.cel.status` reads as an engine limit."""


def range_size(n: int) -> int:
    if n > MAX_RANGE:
        raise BudgetExceeded(
            f"cost limit: lists.range({n}) would build {n} elements, at most {MAX_RANGE} are allowed"
        )
    return max(n, 0)


@dataclass
class Meter:
    """The cost an evaluation has spent: the sizes (elements, characters, bytes) of the values it
    built. One meter serves one environment family, reset before each evaluation; evaluations
    of one family do not run concurrently."""

    budget: int = 0
    spent: int = 0

    def reset(self, budget: int) -> None:
        self.budget, self.spent = budget, 0

    def charge(self, amount: int) -> bool:
        self.spent += max(amount, 1)
        if self.spent > self.budget:
            raise BudgetExceeded(
                f"cost limit: the evaluation built values of total size over {self.budget} "
                "(elements, characters and bytes); reduce the sizes it combines"
            )
        return True


def declarations(meter: Meter) -> list[Function]:
    """The guards, charging ``meter``."""
    return [
        function(RANGE_SIZE, global_overload("kro_range_size_int", [Type.INT], Type.INT, range_size)),
        function(CHARGE, global_overload("kro_charge_int", [Type.INT], Type.BOOL, meter.charge)),
    ]
