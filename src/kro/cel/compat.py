"""Whether an expression's result fits the template field it is written into.

The rules follow kro's: a type fits the field's schema exactly, or ``dyn`` (checked when the object
is applied), or structurally: a map fits an object whose properties all accept the map's values,
an object fits another whose properties accept each of its own (a subset), lists fit element by
element. Numbers widen (an ``int`` fits ``number``), int-or-string accepts ``int`` and ``string``, a
schema that preserves unknown fields or has no type accepts anything of its shape, and an
optional fits wherever its value does (absent means the field is left out).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kro.cel.types import INT_OR_STRING, PRESERVE, CelType, Kind, from_openapi

_ACCEPTS: dict[str, frozenset[Kind]] = {
    "integer": frozenset({Kind.INT, Kind.UINT}),
    "number": frozenset({Kind.INT, Kind.UINT, Kind.DOUBLE}),
    "string": frozenset({Kind.STRING, Kind.TIMESTAMP, Kind.DURATION}),
    "boolean": frozenset({Kind.BOOL}),
    "array": frozenset({Kind.LIST}),
    "object": frozenset({Kind.MAP, Kind.OBJECT}),
}
_INT_OR_STRING = frozenset({Kind.INT, Kind.UINT, Kind.STRING})


def is_assignable(output: CelType, field_schema: Mapping[str, Any], *, field: str = "") -> tuple[bool, str]:
    """``(True, "")`` when a value of type ``output`` fits ``field_schema``; otherwise ``(False,
    reason)``, e.g. ``"expression returns string, field spec.replicas expects integer"``.
    ``field`` names the field in the reason."""
    problem = _mismatch(output, field_schema, f"field {field}" if field else "the field")
    return (problem is None, problem or "")


def _expected(schema: Mapping[str, Any]) -> str:
    if schema.get(INT_OR_STRING):
        return "an integer or a string"
    t = schema.get("type")
    if t == "array":
        items = schema.get("items")
        return f"array of {_expected(items)}" if isinstance(items, Mapping) and items else "array"
    if t == "string" and schema.get("format") == "byte":
        return "string (bytes)"
    return str(t) if t else "object"


def _mismatch(out: CelType, schema: Any, where: str) -> str | None:
    while out.kind == Kind.OPTIONAL:
        out = out.element
    if out.is_dyn or not isinstance(schema, Mapping) or not schema:
        return None
    if out.kind == Kind.NULL:
        return None if schema.get("nullable") is True else f"expression returns null, {where} is not nullable"
    if schema.get(INT_OR_STRING):
        return None if out.kind in _INT_OR_STRING else _describe(out, schema, where)
    t = schema.get("type")
    if t is None:
        if "properties" not in schema and "additionalProperties" not in schema:
            return None  # no type: anything goes (x-kubernetes-preserve-unknown-fields, or a bare schema)
        t = "object"
    accepted = _ACCEPTS.get(str(t))
    if accepted is None:
        return None
    if out.kind == Kind.BYTES and t == "string" and schema.get("format") == "byte":
        return None
    if out.kind not in accepted:
        return _describe(out, schema, where)
    if out.kind == Kind.LIST:
        items = schema.get("items")
        inner = _mismatch(out.element, items, f"{where}[]") if isinstance(items, Mapping) else None
        return f"{_describe(out, schema, where)}: {inner}" if inner else None
    if out.kind in (Kind.MAP, Kind.OBJECT):
        inner = _object_mismatch(out, schema, where)
        return f"{_describe(out, schema, where)}: {inner}" if inner else None
    return None


def _describe(out: CelType, schema: Mapping[str, Any], where: str) -> str:
    return f"expression returns {out}, {where} expects {_expected(schema)}"


def _object_mismatch(out: CelType, schema: Mapping[str, Any], where: str) -> str | None:
    props = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    open_ended = schema.get(PRESERVE) is True or (not props and extra in (None, True))
    if out.kind == Kind.MAP:
        key = out.params[0] if out.params else None
        if key is not None and key.kind not in (Kind.STRING, Kind.DYN):
            return f"map keys are {key}, object keys are strings"
        if open_ended:
            return None
        if isinstance(extra, Mapping) and not props:
            return _mismatch(out.element, extra, f"{where}[*]")
        for name, sub in props.items():  # map → object: any key may be any property
            problem = _mismatch(out.element, sub, f"{where}.{name}")
            if problem:
                return problem
        return None
    own = (out.schema or {}).get("properties") or {}
    for name, sub in own.items():
        dest = props.get(name)
        if dest is None:
            if isinstance(extra, Mapping):
                dest = extra
            elif open_ended or extra is True:
                continue
            else:
                return f"{where} has no field {name!r}"
        problem = _mismatch(from_openapi(sub), dest, f"{where}.{name}")
        if problem:
            return problem
    return None
