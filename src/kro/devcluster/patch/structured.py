"""Structured merge of an applied configuration into a live object, and removal of fields by path.

This is the value side of server-side apply (the ownership side is in
:mod:`kro.devcluster.patch.apply`). Merging follows the schema: scalars and atomic nodes take the
applied value; granular maps merge per key; keyed lists merge item by item on their keys; set lists are
unioned. The result keeps the applied order for the items the configuration names, and leaves items
only the live object has where they were. A ``null`` in the configuration removes the field.
"""

from __future__ import annotations

from typing import Any

from kro.devcluster.patch import structure as st
from kro.devcluster.patch.fieldpath import Path
from kro.devcluster.patch.fieldset import list_elements


def merge(live: Any, applied: Any, schema: st.Schema | None) -> Any:
    """``applied`` merged over ``live`` (neither is modified)."""
    if isinstance(applied, dict) and isinstance(live, dict) and not st.map_is_atomic(schema):
        out = dict(live)
        for name, value in applied.items():
            if value is None:
                out.pop(name, None)
            elif name in out:
                out[name] = merge(out[name], value, st.field_schema(schema, name))
            else:
                out[name] = _without_nulls(value)
        return out
    if isinstance(applied, list) and isinstance(live, list):
        return _merge_lists(live, applied, schema)
    return _without_nulls(applied)


def clone(value: Any) -> Any:
    """A deep copy of JSON-shaped data (much faster than :func:`copy.deepcopy` for it)."""
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _merge_lists(live: list[Any], applied: list[Any], schema: st.Schema | None) -> list[Any]:
    applied_elements = list_elements(applied, schema, (), strict=False)
    live_elements = list_elements(live, schema, (), strict=False)
    if applied_elements is None or live_elements is None:
        return _without_nulls(applied)  # type: ignore[no-any-return]
    items = st.item_schema(schema)
    live_by_key = dict(live_elements)
    applied_keys = {k for k, _ in applied_elements}
    out: list[Any] = []
    emitted: set[str] = set()

    def emit_applied(key: str, value: Any) -> None:
        out.append(merge(live_by_key[key], value, items) if key in live_by_key else _without_nulls(value))
        emitted.add(key)

    i = j = 0
    while i < len(live_elements) or j < len(applied_elements):
        if i < len(live_elements) and live_elements[i][0] in emitted:
            i += 1
        elif i < len(live_elements) and live_elements[i][0] not in applied_keys:
            out.append(clone(live_elements[i][1]))
            i += 1
        elif j < len(applied_elements):
            emit_applied(*applied_elements[j])
            j += 1
        else:
            i += 1
    return out


def remove(obj: dict[str, Any], path: Path, schema: st.Schema | None) -> None:
    """Remove the node at ``path`` from ``obj`` in place; a path that is not there is ignored."""
    parent = locate(obj, path[:-1], schema)
    if parent is None:
        return
    node, node_schema = parent
    last = path[-1]
    if isinstance(node, dict) and last.startswith("f:"):
        node.pop(last[2:], None)
    elif isinstance(node, list):
        elements = list_elements(node, node_schema, (), strict=False) or []
        for index, (element, _) in enumerate(elements):
            if element == last:
                del node[index]
                return


def locate(obj: Any, path: Path, schema: st.Schema | None) -> tuple[Any, st.Schema | None] | None:
    """The node at ``path`` with its schema, or ``None`` when the object has no such node."""
    node, node_schema = obj, schema
    for element in path:
        if isinstance(node, dict) and element.startswith("f:"):
            name = element[2:]
            if name not in node:
                return None
            node, node_schema = node[name], st.field_schema(node_schema, name)
        elif isinstance(node, list):
            match = next((v for e, v in list_elements(node, node_schema, (), strict=False) or [] if e == element),
                         None)
            if match is None:
                return None
            node, node_schema = match, st.item_schema(node_schema)
        else:
            return None
    return node, node_schema

