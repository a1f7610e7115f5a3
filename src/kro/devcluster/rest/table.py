"""``meta.k8s.io/v1`` Table output, which ``kubectl get`` asks for: a Name column, the CRD's
``additionalPrinterColumns`` (evaluated with the small JSONPath subset they use) and Age."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from kro.devcluster.registry import PrinterColumn, ResourceType
from kro.devcluster.rest.builtin_columns import AGE, BUILTIN_COLUMNS, NAME, Column

TABLE_API_VERSION = "meta.k8s.io/v1"
_NAME = {"name": "Name", "type": "string", "format": "name", "priority": 0,
         "description": "Name must be unique within a namespace. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"}
_AGE_DESC = "CreationTimestamp is a timestamp representing the server time when this object was created."
_AGE = {"name": "Age", "type": "string", "format": "", "priority": 0, "description": _AGE_DESC}
_FILTER = re.compile(r"""^\?\(@\.([\w.-]+)\s*==\s*["']?([^"']*)["']?\)$""")


def wants_table(accept: str) -> bool:
    return any("as=Table" in part.replace(" ", "") for part in accept.split(","))


def wants_partial_metadata(accept: str) -> bool:
    return any("as=PartialObjectMetadata" in part.replace(" ", "") for part in accept.split(","))


def columns(rt: ResourceType) -> list[PrinterColumn]:
    if rt.printer_columns:
        cols = list(rt.printer_columns)
        if not any(c.json_path == ".metadata.creationTimestamp" for c in cols):
            cols.append(PrinterColumn("Age", "date", ".metadata.creationTimestamp", _AGE_DESC))
        return cols
    return [PrinterColumn("Age", "date", ".metadata.creationTimestamp", _AGE_DESC)]


def _builtin(rt: ResourceType) -> list[Column] | None:
    return None if rt.is_custom else BUILTIN_COLUMNS.get((rt.group, rt.kind))


def column_definitions(rt: ResourceType) -> list[dict[str, Any]]:
    builtin = _builtin(rt)
    if builtin is not None:
        return [
            {"name": c.name, "type": c.type, "format": c.format, "priority": c.priority,
             "description": _NAME["description"] if c is NAME else _AGE_DESC if c is AGE else c.name}
            for c in builtin
        ]
    defs: list[dict[str, Any]] = [dict(_NAME)]
    for c in columns(rt):
        defs.append(
            {
                "name": c.name,
                "type": "string" if c.type == "date" else c.type,
                "format": c.format,
                "description": c.description,
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
) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    meta: dict[str, Any] = {"resourceVersion": resource_version}
    if continue_token:
        meta["continue"] = continue_token
    return {
        "kind": "Table",
        "apiVersion": TABLE_API_VERSION,
        "metadata": meta,
        "columnDefinitions": column_definitions(rt) if headers else [],
        "rows": [row(rt, o, include_object=include_object, now=now) for o in objects],
    }


def row(rt: ResourceType, obj: Mapping[str, Any], *, include_object: str, now: datetime) -> dict[str, Any]:
    meta: Mapping[str, Any] = obj.get("metadata") or {}
    builtin = _builtin(rt)
    cells: list[Any] = [c.cell(obj, now) for c in builtin] if builtin is not None else [meta.get("name", "")]
    for c in [] if builtin is not None else columns(rt):
        value = jsonpath(obj, c.json_path)
        if c.type == "date":
            cells.append(age(value, now) if isinstance(value, str) else "<unknown>")
        elif value is None:
            cells.append(None)
        elif c.type in ("integer", "number", "boolean"):
            cells.append(value)
        else:
            cells.append(value if isinstance(value, str) else _render(value))
    out: dict[str, Any] = {"cells": cells}
    if include_object == "Object":
        out["object"] = obj
    elif include_object != "None":
        out["object"] = partial_metadata(obj)
    return out


def partial_metadata(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {"kind": "PartialObjectMetadata", "apiVersion": TABLE_API_VERSION, "metadata": obj.get("metadata") or {}}


def _render(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"))


def jsonpath(obj: Any, path: str) -> Any:
    """Evaluate ``.a.b[0].c`` / ``.a[?(@.type=="Ready")].status``; ``None`` when nothing matches."""
    path = path.strip()
    if path.startswith("{") and path.endswith("}"):
        path = path[1:-1]
    tokens = re.findall(r"\[[^\]]*\]|[^.\[\]]+", path)
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
            elif re.fullmatch(r"-?\d+", inner) and isinstance(node, list):
                i = int(inner)
                node = node[i] if -len(node) <= i < len(node) else None
            else:
                return None
        else:
            node = node.get(tok) if isinstance(node, Mapping) else None
    return node


def age(created: str, now: datetime) -> str:
    try:
        then = datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return "<unknown>"
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
