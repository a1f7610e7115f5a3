"""Quantity functions (the Kubernetes quantity library).

- ``quantity(s) -> kro.cel.Quantity``: parse a Kubernetes quantity (``1Gi``, ``500m``, ``1.5``,
  ``2e3``...); an error naming the string when it is not one.  ``isQuantity(s) -> bool``.
- ``q.add(r)`` / ``q.sub(r)`` with ``r`` a quantity or an int -> quantity.
- ``q.sign() -> int``, ``q.isInteger() -> bool``, ``q.asInteger() -> int`` (an error when not an
  integer in int's range), ``q.asApproximateFloat() -> double``.
- ``q.compareTo(r)``, ``q.isGreaterThan(r)``, ``q.isLessThan(r)``: see
  :mod:`kro.cel.library.comparison`.

A quantity is a ``kro.cel.Quantity`` message whose ``value`` is the canonical decimal spelling of
its exact value (``quantity('1Gi')`` holds ``"1073741824"``, ``quantity('1.5')`` holds
``"1500m"``), so ``==`` between quantities compares values, as in Kubernetes.
"""

from __future__ import annotations

from typing import Any

from kro.api.quantity import NANO, QuantityError, QuantityValue, is_quantity, parse_quantity
from kro.cel.library import messages
from kro.cel.library.declarations import Function, Type, function, global_overload, member_overload
from kro.cel.library.errors import LibraryError


def make(value: QuantityValue) -> Any:
    """The Quantity message for ``value``."""
    return messages.new(messages.QUANTITY, value=value.canonical())


def value_of(message: Any) -> QuantityValue:
    """The exact value held by a Quantity message."""
    return parse_quantity(message.value)


def _quantity(text: str) -> Any:
    try:
        return make(parse_quantity(text))
    except QuantityError as e:
        raise LibraryError(f"quantity({text!r}): {e}") from None


def _as_integer(message: Any) -> int:
    value = value_of(message)
    if not value.is_integer():
        raise LibraryError(f"asInteger: quantity {message.value} is not an integer in the int range")
    return value.nanos // NANO


def _combine(receiver: Any, other: Any, sign: int) -> Any:
    other_nanos = other * NANO if isinstance(other, int) else value_of(other).nanos
    return make(QuantityValue(value_of(receiver).nanos + sign * other_nanos))


def declarations() -> list[Function]:
    """The quantity functions' declarations."""
    q = messages.cel_type(messages.QUANTITY)
    int_ = Type.INT
    return [
        function("quantity", global_overload("string_to_quantity", [Type.STRING], q, _quantity)),
        function("isQuantity", global_overload("is_quantity_string", [Type.STRING], Type.BOOL, is_quantity)),
        function("sign", member_overload("quantity_sign", [q], int_, lambda m: value_of(m).sign())),
        function(
            "isInteger",
            member_overload("quantity_isInteger", [q], Type.BOOL, lambda m: value_of(m).is_integer()),
        ),
        function("asInteger", member_overload("quantity_asInteger", [q], int_, _as_integer)),
        function(
            "asApproximateFloat",
            member_overload(
                "quantity_asApproximateFloat", [q], Type.DOUBLE, lambda m: value_of(m).nanos / NANO
            ),
        ),
        function(
            "add",
            member_overload("quantity_add", [q, q], q, lambda a, b: _combine(a, b, 1)),
            member_overload("quantity_add_int", [q, int_], q, lambda a, b: _combine(a, b, 1)),
        ),
        function(
            "sub",
            member_overload("quantity_sub", [q, q], q, lambda a, b: _combine(a, b, -1)),
            member_overload("quantity_sub_int", [q, int_], q, lambda a, b: _combine(a, b, -1)),
        ),
    ]
