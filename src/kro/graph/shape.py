"""Checking a template's literal structure against its kind's schema: unknown fields (with a hint)
and literal values of the wrong JSON type. Strings holding ``${...}`` are left to the type checker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kro.graph.fieldschema import (
    accepts_literal,
    child,
    describe_literal,
    field_type,
    is_schemaless,
    suggestion,
)
from kro.graph.model import FieldPath
from kro.graph.positions import format_path
from kro.graph.report import Reporter

# Written by the API server or by kro; a template may carry them, and their schemas are irrelevant.
_ROOT_FREE = frozenset({"apiVersion", "kind"})


def check_shape(
    value: Any,
    schema: Mapping[str, Any],
    *,
    kind: str,
    doc_path: FieldPath,
    report: Reporter,
    resource: str,
    rel: FieldPath = (),
) -> None:
    """Report every unknown field and mistyped literal of ``value`` (a template, or part of one,
    at ``doc_path`` in the RGD) against ``schema``."""
    if is_schemaless(schema):
        return
    if isinstance(value, str) and "${" in value:
        return
    if not accepts_literal(schema, value):
        report.error(
            doc_path,
            f"{format_path(rel) or 'value'} of {kind} must be {field_type(schema)}, "
            f"got {describe_literal(value)} {value!r}",
            resource=resource,
        )
        return
    parts, unknown = _parts(value, schema, root=not rel)
    for key in unknown:
        where = f" in {format_path(rel)}" if rel else ""
        report.error(
            (*doc_path, key),
            f"unknown field {key!r}{where} of {kind}{suggestion(str(key), schema)}",
            resource=resource,
            at_key=True,
        )
    for step, sub, sub_schema in parts:
        check_shape(
            sub,
            sub_schema,
            kind=kind,
            doc_path=(*doc_path, step),
            report=report,
            resource=resource,
            rel=(*rel, step),
        )


def _parts(
    value: Any, schema: Mapping[str, Any], *, root: bool
) -> tuple[list[tuple[str | int, Any, Mapping[str, Any]]], list[str]]:
    """``(key or index, value, schema)`` of each part of ``value`` the schema describes, and the map
    keys it does not know."""
    if isinstance(value, list):
        items = schema.get("items")
        return ([(i, sub, items) for i, sub in enumerate(value)] if isinstance(items, Mapping) else []), []
    parts: list[tuple[str | int, Any, Mapping[str, Any]]] = []
    unknown: list[str] = []
    for key, sub in value.items() if isinstance(value, Mapping) else ():
        if root and key in _ROOT_FREE:
            continue
        sub_schema = child(schema, key)
        if sub_schema is None:
            unknown.append(key)
        else:
            parts.append((key, sub, sub_schema))
    return parts, unknown
