"""Set functions over lists (cel-go ``ext.Sets``, as offered by Kubernetes).

- ``sets.contains(a, b) -> bool``: every element of ``b`` is in ``a`` (true when ``b`` is empty).
- ``sets.equivalent(a, b) -> bool``: ``a`` and ``b`` hold the same values, ignoring order and
  duplicates.
- ``sets.intersects(a, b) -> bool``: ``a`` and ``b`` share at least one value.

Membership uses CEL equality, so ``1``, ``1u`` and ``1.0`` are one value.
"""

from __future__ import annotations

from typing import Any

from kro.cel.library.declarations import LIST_A, Function, Type, function, global_overload
from kro.cel.library.values import all_keys


def _contains(left: list[Any], right: list[Any]) -> bool:
    return all_keys(right) <= all_keys(left)


def _equivalent(left: list[Any], right: list[Any]) -> bool:
    return all_keys(left) == all_keys(right)


def _intersects(left: list[Any], right: list[Any]) -> bool:
    return not all_keys(left).isdisjoint(all_keys(right))


def declarations() -> list[Function]:
    """The set functions' declarations."""
    params, result = [LIST_A, LIST_A], Type.BOOL
    return [
        function("sets.contains", global_overload("list_sets_contains_list", params, result, _contains)),
        function(
            "sets.equivalent", global_overload("list_sets_equivalent_list", params, result, _equivalent)
        ),
        function(
            "sets.intersects", global_overload("list_sets_intersects_list", params, result, _intersects)
        ),
    ]
