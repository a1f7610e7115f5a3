"""List functions beyond the engine's: kro's index mutations and Kubernetes' list library.

cel-go's ``ext.Lists`` (``lists.range``, ``slice``, ``flatten``, ``sort``, ``sortBy``, ``distinct``,
``reverse``, ``first``, ``last``) is the engine's own ``lists`` extension, enabled through the
environment's configuration (:func:`kro.cel.library.engine_config`), not declared here.

kro:

- ``lists.setAtIndex(l, i, v)``: copy of ``l`` with element ``i`` replaced, ``0 <= i < size``.
- ``lists.insertAtIndex(l, i, v)``: copy with ``v`` inserted before ``i``, ``0 <= i <= size``.
- ``lists.removeAtIndex(l, i)``: copy without element ``i``, ``0 <= i < size``.

Kubernetes list library:

- ``l.isSorted() -> bool``; ``l.sum()`` (ints, or doubles; ``0`` for an empty list);
  ``l.min()`` / ``l.max()`` (an error for an empty list);
  ``l.indexOf(x)`` / ``l.lastIndexOf(x)`` (``-1`` when absent).

Results are declared ``list(dyn)`` / ``dyn`` because a generic result type cannot be returned from
Python.
"""

from __future__ import annotations

from typing import Any

from kro.cel.library.declarations import (
    LIST_A,
    LIST_DYN,
    Function,
    Type,
    function,
    global_overload,
    member_overload,
)
from kro.cel.library.errors import ArgumentTypeError, LibraryError
from kro.cel.library.values import check_int64, equality_key, sort_keys, type_name


def _check_index(function_name: str, index: int, size: int, *, inclusive: bool) -> None:
    upper = size + 1 if inclusive else size
    if not 0 <= index < upper:
        bracket = "]" if inclusive else ")"
        raise LibraryError(f"{function_name}: index {index} out of bounds [0, {size}{bracket}")


def _set_at_index(items: list[Any], index: int, value: object) -> list[Any]:
    _check_index("lists.setAtIndex", index, len(items), inclusive=False)
    return [*items[:index], value, *items[index + 1 :]]


def _insert_at_index(items: list[Any], index: int, value: object) -> list[Any]:
    _check_index("lists.insertAtIndex", index, len(items), inclusive=True)
    return [*items[:index], value, *items[index:]]


def _remove_at_index(items: list[Any], index: int) -> list[Any]:
    _check_index("lists.removeAtIndex", index, len(items), inclusive=False)
    return [*items[:index], *items[index + 1 :]]


def _is_sorted(items: list[Any]) -> bool:
    keys = sort_keys("isSorted", items)
    return all(not keys[i + 1] < keys[i] for i in range(len(keys) - 1))


def _sum(items: list[Any]) -> int | float:
    if any(isinstance(item, bool) or not isinstance(item, int | float) for item in items):
        bad = next(item for item in items if isinstance(item, bool) or not isinstance(item, int | float))
        raise ArgumentTypeError(f"sum: elements of type {type_name(bad)} cannot be added")
    if any(isinstance(item, float) for item in items):
        if not all(isinstance(item, float) for item in items):
            raise ArgumentTypeError("sum: elements must be all ints or all doubles")
        return float(sum(items))
    return check_int64("sum", sum(items))


def _extreme(function_name: str, items: list[Any], pick: Any) -> Any:
    if not items:
        raise LibraryError(f"{function_name}: called on an empty list")
    keys = sort_keys(function_name, items)
    return items[pick(range(len(items)), key=keys.__getitem__)]


def _index_of(items: list[Any], value: object) -> int:
    key = equality_key(value)
    return next((i for i, item in enumerate(items) if equality_key(item) == key), -1)


def _last_index_of(items: list[Any], value: object) -> int:
    key = equality_key(value)
    return next((i for i in range(len(items) - 1, -1, -1) if equality_key(items[i]) == key), -1)


def declarations() -> list[Function]:
    """The list functions' declarations."""
    int_, dyn, bool_ = Type.INT, Type.DYN, Type.BOOL
    return [
        function(
            "lists.setAtIndex",
            global_overload("lists_setAtIndex_list_int_dyn", [LIST_A, int_, dyn], LIST_DYN, _set_at_index),
        ),
        function(
            "lists.insertAtIndex",
            global_overload(
                "lists_insertAtIndex_list_int_dyn", [LIST_A, int_, dyn], LIST_DYN, _insert_at_index
            ),
        ),
        function(
            "lists.removeAtIndex",
            global_overload("lists_removeAtIndex_list_int", [LIST_A, int_], LIST_DYN, _remove_at_index),
        ),
        function("isSorted", member_overload("list_isSorted", [LIST_A], bool_, _is_sorted)),
        function("sum", member_overload("list_sum", [LIST_A], dyn, _sum)),
        function(
            "min", member_overload("list_min", [LIST_A], dyn, lambda items: _extreme("min", items, min))
        ),
        function(
            "max", member_overload("list_max", [LIST_A], dyn, lambda items: _extreme("max", items, max))
        ),
        function("indexOf", member_overload("list_indexOf_dyn", [LIST_A, dyn], int_, _index_of)),
        function("lastIndexOf", member_overload("list_lastIndexOf_dyn", [LIST_A, dyn], int_, _last_index_of)),
    ]
