"""Run-time guards an evaluating environment inserts into checked expressions
(:mod:`kro.cel.program`); internal names (``@kro.*``) that no expression can call itself.

- ``@kro.rangeSize(n)``: the argument of every ``lists.range(n)``: ``n`` itself, ``0`` when
  negative (upstream's empty list; the engine would fail to allocate), an error past
  :data:`MAX_RANGE` (the engine would allocate the whole list before any iteration budget applies).
- ``@kro.charge(n)`` and ``@kro.chargeText(n)``: add the cost of a list or map of ``n`` elements
  (:data:`ELEMENT_COST` each), or of a string or bytes of ``n`` characters (one per
  :data:`CHARACTERS_PER_UNIT`), to the evaluation's :class:`Meter`; they fail once its budget is
  spent and are ``true`` otherwise.
- ``@kro.withinBudget()``: whether the budget is not spent yet (a loop's condition asks it).
"""

from __future__ import annotations

from dataclasses import dataclass

from kro.cel.library.declarations import Function, Type, function, global_overload

RANGE_SIZE = "@kro.rangeSize"
CHARGE = "@kro.charge"
CHARGE_TEXT = "@kro.chargeText"
WITHIN_BUDGET = "@kro.withinBudget"
ELEMENT_COST = 4
"""Cost units per list element or map entry (an engine value takes some 16 to 32 bytes)."""
CHARACTERS_PER_UNIT = 4
"""Characters (or bytes) per cost unit, as Kubernetes prices string work."""
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

    @property
    def exceeded(self) -> bool:
        return self.spent > self.budget

    def within_budget(self) -> bool:
        return self.spent <= self.budget

    def failure(self) -> BudgetExceeded:
        return BudgetExceeded(
            f"cost limit: the values this evaluation builds exceed its budget of {self.budget} "
            f"(a list element or map entry costs {ELEMENT_COST}, {CHARACTERS_PER_UNIT} characters "
            "cost 1); make the lists and strings it combines smaller"
        )

    def charge(self, elements: int) -> bool:
        return self._add(1 + elements * ELEMENT_COST)

    def charge_text(self, characters: int) -> bool:
        return self._add(1 + characters // CHARACTERS_PER_UNIT)

    def _add(self, amount: int) -> bool:
        self.spent += amount
        if self.spent > self.budget:
            raise self.failure()
        return True


def declarations(meter: Meter) -> list[Function]:
    """The guards, charging ``meter``."""
    return [
        function(RANGE_SIZE, global_overload("kro_range_size_int", [Type.INT], Type.INT, range_size)),
        function(CHARGE, global_overload("kro_charge_int", [Type.INT], Type.BOOL, meter.charge)),
        function(
            CHARGE_TEXT, global_overload("kro_charge_text_int", [Type.INT], Type.BOOL, meter.charge_text)
        ),
        function(WITHIN_BUDGET, global_overload("kro_within_budget", [], Type.BOOL, meter.within_budget)),
    ]
