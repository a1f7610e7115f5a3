"""Printer columns of the generated CRD (what ``kubectl get`` shows for instances).

Without ``additionalPrinterColumns`` in the RGD, instances show State, Ready and Age like upstream
kro; with them, the given columns replace the defaults entirely.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kro.schema.errors import SchemaProblem, did_you_mean

DEFAULT_PRINTER_COLUMNS: list[dict[str, Any]] = [
    {
        "name": "State",
        "type": "string",
        "description": "The state of a ResourceGraphDefinition instance",
        "priority": 0,
        "jsonPath": ".status.state",
    },
    {
        "name": "Ready",
        "type": "string",
        "description": "Whether a ResourceGraphDefinition instance is ready",
        "priority": 0,
        "jsonPath": '.status.conditions[?(@.type=="Ready")].status',
    },
    {
        "name": "Age",
        "type": "date",
        "description": "Age of the resource",
        "priority": 0,
        "jsonPath": ".metadata.creationTimestamp",
    },
]

COLUMN_TYPES = ("integer", "number", "string", "boolean", "date")
COLUMN_FORMATS = ("int32", "int64", "float", "double", "byte", "date", "date-time", "password")
_FIELDS = ("name", "type", "format", "description", "priority", "jsonPath")


def printer_column_problems(columns: Sequence[Any]) -> list[SchemaProblem]:
    """Every problem in a list of CustomResourceColumnDefinitions, located by index and field."""
    problems: list[SchemaProblem] = []
    seen: set[str] = set()
    for i, column in enumerate(columns):
        path = ("additionalPrinterColumns", i)
        if not isinstance(column, Mapping):
            problems.append(
                SchemaProblem(path, f"a column is a map with name, type and jsonPath, found {column!r}")
            )
            continue
        for key in column:
            if key not in _FIELDS:
                hint = did_you_mean(str(key), _FIELDS)
                problems.append(SchemaProblem((*path, str(key)), f"unknown column field {key!r}{hint}"))
        problems += [SchemaProblem((*path, field), msg) for field, msg in _field_problems(column)]
        name = column.get("name")
        if isinstance(name, str) and name in seen:
            problems.append(SchemaProblem((*path, "name"), f"column name {name!r} is used twice"))
        seen.add(str(name))
    return problems


def _field_problems(column: Mapping[str, Any]) -> list[tuple[str, str]]:
    out = []
    for field in ("name", "jsonPath"):
        value = column.get(field)
        if not isinstance(value, str) or not value:
            out.append((field, f"{field} is required and must be a non-empty string, found {value!r}"))
    path = column.get("jsonPath")
    if isinstance(path, str) and path and not path.startswith("."):
        out.append(("jsonPath", f"jsonPath must start with '.', e.g. .spec.replicas; found {path!r}"))
    kind = column.get("type")
    if kind not in COLUMN_TYPES:
        hint = did_you_mean(kind, COLUMN_TYPES) if isinstance(kind, str) else ""
        out.append(("type", f"type must be one of {', '.join(COLUMN_TYPES)}, found {kind!r}{hint}"))
    fmt = column.get("format")
    if fmt is not None and fmt not in COLUMN_FORMATS:
        out.append(("format", f"format must be one of {', '.join(COLUMN_FORMATS)}, found {fmt!r}"))
    priority = column.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool) or priority < 0:
        out.append(("priority", f"priority must be a non-negative integer, found {priority!r}"))
    desc = column.get("description")
    if desc is not None and not isinstance(desc, str):
        out.append(("description", f"description must be a string, found {desc!r}"))
    return out
