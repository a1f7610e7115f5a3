"""What each SimpleSchema marker does to a field's OpenAPI node, and which fields it suits.

:func:`apply_markers` edits one node in place and reports, as plain messages, every marker that does
not fit: wrong field type, a value that does not parse, a ``default`` that breaks the field's own
constraints. The caller adds the location.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kro.schema.markers import Marker, MarkerName
from kro.schema.regex import re2_problem
from kro.schema.values import value_problems

M = MarkerName

# Which node types each marker suits ("any" = every type).
_SUITS: dict[MarkerName, tuple[str, ...]] = {
    M.REQUIRED: ("any",),
    M.DEFAULT: ("any",),
    M.DESCRIPTION: ("any",),
    M.IMMUTABLE: ("any",),
    M.VALIDATION: ("any",),
    M.ENUM: ("string", "integer"),
    M.MINIMUM: ("integer", "number"),
    M.MAXIMUM: ("integer", "number"),
    M.PATTERN: ("string",),
    M.MIN_LENGTH: ("string",),
    M.MAX_LENGTH: ("string",),
    M.MIN_ITEMS: ("array",),
    M.MAX_ITEMS: ("array",),
    M.UNIQUE_ITEMS: ("array",),
    M.LIST_TYPE: ("array",),
    M.LIST_MAP_KEY: ("array",),
}

_INT = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_BOOLS = {"true": True, "false": False}
# Boolean marker values, spelled as Go's strconv.ParseBool accepts them (RGDs written for upstream).
_MARKER_BOOLS = {
    **dict.fromkeys(("true", "True", "TRUE", "t", "T", "1"), True),
    **dict.fromkeys(("false", "False", "FALSE", "f", "F", "0"), False),
}
_LIST_TYPES = ("atomic", "set", "map")
_SCALARS = ("string", "integer", "number", "boolean")


@dataclass
class MarkerOutcome:
    """``required``: the field's required marker (``None`` when absent). ``problems``: messages."""

    required: bool | None
    problems: list[str]


def apply_markers(node: dict[str, Any], markers: list[Marker]) -> MarkerOutcome:
    """Apply ``markers`` to ``node`` (already typed) in place."""
    out = MarkerOutcome(None, [])
    kind = node_kind(node)
    default: Marker | None = None
    for marker in markers:
        suits = _SUITS[marker.name]
        if "any" not in suits and node.get("type") not in suits:
            out.problems.append(_misuse(marker.name, kind))
            continue
        if marker.name is M.DEFAULT:
            default = marker  # checked last, against the node with every other marker applied
            continue
        problem = _APPLY[marker.name](node, marker.value, out)
        if problem:
            out.problems.append(f"{marker.name}={marker.value!r}: {problem}")
    out.problems += _cross_checks(node, markers)
    if default is not None:
        problem = _apply_default(node, default.value)
        if problem:
            out.problems.append(f"default={default.value!r}: {problem}")
    return out


def node_kind(node: dict[str, Any]) -> str:
    """How a node is called in messages: its OpenAPI type, or map/struct/object for objects."""
    if node.get("type") != "object":
        return str(node.get("type", "untyped"))
    if "additionalProperties" in node:
        return "map"
    return "struct" if "properties" in node else "object"


def _misuse(name: MarkerName, kind: str) -> str:
    suits = " or ".join(_SUITS[name])
    usable = sorted(m.value for m, s in _SUITS.items() if "any" in s or kind in s)
    return f"marker {name.value!r} applies to {suits} fields, not {kind}; markers for {kind}: {', '.join(usable)}"


def _parse_bool(value: str) -> bool | str:
    parsed = _MARKER_BOOLS.get(value)
    return f"expected true or false, found {value!r}" if parsed is None else parsed


def _required(node: dict[str, Any], value: str, out: MarkerOutcome) -> str | None:
    parsed = _parse_bool(value)
    if isinstance(parsed, str):
        return parsed
    out.required = parsed
    return None


def _description(node: dict[str, Any], value: str, out: MarkerOutcome) -> str | None:
    node["description"] = value
    return None


def _immutable(node: dict[str, Any], value: str, out: MarkerOutcome) -> str | None:
    parsed = _parse_bool(value)
    if isinstance(parsed, str):
        return parsed
    if parsed:
        node.setdefault("x-kubernetes-validations", []).append(
            {"rule": "self == oldSelf", "message": "field is immutable"}
        )
    return None


def _validation(node: dict[str, Any], value: str, out: MarkerOutcome) -> str | None:
    if not value.strip():
        return "expected a CEL expression, found nothing"
    node.setdefault("x-kubernetes-validations", []).append({"rule": value, "message": "validation failed"})
    return None


def _enum(node: dict[str, Any], value: str, out: MarkerOutcome) -> str | None:
    parts = [p.strip() for p in value.split(",")]
    if any(not p for p in parts):
        return 'empty enum value: list values separated by commas, e.g. enum="a,b,c"'
    values: list[Any] = parts
    if node["type"] == "integer":
        bad = [p for p in parts if not _INT.fullmatch(p)]
        if bad:
            return f"enum values of an integer field must be integers, found {', '.join(map(repr, bad))}"
        values = [int(p) for p in parts]
    values = list(dict.fromkeys(values))  # a repeated value is harmless (upstream keeps it); drop it
    node["enum"] = values
    return None


def _number(key: str) -> Callable[[dict[str, Any], str, MarkerOutcome], str | None]:
    def apply(node: dict[str, Any], value: str, out: MarkerOutcome) -> str | None:
        if _INT.fullmatch(value):
            node[key] = int(value)
        elif _NUMBER.fullmatch(value):
            node[key] = float(value)
        else:
            return f"expected a number, found {value!r}"
        return None

    return apply


def _count(key: str) -> Callable[[dict[str, Any], str, MarkerOutcome], str | None]:
    def apply(node: dict[str, Any], value: str, out: MarkerOutcome) -> str | None:
        if not value.isdigit():
            return f"expected a non-negative integer, found {value!r}"
        node[key] = int(value)
        return None

    return apply


def _pattern(node: dict[str, Any], value: str, out: MarkerOutcome) -> str | None:
    if not value:
        return "expected a regular expression, found nothing"
    problem = re2_problem(value)
    if problem:
        return problem
    node["pattern"] = value
    return None


def _unique_items(node: dict[str, Any], value: str, out: MarkerOutcome) -> str | None:
    parsed = _parse_bool(value)
    if isinstance(parsed, str):
        return parsed
    if parsed:
        node["x-kubernetes-list-type"] = "set"
    return None


def _list_type(node: dict[str, Any], value: str, out: MarkerOutcome) -> str | None:
    if value not in _LIST_TYPES:
        return f"expected one of {', '.join(_LIST_TYPES)}, found {value!r}"
    node["x-kubernetes-list-type"] = value
    return None


def _list_map_key(node: dict[str, Any], value: str, out: MarkerOutcome) -> str | None:
    if not value:
        return "expected the name of a field of the list's items"
    node.setdefault("x-kubernetes-list-map-keys", []).append(value)
    return None


_APPLY: dict[MarkerName, Callable[[dict[str, Any], str, MarkerOutcome], str | None]] = {
    M.REQUIRED: _required,
    M.DESCRIPTION: _description,
    M.IMMUTABLE: _immutable,
    M.VALIDATION: _validation,
    M.ENUM: _enum,
    M.MINIMUM: _number("minimum"),
    M.MAXIMUM: _number("maximum"),
    M.PATTERN: _pattern,
    M.MIN_LENGTH: _count("minLength"),
    M.MAX_LENGTH: _count("maxLength"),
    M.MIN_ITEMS: _count("minItems"),
    M.MAX_ITEMS: _count("maxItems"),
    M.UNIQUE_ITEMS: _unique_items,
    M.LIST_TYPE: _list_type,
    M.LIST_MAP_KEY: _list_map_key,
}


def _cross_checks(node: dict[str, Any], markers: list[Marker]) -> list[str]:
    """Problems between markers: bounds that cross, list markers that contradict each other."""
    problems = []
    for low, high in (("minimum", "maximum"), ("minLength", "maxLength"), ("minItems", "maxItems")):
        if low in node and high in node and node[low] > node[high]:
            problems.append(
                f"{low}={node[low]} is greater than {high}={node[high]}: no value can satisfy both"
            )
    given = {m.name: m.value for m in markers}
    unique = _MARKER_BOOLS.get(given.get(M.UNIQUE_ITEMS, "false")) is True
    if unique and given.get(M.LIST_TYPE, "set") != "set":
        problems.append(
            f"uniqueItems=true makes the list a set, but listType={given[M.LIST_TYPE]} says otherwise"
        )
    if node.get("type") == "array":
        problems += _list_type_problems(node)
    return problems


def _list_type_problems(node: dict[str, Any]) -> list[str]:
    list_type = node.get("x-kubernetes-list-type")
    keys: list[str] = node.get("x-kubernetes-list-map-keys", [])
    items = node.get("items") or {}
    if keys and list_type != "map":
        return ["listMapKey needs listType=map"]
    if list_type == "set" and items.get("type") not in _SCALARS:
        return [
            f"a set list (uniqueItems=true or listType=set) needs scalar items, found {node_kind(items)} items"
        ]
    if list_type != "map":
        return []
    if "properties" not in items:
        return [f"listType=map needs struct items, found {node_kind(items)} items"]
    if not keys:
        return ["listType=map needs at least one listMapKey=<field of the items> naming the key field(s)"]
    problems = []
    props = items["properties"]
    for key in keys:
        if key not in props:
            problems.append(
                f"listMapKey={key!r} is not a field of the list's items; fields: {', '.join(props)}"
            )
        elif props[key].get("type") not in _SCALARS:
            problems.append(f"listMapKey={key!r} must name a scalar field, found {node_kind(props[key])}")
        elif key not in items.get("required", []) and "default" not in props[key]:
            problems.append(f"listMapKey={key!r} must name a field that is required or has a default")
    return problems


def _apply_default(node: dict[str, Any], raw: str) -> str | None:
    value, problem = _parse_default(node.get("type"), raw)
    if problem:
        return problem
    problems = value_problems(node, value)
    if problems:
        return "the default does not fit the field: " + "; ".join(problems)
    node["default"] = value
    return None


def _parse_default(openapi_type: Any, raw: str) -> tuple[Any, str | None]:
    if openapi_type == "string":
        return raw, None
    if openapi_type == "integer":
        if _INT.fullmatch(raw):
            return int(raw), None
        hint = "; declare the field as float for fractional values" if _NUMBER.fullmatch(raw) else ""
        return None, f"expected an integer, found {raw!r}{hint}"
    if openapi_type == "number":
        if _INT.fullmatch(raw):
            return int(raw), None
        return (float(raw), None) if _NUMBER.fullmatch(raw) else (None, f"expected a number, found {raw!r}")
    if openapi_type == "boolean":
        if raw in _BOOLS:
            return _BOOLS[raw], None
        hint = f"; write it in lower case: {raw.lower()}" if raw.lower() in _BOOLS else ""
        return None, f"expected true or false, found {raw!r}{hint}"
    try:
        return json.loads(raw), None
    except RecursionError:
        return None, "the JSON value nests too deeply"
    except json.JSONDecodeError as e:
        example = "[]" if openapi_type == "array" else "{}"
        return None, f"expected a JSON value such as {example}, found {raw!r} ({e.msg} at column {e.pos + 1})"
