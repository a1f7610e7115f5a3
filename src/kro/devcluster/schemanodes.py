"""Structural schemas compiled for :mod:`kro.devcluster.validation`: what each schema node asks of
a value, read from the schema's keywords once instead of at every field of every write.

A node keeps its schema for the rarely taken paths (field error messages) and answers the frequent
questions directly: its child nodes, whether ``null`` is allowed, the type to check, whether any
scalar, property-count or item-count rule applies at all, and the defaults of its properties. The
compiled form of a schema is cached while the schema lives (schemas are not changed in place: a
CRD's new version is a new schema).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_IMMUTABLE_DEFAULTS = (str, int, float, bool, type(None))
_CACHE_LIMIT = 512


@dataclass(frozen=True, slots=True)
class Default:
    """A property's ``default``: a fresh value each time it is applied (as ``json`` round-trips it)."""

    key: str
    node: SchemaNode
    value: Any
    encoded: str | None  # the value as JSON, when it is a container that encodes

    def make(self) -> Any:
        if self.encoded is not None:
            return json.loads(self.encoded)
        if type(self.value) in _IMMUTABLE_DEFAULTS:
            return self.value
        return json.loads(json.dumps(self.value))


@dataclass(frozen=True, slots=True)
class SchemaNode:
    schema: Mapping[str, Any]
    props: dict[str, SchemaNode]
    extra: SchemaNode | None  # additionalProperties, when it is a schema
    items: SchemaNode | None
    required: tuple[Any, ...]
    defaults: tuple[Default, ...]
    nullable: bool
    preserve: bool  # x-kubernetes-preserve-unknown-fields
    embedded: bool  # x-kubernetes-embedded-resource: apiVersion, kind and metadata are known
    keeps_unknown: bool  # fields no property declares stay (additionalProperties: true, ...)
    int_or_string: bool
    expected: str  # the ``type`` to check, or ""
    scalar_checks: bool  # enum, pattern, lengths or bounds
    counts_properties: bool
    counts_items: bool
    list_set: bool
    # The one Python type a value needs to pass every rule of this node (a string, boolean or
    # integer field with no further rule), or None: such values skip the full check.
    plain_type: type | None


_PLAIN_TYPES: dict[str, type] = {"string": str, "boolean": bool, "integer": int}


_EMPTY: Mapping[str, Any] = {}
_compiled: dict[int, tuple[Mapping[str, Any], SchemaNode]] = {}


def compiled(schema: Mapping[str, Any]) -> SchemaNode:
    """The compiled form of ``schema`` (cached by identity while it is in the cache, which holds it)."""
    entry = _compiled.get(id(schema))
    if entry is not None and entry[0] is schema:
        return entry[1]
    node = _compile(schema, {})
    if len(_compiled) >= _CACHE_LIMIT:
        _compiled.clear()
    _compiled[id(schema)] = (schema, node)
    return node


def _compile(schema: Any, seen: dict[int, SchemaNode]) -> SchemaNode:
    if not isinstance(schema, Mapping):
        schema = _EMPTY
    done = seen.get(id(schema))
    if done is not None:
        return done
    raw_props = schema.get("properties") or {}
    props = {key: _compile(sub, seen) for key, sub in raw_props.items()}
    extra_raw = schema.get("additionalProperties")
    items_raw = schema.get("items")
    node = SchemaNode(
        schema=schema,
        props=props,
        extra=_compile(extra_raw, seen) if isinstance(extra_raw, Mapping) else None,
        items=_compile(items_raw, seen) if isinstance(items_raw, Mapping) else None,
        required=tuple(schema.get("required") or ()),
        defaults=tuple(
            _default(key, sub, props[key]) for key, sub in raw_props.items() if isinstance(sub, Mapping) and "default" in sub
        ),
        nullable=bool(schema.get("nullable")),
        preserve=bool(schema.get("x-kubernetes-preserve-unknown-fields")),
        embedded=bool(schema.get("x-kubernetes-embedded-resource")),
        keeps_unknown=extra_raw is True
        or bool(schema.get("x-kubernetes-preserve-unknown-fields"))
        or bool(schema.get("x-kubernetes-int-or-string")),
        int_or_string=bool(schema.get("x-kubernetes-int-or-string")),
        expected=schema["type"] if isinstance(schema.get("type"), str) else "",
        scalar_checks=_has_scalar_checks(schema),
        counts_properties=any(isinstance(schema.get(k), int) for k in ("maxProperties", "minProperties")),
        counts_items=any(isinstance(schema.get(k), int) for k in ("maxItems", "minItems")),
        list_set=schema.get("x-kubernetes-list-type") == "set",
        plain_type=_plain_type(schema),
    )
    seen[id(schema)] = node
    return node


def _plain_type(schema: Mapping[str, Any]) -> type | None:
    expected = schema.get("type")
    if not isinstance(expected, str) or schema.get("x-kubernetes-int-or-string") or _has_scalar_checks(schema):
        return None
    return _PLAIN_TYPES.get(expected)


def _has_scalar_checks(schema: Mapping[str, Any]) -> bool:
    return (
        isinstance(schema.get("enum"), list)
        or isinstance(schema.get("pattern"), str)
        or any(isinstance(schema.get(k), int) for k in ("maxLength", "minLength"))
        or any(isinstance(schema.get(k), (int, float)) for k in ("minimum", "maximum"))
    )


def _default(key: str, schema: Mapping[str, Any], node: SchemaNode) -> Default:
    value = schema["default"]
    encoded: str | None = None
    if type(value) not in _IMMUTABLE_DEFAULTS:
        try:
            encoded = json.dumps(value)
        except (TypeError, ValueError):
            encoded = None  # encoding fails again when applied, as it always did
    return Default(key, node, value, encoded)
