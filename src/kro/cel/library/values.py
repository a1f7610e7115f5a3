"""CEL value semantics over the plain Python values the engine hands to library functions.

Python's own equality and ordering differ from CEL's: ``True == 1`` in Python but not in CEL,
while CEL's numeric equality is heterogeneous (``1 == 1.0``).  Library functions that compare
elements (``distinct``, ``indexOf``, ``sets.*``, ``sort``, ``min``/``max``) use these helpers so
that they agree with the engine's own ``==`` and ``<``.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

from kro.cel.library.errors import ArgumentTypeError, LibraryError

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def type_name(value: object) -> str:
    """The CEL name of the type of ``value``, for error messages."""
    if value is None:
        return "null_type"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes | bytearray):
        return "bytes"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, datetime.datetime):
        return "google.protobuf.Timestamp"
    if isinstance(value, datetime.timedelta):
        return "google.protobuf.Duration"
    full_name = getattr(getattr(value, "DESCRIPTOR", None), "full_name", None)
    return full_name if isinstance(full_name, str) else type(value).__name__


def equality_key(value: object) -> Hashable:
    """A hashable key such that two values have equal keys exactly when CEL says they are equal."""
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, bytes | bytearray):
        return ("bytes", bytes(value))
    if isinstance(value, list):
        return ("list", tuple(equality_key(item) for item in value))
    if isinstance(value, dict):
        return ("map", frozenset((equality_key(k), equality_key(v)) for k, v in value.items()))
    if isinstance(value, datetime.datetime | datetime.timedelta):
        return (type_name(value), value)
    serialize = getattr(value, "SerializeToString", None)
    if serialize is not None:
        return ("message", type_name(value), serialize(deterministic=True))
    raise ArgumentTypeError(f"unsupported value of type {type_name(value)}")


def cel_equal(left: object, right: object) -> bool:
    """CEL equality of two values."""
    return equality_key(left) == equality_key(right)


_ORDER_CLASSES: dict[type, str] = {
    bool: "bool",
    int: "number",
    float: "number",
    str: "string",
    bytes: "bytes",
    bytearray: "bytes",
    datetime.datetime: "timestamp",
    datetime.timedelta: "duration",
}


def sort_keys(function: str, items: Sequence[Any]) -> Sequence[Any]:
    """Keys to order ``items`` as CEL's ``<`` does; all items must be of one comparable kind.

    Numbers (int, uint, double) compare with each other; strings, bytes, bools, timestamps and
    durations only with their own kind.  Anything else is an error naming ``function``.  The
    keys are ``items`` itself unless some need converting (bytes).
    """
    kinds = {_ORDER_CLASSES.get(type(item), "") for item in items}
    if "" in kinds:
        bad = next(item for item in items if type(item) not in _ORDER_CLASSES)
        raise ArgumentTypeError(f"{function}: elements of type {type_name(bad)} are not comparable")
    if len(kinds) > 1:
        raise ArgumentTypeError(
            f"{function}: elements must all be of one comparable type, got {sorted(kinds)}"
        )
    if kinds == {"number"} and any(item != item for item in items):
        raise LibraryError(f"{function}: NaN cannot be ordered")
    if kinds == {"bytes"}:
        return [bytes(item) for item in items]
    return items


def check_int64(function: str, value: int) -> int:
    """``value`` if it fits CEL's int, else an overflow error naming ``function``."""
    if not INT64_MIN <= value <= INT64_MAX:
        raise LibraryError(f"{function}: integer overflow")
    return value


def require_list(function: str, value: object) -> list[Any]:
    """``value`` if it is a list, else a type error naming ``function``."""
    if not isinstance(value, list):
        raise ArgumentTypeError(f"{function}: expected a list, got {type_name(value)}")
    return value


def require_int(function: str, what: str, value: object) -> int:
    """``value`` if it is an int (not a bool), else a type error."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentTypeError(f"{function}: {what} must be an int, got {type_name(value)}")
    return value


def require_string(function: str, what: str, value: object) -> str:
    """``value`` if it is a string, else a type error."""
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{function}: {what} must be a string, got {type_name(value)}")
    return value


def all_keys(items: Iterable[object]) -> set[Hashable]:
    """The set of CEL equality keys of ``items``."""
    return {equality_key(item) for item in items}
