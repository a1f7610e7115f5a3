"""``meta.k8s.io/v1`` Table output, which ``kubectl get`` asks for: a built-in kind's own columns
(:mod:`~kro.devcluster.rest.builtin_columns`), or for a custom resource Name followed by its CRD's
``additionalPrinterColumns`` (evaluated with the small JSONPath subset they use) or, when it
declares none, Age."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from kro.devcluster.metadata import parse_timestamp
from kro.devcluster.registry import PrinterColumn, ResourceType
from kro.devcluster.rest.builtin_columns import AGE, BUILTIN_COLUMNS, NAME, Column, describe
from kro.devcluster.rest.more_columns import MORE_COLUMNS

TABLE_API_VERSION = "meta.k8s.io/v1"
_FILTER = re.compile(r"""^\?\(@\.([\w.-]+)\s*==\s*["']?([^"']*)["']?\)$""")


def wants_table(accept: str) -> bool:
    return any("as=Table" in part.replace(" ", "") for part in accept.split(","))


def wants_partial_metadata(accept: str) -> bool:
    return any("as=PartialObjectMetadata" in part.replace(" ", "") for part in accept.split(","))


def columns(rt: ResourceType) -> list[PrinterColumn]:
    """A custom resource's columns after Name: exactly its ``additionalPrinterColumns``, or Age
    when it declares none (kube-apiserver adds Age only then)."""
    if rt.printer_columns:
        return list(rt.printer_columns)
    return [PrinterColumn("Age", "date", ".metadata.creationTimestamp", describe(AGE.doc))]


def _builtin(rt: ResourceType) -> list[Column] | None:
    if rt.is_custom:
        return None
    return BUILTIN_COLUMNS.get((rt.group, rt.kind)) or MORE_COLUMNS.get((rt.group, rt.kind))


def column_definitions(rt: ResourceType) -> list[dict[str, Any]]:
    builtin = _builtin(rt) or (None if rt.is_custom else [NAME, AGE])
    if builtin is not None:
        return [
            {"name": c.name, "type": c.type, "format": c.format, "description": describe(c.doc), "priority": c.priority}
            for c in builtin
        ]
    defs: list[dict[str, Any]] = [
        {"name": "Name", "type": "string", "format": "name", "description": describe(NAME.doc), "priority": 0}
    ]
    for c in columns(rt):
        defs.append(
            {
                "name": c.name,
                "type": c.type,
                "format": c.format,
                "description": c.description or f"Custom resource definition column (in JSONPath format): {c.json_path}",
                "priority": c.priority,
            }
        )
    return defs


def table(
    rt: ResourceType,
    objects: Sequence[Mapping[str, Any]],
    *,
    resource_version: str,
    include_object: str = "Metadata",
    now: datetime | None = None,
    headers: bool = True,
    continue_token: str | None = None,
    remaining: int | None = None,
) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    meta: dict[str, Any] = {"resourceVersion": resource_version}
    if continue_token:
        meta["continue"] = continue_token
        if remaining is not None:
            meta["remainingItemCount"] = remaining
    return {
        "kind": "Table",
        "apiVersion": TABLE_API_VERSION,
        "metadata": meta,
        "columnDefinitions": column_definitions(rt) if headers else [],
        "rows": [row(rt, o, include_object=include_object, now=now) for o in objects],
    }


def row(rt: ResourceType, obj: Mapping[str, Any], *, include_object: str, now: datetime) -> dict[str, Any]:
    meta: Mapping[str, Any] = obj.get("metadata") or {}
    builtin = _builtin(rt) or (None if rt.is_custom else [NAME, AGE])
    if builtin is not None:
        cells: list[Any] = [c.cell(obj, now) for c in builtin]
    else:
        cells = [meta.get("name", "")] + [cell(c.type, jsonpath(obj, c.json_path), now) for c in columns(rt)]
    out: dict[str, Any] = {"cells": cells}
    if include_object == "Object":
        out["object"] = obj
    elif include_object != "None":
        out["object"] = partial_metadata(obj)
    return out


def cell(column_type: str, value: Any, now: datetime) -> Any:
    """A custom column's cell for the value its JSONPath found, as kube-apiserver renders it: a
    ``string`` column prints any value; other types keep only a value of their type (else null)."""
    if value is None:
        return None
    if column_type == "string":
        return value if isinstance(value, str) else _render(value)
    if column_type == "integer":
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if column_type == "number":
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if column_type == "boolean":
        return value if isinstance(value, bool) else None
    if column_type == "date":
        return age(value, now, invalid="<invalid>") if isinstance(value, str) else None
    return None


def partial_metadata(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {"kind": "PartialObjectMetadata", "apiVersion": TABLE_API_VERSION, "metadata": obj.get("metadata") or {}}


def _render(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"))


def jsonpath(obj: Any, path: str) -> Any:
    """Evaluate ``.a.b[0].c`` / ``.a[?(@.type=="Ready")].status`` / ``.labels.kro\\.run/x`` /
    ``.labels['kro.run/x']``; ``None`` when nothing matches."""
    path = path.strip()
    if path.startswith("{") and path.endswith("}"):
        path = path[1:-1]
    tokens = re.findall(r"\[[^\]]*\]|(?:\\.|[^.\[\]\\])+", path)
    node: Any = obj
    for tok in tokens:
        if node is None:
            return None
        if tok.startswith("["):
            inner = tok[1:-1].strip()
            m = _FILTER.match(inner)
            if m and isinstance(node, list):
                key, want = m.group(1), m.group(2)
                node = next((x for x in node if isinstance(x, Mapping) and str(jsonpath(x, "." + key)) == want), None)
            elif inner in ("*", "") and isinstance(node, list):
                node = node[0] if node else None
            elif len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"" and isinstance(node, Mapping):
                node = node.get(inner[1:-1])
            elif re.fullmatch(r"-?\d+", inner) and isinstance(node, list):
                i = int(inner)
                node = node[i] if -len(node) <= i < len(node) else None
            else:
                return None
        else:
            key = re.sub(r"\\(.)", r"\1", tok)
            node = node.get(key) if isinstance(node, Mapping) else None
    return node


def age(created: str, now: datetime, *, invalid: str = "<unknown>") -> str:
    try:
        then = parse_timestamp(created)
    except ValueError:
        return invalid
    return human_duration(int((now - then).total_seconds()))


def human_duration(seconds: int) -> str:
    """kubectl's short human duration (``5s``, ``3m20s``, ``2d3h``...)."""
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        s = seconds % 60
        return f"{minutes}m{s}s" if s else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        m = minutes % 60
        return f"{hours}h{m}m" if m else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d{h}h" if h else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        d = (hours // 24) % 365
        return f"{hours // 24 // 365}y{d}d" if d else f"{hours // 24 // 365}y"
    return f"{hours // 24 // 365}y"
