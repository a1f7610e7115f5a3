"""kro's ``runtime`` functions for custom status conditions, allowed only in ``status.conditions``.

- ``runtime.newCondition({'type': T, 'status': S, 'reason': R, 'message': M}) -> kro.run.Condition``:
  a condition from a map of strings.  ``type`` (non-empty) and ``status`` (``True``, ``False`` or
  ``Unknown``) are required; ``reason`` and ``message`` default to ``""``; any other key is an
  error.
- ``runtime.condition(obj, type) -> kro.run.Condition``: the condition of that type in
  ``obj.status.conditions``, or an empty condition (all fields ``""``) when there is none.  An
  error when ``obj``, ``obj.status`` or ``obj.status.conditions`` has the wrong shape.

A Condition's fields are read as ``c.type``, ``c.status``, ``c.reason``, ``c.message``.

Upstream kro lets authors write the keys as bare identifiers (``{type: 'X', status: 'True'}``)
through a parser macro.  cel-expr-python offers no macros, and in plain CEL ``type`` is the
type-of-types value, so keys must be quoted here unless the expression is rewritten before
compilation (see :func:`kro.cel.library.condition_keys.quote_condition_keys`).
"""

from __future__ import annotations

from typing import Any

from kro.cel.library import messages
from kro.cel.library.declarations import MAP_STRING_STRING, Function, Type, function, global_overload
from kro.cel.library.errors import ArgumentTypeError, LibraryError
from kro.cel.library.values import type_name

VALID_STATUSES = ("True", "False", "Unknown")


def new_condition(fields: dict[str, Any]) -> Any:
    """A Condition message from ``fields`` after validating keys and values."""
    unknown = sorted(set(fields) - set(messages.CONDITION_FIELDS))
    if unknown:
        raise LibraryError(
            f"runtime.newCondition: unknown key {unknown[0]!r} (allowed: type, status, reason, message)"
        )
    for required in ("type", "status"):
        if required not in fields:
            raise LibraryError(f"runtime.newCondition: {required!r} is required")
    for key, value in fields.items():
        if not isinstance(value, str):
            raise ArgumentTypeError(f"runtime.newCondition: {key} must be a string, got {type_name(value)}")
    if not fields["type"]:
        raise LibraryError("runtime.newCondition: type must not be empty")
    if fields["status"] not in VALID_STATUSES:
        raise LibraryError(
            f"runtime.newCondition: status must be one of True, False, Unknown (got {fields['status']!r})"
        )
    return messages.new(messages.CONDITION, **fields)


def _read(entry: dict[Any, Any], key: str) -> str:
    value = entry.get(key, "")
    return value if isinstance(value, str) else ""


def find_condition(obj: object, condition_type: str) -> Any:
    """The condition named ``condition_type`` in ``obj.status.conditions``, or an empty one."""
    if not isinstance(obj, dict):
        raise ArgumentTypeError(f"runtime.condition: obj must be an object, got {type_name(obj)}")
    status = obj.get("status")
    if status is None and "status" not in obj:
        return messages.new(messages.CONDITION)
    if not isinstance(status, dict):
        raise ArgumentTypeError("runtime.condition: obj.status must be an object")
    if "conditions" not in status:
        return messages.new(messages.CONDITION)
    conditions = status["conditions"]
    if not isinstance(conditions, list):
        raise ArgumentTypeError("runtime.condition: obj.status.conditions must be a list")
    for entry in conditions:
        if messages.type_name_of(entry) == messages.CONDITION:
            entry = messages.native_value(entry)
        if not isinstance(entry, dict):
            raise ArgumentTypeError(
                f"runtime.condition: unexpected condition element type {type_name(entry)}"
            )
        if _read(entry, "type") == condition_type:
            return messages.new(messages.CONDITION, **{k: _read(entry, k) for k in messages.CONDITION_FIELDS})
    return messages.new(messages.CONDITION)


def declarations() -> list[Function]:
    """The runtime functions' declarations."""
    condition = messages.cel_type(messages.CONDITION)
    return [
        function(
            "runtime.newCondition",
            global_overload("runtime_newCondition_map", [MAP_STRING_STRING], condition, new_condition),
        ),
        function(
            "runtime.condition",
            global_overload(
                "runtime_condition_dyn_string", [Type.DYN, Type.STRING], condition, find_condition
            ),
        ),
    ]
