"""Walking a template against its kind's OpenAPI schema.

Every key a template writes must exist in the kind's schema (except under
``x-kubernetes-preserve-unknown-fields``), and literal values must have the field's JSON type; a
misspelt field gets a "did you mean" hint. Expression-valued fields are skipped here: their types
are checked by the builder against :func:`schema_at`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from functools import cache
from typing import Any

from kro.graph.model import FieldPath
from kro.openapi import builtin_schemas

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
SCHEMALESS: Mapping[str, Any] = {"x-kubernetes-preserve-unknown-fields": True}


@cache
def object_meta_schema() -> Mapping[str, Any]:
    return builtin_schemas().resolve_definition(OBJECT_META)


def with_object_meta(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """``schema`` with ``metadata`` typed as ObjectMeta when it is only ``{type: object}`` (as in
    CRDs, whose metadata the API server types implicitly), and ``apiVersion``/``kind`` present."""
    props = dict(schema.get("properties") or {})
    meta = props.get("metadata")
    if not isinstance(meta, Mapping) or not meta.get("properties"):
        props["metadata"] = object_meta_schema()
    props.setdefault("apiVersion", {"type": "string"})
    props.setdefault("kind", {"type": "string"})
    return {**schema, "type": "object", "properties": props}


def is_schemaless(schema: Mapping[str, Any]) -> bool:
    return bool(schema.get("x-kubernetes-preserve-unknown-fields")) and not schema.get("properties")


def child(schema: Mapping[str, Any], key: str | int) -> Mapping[str, Any] | None:
    """The schema of ``key`` under ``schema``; ``None`` when the field does not exist."""
    if isinstance(key, int):
        items = schema.get("items")
        if isinstance(items, Mapping):
            return items
        return SCHEMALESS if schema.get("x-kubernetes-preserve-unknown-fields") else None
    props = schema.get("properties")
    if isinstance(props, Mapping) and key in props:
        found: Mapping[str, Any] = props[key]
        return found
    extra = schema.get("additionalProperties")
    if isinstance(extra, Mapping):
        return extra
    if extra is True or schema.get("x-kubernetes-preserve-unknown-fields"):
        return SCHEMALESS
    return None


def schema_at(schema: Mapping[str, Any], path: FieldPath) -> Mapping[str, Any] | None:
    node: Mapping[str, Any] | None = schema
    for key in path:
        if node is None:
            return None
        node = child(node, key)
    return node


def field_type(schema: Mapping[str, Any]) -> str:
    """A short name of the field's type for messages: ``string``, ``integer``, ``int-or-string``…"""
    if schema.get("x-kubernetes-int-or-string"):
        return "int-or-string"
    if is_schemaless(schema):
        return "any"
    return str(schema.get("type") or "any")


def accepts_literal(schema: Mapping[str, Any], value: Any) -> bool:
    """Whether a literal (non-expression) value has the JSON type the field wants."""
    if value is None or is_schemaless(schema):
        return True
    if schema.get("x-kubernetes-int-or-string"):
        return isinstance(value, (str, int)) and not isinstance(value, bool)
    wanted = schema.get("type")
    if wanted is None:
        return True
    if wanted == "string":
        return isinstance(value, str)
    if wanted == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if wanted == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if wanted == "boolean":
        return isinstance(value, bool)
    if wanted == "object":
        return isinstance(value, Mapping)
    if wanted == "array":
        return isinstance(value, list)
    return True


def field_names(schema: Mapping[str, Any]) -> list[str]:
    props = schema.get("properties")
    return sorted(props) if isinstance(props, Mapping) else []


def suggestion(key: str, schema: Mapping[str, Any]) -> str:
    names = field_names(schema)
    close = [n for n in names if n.lower() == key.lower()] or difflib.get_close_matches(
        key, names, n=1, cutoff=0.6
    )
    return f"; did you mean {close[0]!r}?" if close else ""


_JSON_TYPES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "boolean"),  # before int: a bool is an int to Python
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (Mapping, "object"),
    (list, "array"),
)


def describe_literal(value: Any) -> str:
    """The JSON type name of a literal (``integer``, ``object``...)."""
    return next((name for typ, name in _JSON_TYPES if isinstance(value, typ)), type(value).__name__)
