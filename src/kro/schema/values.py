"""Does a JSON value satisfy an OpenAPI node? Used to check ``default=`` values before the API server
sees them: a default that breaks its own field's enum, bounds or shape makes the whole CRD invalid,
and saying so at the marker is far clearer than the API server's answer.

Covers the subset of OpenAPI that SimpleSchema produces: type, enum, minimum/maximum,
minLength/maxLength, pattern, minItems/maxItems, set and map list uniqueness, items, properties,
required, additionalProperties and preserve-unknown-fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "array": (list,),
    "object": (dict,),
}


def value_problems(schema: Mapping[str, Any], value: Any, where: str = "") -> list[str]:
    """Every way ``value`` breaks ``schema``; empty when it fits."""
    at = f" at {where}" if where else ""
    expected = schema.get("type")
    if expected and not _has_type(value, expected):
        return [f"expected {_a(expected)}{at}, found {_describe(value)}"]
    problems: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(json.dumps(v) for v in schema["enum"])
        problems.append(f"{json.dumps(value)}{at} is not one of the enum values {allowed}")
    problems += _bound_problems(schema, value, at)
    if isinstance(value, list):
        problems += _list_problems(schema, value, where)
    elif isinstance(value, dict):
        problems += _object_problems(schema, value, where)
    return problems


def _has_type(value: Any, expected: str) -> bool:
    if isinstance(value, bool) and expected != "boolean":
        return False  # bool is an int subclass in Python, never in JSON
    return isinstance(value, _PY_TYPES.get(expected, (object,)))


def _bound_problems(schema: Mapping[str, Any], value: Any, at: str) -> list[str]:
    problems = []
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{value}{at} is less than the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{value}{at} is greater than the maximum {schema['maximum']}")
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            problems.append(f"{value!r}{at} is shorter than minLength {schema['minLength']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(f"{value!r}{at} is longer than maxLength {schema['maxLength']}")
        if "pattern" in schema and not _matches(schema["pattern"], value):
            problems.append(f"{value!r}{at} does not match the pattern {schema['pattern']!r}")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            problems.append(f"list{at} has {len(value)} items, fewer than minItems {schema['minItems']}")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            problems.append(f"list{at} has {len(value)} items, more than maxItems {schema['maxItems']}")
    return problems


def _matches(pattern: str, value: str) -> bool:
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return True  # an RE2-only spelling Python cannot run; the API server will check it


def _list_problems(schema: Mapping[str, Any], value: list[Any], where: str) -> list[str]:
    problems: list[str] = []
    items = schema.get("items")
    if isinstance(items, Mapping):
        for i, item in enumerate(value):
            problems += value_problems(items, item, f"{where}[{i}]")
    list_type = schema.get("x-kubernetes-list-type")
    if list_type == "set":
        keys = [json.dumps(v, sort_keys=True) for v in value]
        if len(set(keys)) != len(keys):
            problems.append(f"list{' at ' + where if where else ''} has duplicate items but is a set")
    elif list_type == "map":
        names = schema.get("x-kubernetes-list-map-keys") or []
        keys = [json.dumps([v.get(k) for k in names]) for v in value if isinstance(v, dict)]
        if len(set(keys)) != len(keys):
            problems.append(f"list{' at ' + where if where else ''} has two items with the same {names}")
    return problems


def _object_problems(schema: Mapping[str, Any], value: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    props: Mapping[str, Any] = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    for name in schema.get("required") or []:
        if name not in value and "default" not in props.get(name, {}):
            problems.append(f"required field {_join(where, name)!r} is missing")
    for key, item in value.items():
        if key in props:
            problems += value_problems(props[key], item, _join(where, key))
        elif isinstance(extra, Mapping):
            problems += value_problems(extra, item, _join(where, key))
        elif props and not schema.get("x-kubernetes-preserve-unknown-fields"):
            problems.append(f"unknown field {_join(where, key)!r}; known fields: {', '.join(props)}")
    return problems


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _a(type_name: str) -> str:
    return f"an {type_name}" if type_name[0] in "aeiou" else f"a {type_name}"


def _describe(value: Any) -> str:
    kinds = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}
    kind = kinds.get(type(value), type(value).__name__)
    if value is None:
        kind = "null"
    return f"{kind} {json.dumps(value)}"
