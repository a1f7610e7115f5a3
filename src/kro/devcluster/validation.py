"""Structural OpenAPI schemas applied to objects: pruning, defaulting and validation.

This is what kube-apiserver does to a custom resource before storing it, in the same order: drop
``null`` where the schema does not allow it, prune fields the schema does not declare (recording their
paths for ``fieldValidation``), apply ``default`` values, then validate types, ``required``, ``enum``,
``pattern``, bounds, lengths and item counts. Field errors are :class:`~kro.devcluster.errors.Cause`
values with kube-apiserver's reasons and message shapes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kro.devcluster.errors import Cause
from kro.devcluster.metadata import drop_empty_fields
from kro.devcluster.schemanodes import SchemaNode, compiled
from kro.openapi import builtin_schemas

_ROOT_KEEP = ("apiVersion", "kind", "metadata")
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


@dataclass
class SchemaOutcome:
    """What applying a schema found: field errors and the paths of pruned unknown fields."""

    causes: list[Cause] = field(default_factory=list)
    unknown_fields: list[str] = field(default_factory=list)


def render_value(value: Any) -> str:
    """A value the way kube-apiserver quotes it in messages."""
    if isinstance(value, (dict, list)):
        return "{...}" if isinstance(value, dict) else "[...]"
    return json.dumps(value)


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


@lru_cache(maxsize=4096)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def apply_schema(schema: Mapping[str, Any], obj: dict[str, Any], *, validate: bool = True) -> SchemaOutcome:
    """Prune, default and (optionally) validate ``obj`` in place against a whole-object schema."""
    out = SchemaOutcome()
    root = compiled(schema)
    props = root.props
    for key in list(obj):
        if key in _ROOT_KEEP:
            continue
        sub = props.get(key)
        if sub is None:
            if not root.preserve:
                out.unknown_fields.append(key)
                del obj[key]
            continue
        value = obj[key]
        if value is None and not sub.nullable:
            del obj[key]  # null is "not set", as at every other level (a Go client's zero time is null)
        elif isinstance(value, (dict, list)):
            _prune_default(sub, value, key, out)
    _default_missing(root, obj)
    if validate:
        for key, sub in props.items():
            if key in _ROOT_KEEP:
                continue
            if key in obj:
                _validate(sub, obj[key], "", key, out.causes)
        for req in root.required:
            if req not in obj and req not in _ROOT_KEEP:
                out.causes.append(Cause(req, "FieldValueRequired", "Required value"))
    return out


_OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def prune_metadata(obj: dict[str, Any]) -> list[str]:
    """Drop the fields of ``obj``'s metadata that ObjectMeta does not declare; their paths
    (``metadata.foo``), as kube-apiserver's decoder reports them for every kind."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return []
    out = SchemaOutcome()
    schema = builtin_schemas().resolve_definition(_OBJECT_META)
    known = schema.get("properties") or {}
    for key in list(meta):
        if key not in known:
            out.unknown_fields.append(f"metadata.{key}")
            del meta[key]
    return out.unknown_fields


def _default_missing(node: SchemaNode, obj: dict[str, Any]) -> None:
    for default in node.defaults:
        if default.key not in obj:
            value = obj[default.key] = default.make()
            if isinstance(value, dict):
                _default_missing(default.node, value)


def _prune_default(node: SchemaNode, value: dict[str, Any] | list[Any], path: str, out: SchemaOutcome) -> None:
    """Drop ``null`` where not allowed and unknown fields, and default, below ``value`` (in place)."""
    if isinstance(value, dict):
        props = node.props
        extra = node.extra
        for key in list(value):
            child = value[key]
            sub = props.get(key)
            if sub is not None:
                if child is None and not sub.nullable:
                    del value[key]
                elif isinstance(child, (dict, list)):
                    _prune_default(sub, child, _join(path, key), out)
            elif extra is not None:
                if isinstance(child, (dict, list)):
                    _prune_default(extra, child, _join(path, key), out)
            elif not (node.keeps_unknown or (node.embedded and key in _ROOT_KEEP)):
                out.unknown_fields.append(_join(path, key))
                del value[key]
        if node.embedded and isinstance(value.get("metadata"), dict):
            drop_empty_fields(value["metadata"])  # an embedded resource's metadata is ObjectMeta too
        if node.defaults:
            _default_missing(node, value)
    elif node.items is not None:
        items = node.items
        for i, item in enumerate(value):
            if isinstance(item, (dict, list)):
                _prune_default(items, item, _join(path, i), out)


def _type_ok(expected: str, value: Any) -> bool:
    if isinstance(value, bool) and expected in ("integer", "number"):
        return False
    if expected == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(expected, (object,)))


def _validate(node: SchemaNode, value: Any, parent: str, key: str | int, causes: list[Cause]) -> None:
    """Validate ``value``, found at ``key`` of ``parent`` (its path is only spelled out for a
    container or a field error)."""
    if value is None:
        if not node.nullable and node.schema.get("type"):
            causes.append(_type_error(_join(parent, key), value, str(node.schema.get("type"))))
        return
    if node.int_or_string and (isinstance(value, bool) or not isinstance(value, (int, str))):
        causes.append(_type_error(_join(parent, key), value, "integer or string"))
        return
    expected = node.expected
    if expected and not _type_ok(expected, value):
        causes.append(_type_error(_join(parent, key), value, expected))
        return
    if node.scalar_checks:
        _validate_scalar(node.schema, value, _join(parent, key), causes)
    if isinstance(value, dict):
        _validate_object(node, value, _join(parent, key), causes)
    elif isinstance(value, list):
        _validate_array(node, value, _join(parent, key), causes)


def _type_error(path: str, value: Any, expected: str) -> Cause:
    rendered = "null" if value is None else render_value(value)
    found = type(value).__name__ if value is not None else "null"
    names = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "dict": "object", "list": "array"}
    return Cause(
        path,
        "FieldValueTypeInvalid",
        f"Invalid value: {json.dumps(names.get(found, found))}: {path} in body must be of type {expected}: {rendered}",
    )


def _validate_scalar(schema: Mapping[str, Any], value: Any, path: str, causes: list[Cause]) -> None:
    enum = schema.get("enum")
    if isinstance(enum, list) and value not in enum:
        supported = ", ".join(render_value(e) for e in enum)
        causes.append(
            Cause(path, "FieldValueNotSupported", f"Unsupported value: {render_value(value)}: supported values: {supported}")
        )
    if isinstance(value, str):
        _validate_string(schema, value, path, causes)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        _validate_number(schema, value, path, causes)


def _validate_string(schema: Mapping[str, Any], value: str, path: str, causes: list[Cause]) -> None:
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        try:
            matched = _regex(pattern).search(value) is not None
        except re.error:
            matched = True
        if not matched:
            causes.append(
                Cause(path, "FieldValueInvalid", f"Invalid value: {render_value(value)}: {path} in body should match '{pattern}'")
            )
    max_len = schema.get("maxLength")
    if isinstance(max_len, int) and len(value) > max_len:
        causes.append(Cause(path, "FieldValueTooLong", f"Too long: may not be more than {max_len} bytes"))
    min_len = schema.get("minLength")
    if isinstance(min_len, int) and len(value) < min_len:
        causes.append(
            Cause(
                path,
                "FieldValueInvalid",
                f"Invalid value: {render_value(value)}: {path} in body should be at least {min_len} chars long",
            )
        )


def _validate_number(schema: Mapping[str, Any], value: float, path: str, causes: list[Cause]) -> None:
    low, high = schema.get("minimum"), schema.get("maximum")
    if isinstance(low, (int, float)):
        if schema.get("exclusiveMinimum") and value <= low:
            causes.append(_bound(path, value, f"greater than {low}"))
        elif value < low:
            causes.append(_bound(path, value, f"greater than or equal to {low}"))
    if isinstance(high, (int, float)):
        if schema.get("exclusiveMaximum") and value >= high:
            causes.append(_bound(path, value, f"less than {high}"))
        elif value > high:
            causes.append(_bound(path, value, f"less than or equal to {high}"))


def _bound(path: str, value: float, text: str) -> Cause:
    return Cause(path, "FieldValueInvalid", f"Invalid value: {render_value(value)}: {path} in body should be {text}")


def _validate_object(node: SchemaNode, value: dict[str, Any], path: str, causes: list[Cause]) -> None:
    schema = node.schema
    for req in node.required:
        if req not in value:
            causes.append(Cause(_join(path, req), "FieldValueRequired", "Required value"))
    props = node.props
    extra = node.extra
    for key, child in value.items():
        sub = props.get(key)
        if sub is None:
            sub = extra
        if sub is not None and type(child) is not sub.plain_type:
            _validate(sub, child, path, key, causes)
    if not node.counts_properties:
        return
    max_p, min_p = schema.get("maxProperties"), schema.get("minProperties")
    if isinstance(max_p, int) and len(value) > max_p:
        causes.append(Cause(path, "FieldValueTooMany", f"Too many: {len(value)}: must have at most {max_p} items"))
    if isinstance(min_p, int) and len(value) < min_p:
        causes.append(
            Cause(path, "FieldValueInvalid", f"Invalid value: {len(value)}: {path} in body should have at least {min_p} properties")
        )


def _validate_array(node: SchemaNode, value: list[Any], path: str, causes: list[Cause]) -> None:
    schema = node.schema
    if node.counts_items:
        max_i, min_i = schema.get("maxItems"), schema.get("minItems")
        if isinstance(max_i, int) and len(value) > max_i:
            causes.append(Cause(path, "FieldValueTooMany", f"Too many: {len(value)}: must have at most {max_i} items"))
        if isinstance(min_i, int) and len(value) < min_i:
            causes.append(
                Cause(path, "FieldValueInvalid", f"Invalid value: {len(value)}: {path} in body should have at least {min_i} items")
            )
    items = node.items
    if items is not None:
        plain = items.plain_type
        for i, item in enumerate(value):
            if type(item) is not plain:
                _validate(items, item, path, i, causes)
    if node.list_set:
        seen: list[Any] = []
        for i, item in enumerate(value):
            if item in seen:
                causes.append(Cause(_join(path, i), "FieldValueDuplicate", f"Duplicate value: {render_value(item)}"))
            seen.append(item)
