"""The plain reading of a structural schema (every keyword looked up at every field), kept as the
reference the compiled schemas of :mod:`kro.devcluster.validation` are compared with."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kro.devcluster.errors import Cause
from kro.devcluster.metadata import drop_empty_fields
from kro.devcluster.validation import (
    SchemaOutcome,
    _join,
    _type_error,
    _type_ok,
    _validate_scalar,
    render_value,
)

_ROOT_KEEP = ("apiVersion", "kind", "metadata")


def apply_schema(schema: Mapping[str, Any], obj: dict[str, Any], *, validate: bool = True) -> SchemaOutcome:
    """Prune, default and (optionally) validate ``obj`` in place against a whole-object schema."""
    out = SchemaOutcome()
    props: Mapping[str, Any] = schema.get("properties") or {}
    for key in list(obj):
        if key in _ROOT_KEEP:
            continue
        sub = props.get(key)
        if sub is None and not schema.get("x-kubernetes-preserve-unknown-fields"):
            out.unknown_fields.append(key)
            del obj[key]
            continue
        if sub is not None and obj[key] is None and not _is_nullable(sub):
            del obj[key]  # null is "not set", as at every other level (a Go client's zero time is null)
            continue
        if sub is not None:
            obj[key] = _prune_default(sub, obj[key], key, out)
    _default_missing(props, obj)
    if validate:
        for key, sub in props.items():
            if key in _ROOT_KEEP:
                continue
            if key in obj:
                _validate(sub, obj[key], key, out.causes)
        for req in schema.get("required") or []:
            if req not in obj and req not in _ROOT_KEEP:
                out.causes.append(Cause(req, "FieldValueRequired", "Required value"))
    return out


def _is_nullable(schema: Mapping[str, Any]) -> bool:
    return bool(schema.get("nullable"))


def _default_missing(props: Mapping[str, Any], obj: dict[str, Any]) -> None:
    for key, sub in props.items():
        if key not in obj and isinstance(sub, Mapping) and "default" in sub:
            obj[key] = json.loads(json.dumps(sub["default"]))
            if isinstance(obj[key], dict):
                _default_missing(sub.get("properties") or {}, obj[key])


def _prune_default(schema: Mapping[str, Any], value: Any, path: str, out: SchemaOutcome) -> Any:
    if isinstance(value, dict):
        if schema.get("x-kubernetes-embedded-resource"):
            keep: tuple[str, ...] = _ROOT_KEEP
        else:
            keep = ()
        props: Mapping[str, Any] = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
        for key in list(value):
            child_path = _join(path, key)
            if value[key] is None and key in props and not _is_nullable(props[key]):
                del value[key]
                continue
            if key in props:
                value[key] = _prune_default(props[key], value[key], child_path, out)
            elif isinstance(extra, Mapping):
                value[key] = _prune_default(extra, value[key], child_path, out)
            elif extra is True or preserve or key in keep or schema.get("x-kubernetes-int-or-string"):
                continue
            else:
                out.unknown_fields.append(child_path)
                del value[key]
        if keep and isinstance(value.get("metadata"), dict):
            drop_empty_fields(value["metadata"])  # an embedded resource's metadata is ObjectMeta too
        _default_missing(props, value)
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, Mapping):
            for i, item in enumerate(value):
                value[i] = _prune_default(items, item, _join(path, i), out)
    return value


def _validate(schema: Mapping[str, Any], value: Any, path: str, causes: list[Cause]) -> None:
    if value is None:
        if not _is_nullable(schema) and schema.get("type"):
            causes.append(_type_error(path, value, str(schema.get("type"))))
        return
    if schema.get("x-kubernetes-int-or-string") and (isinstance(value, bool) or not isinstance(value, (int, str))):
        causes.append(_type_error(path, value, "integer or string"))
        return
    expected = schema.get("type")
    if isinstance(expected, str) and expected and not _type_ok(expected, value):
        causes.append(_type_error(path, value, expected))
        return
    _validate_scalar(schema, value, path, causes)
    if isinstance(value, dict):
        _validate_object(schema, value, path, causes)
    elif isinstance(value, list):
        _validate_array(schema, value, path, causes)


def _validate_object(schema: Mapping[str, Any], value: dict[str, Any], path: str, causes: list[Cause]) -> None:
    for req in schema.get("required") or []:
        if req not in value:
            causes.append(Cause(_join(path, req), "FieldValueRequired", "Required value"))
    props: Mapping[str, Any] = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    for key, child in value.items():
        sub = props.get(key)
        if sub is None and isinstance(extra, Mapping):
            sub = extra
        if isinstance(sub, Mapping):
            _validate(sub, child, _join(path, key), causes)
    max_p, min_p = schema.get("maxProperties"), schema.get("minProperties")
    if isinstance(max_p, int) and len(value) > max_p:
        causes.append(Cause(path, "FieldValueTooMany", f"Too many: {len(value)}: must have at most {max_p} items"))
    if isinstance(min_p, int) and len(value) < min_p:
        causes.append(
            Cause(path, "FieldValueInvalid", f"Invalid value: {len(value)}: {path} in body should have at least {min_p} properties")
        )


def _validate_array(schema: Mapping[str, Any], value: list[Any], path: str, causes: list[Cause]) -> None:
    max_i, min_i = schema.get("maxItems"), schema.get("minItems")
    if isinstance(max_i, int) and len(value) > max_i:
        causes.append(Cause(path, "FieldValueTooMany", f"Too many: {len(value)}: must have at most {max_i} items"))
    if isinstance(min_i, int) and len(value) < min_i:
        causes.append(
            Cause(path, "FieldValueInvalid", f"Invalid value: {len(value)}: {path} in body should have at least {min_i} items")
        )
    items = schema.get("items")
    if isinstance(items, Mapping):
        for i, item in enumerate(value):
            _validate(items, item, _join(path, i), causes)
    if schema.get("x-kubernetes-list-type") == "set":
        seen: list[Any] = []
        for i, item in enumerate(value):
            if item in seen:
                causes.append(Cause(_join(path, i), "FieldValueDuplicate", f"Duplicate value: {render_value(item)}"))
            seen.append(item)
