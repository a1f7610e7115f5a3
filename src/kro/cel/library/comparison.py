"""Ordering functions shared by quantities and semantic versions (Kubernetes libraries).

- ``a.compareTo(b) -> int``: -1, 0 or 1.
- ``a.isGreaterThan(b) -> bool``, ``a.isLessThan(b) -> bool``.

``a`` and ``b`` must both be quantities or both be versions.  The engine cannot register two
overloads whose arguments are both messages, so these are declared once over ``dyn`` and dispatch
on the message type; mixing kinds is an evaluation error rather than a type-check error.
"""

from __future__ import annotations

from typing import Any

from kro.cel.library import messages, quantity, semver
from kro.cel.library.declarations import Function, Type, function, member_overload
from kro.cel.library.errors import ArgumentTypeError
from kro.cel.library.values import type_name


def compare(function_name: str, left: Any, right: Any) -> int:
    """-1, 0 or 1 as ``left`` orders before, with, or after ``right``."""
    kinds = (messages.type_name_of(left), messages.type_name_of(right))
    if kinds == (messages.QUANTITY, messages.QUANTITY):
        a, b = quantity.value_of(left), quantity.value_of(right)
        return (a > b) - (a < b)
    if kinds == (messages.SEMVER, messages.SEMVER):
        return int(semver.version_of(left).compare(semver.version_of(right)))
    raise ArgumentTypeError(
        f"{function_name}: expected two quantities or two semantic versions, "
        f"got {type_name(left)} and {type_name(right)}"
    )


def declarations() -> list[Function]:
    """The ordering functions' declarations."""
    dyn = Type.DYN
    return [
        function(
            "compareTo",
            member_overload("compareTo_dyn", [dyn, dyn], Type.INT, lambda a, b: compare("compareTo", a, b)),
        ),
        function(
            "isGreaterThan",
            member_overload(
                "isGreaterThan_dyn", [dyn, dyn], Type.BOOL, lambda a, b: compare("isGreaterThan", a, b) > 0
            ),
        ),
        function(
            "isLessThan",
            member_overload(
                "isLessThan_dyn", [dyn, dyn], Type.BOOL, lambda a, b: compare("isLessThan", a, b) < 0
            ),
        ),
    ]
