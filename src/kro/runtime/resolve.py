"""Substituting computed values into a template.

Each :class:`~kro.graph.model.TemplateField` names a place in the template. A standalone field
(``"${expr}"`` and nothing else) is replaced by the value of any type, or removed with its key
(or list element) when the value is ``omit()``; an interpolated one (text mixed with expressions)
was rewritten by the compiler into one string-valued expression."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kro.cel import OMIT
from kro.graph.model import FieldPath, TemplateField
from kro.runtime.errors import ExpressionFailed, ExpressionPending
from kro.runtime.evaluation import copy_data, evaluate, written


def resolve_template(
    template: Mapping[str, Any], fields: Iterable[TemplateField], bindings: Mapping[str, Any]
) -> dict[str, Any]:
    """A deep copy of ``template`` with every field computed. Raises
    :class:`~kro.runtime.errors.ExpressionPending` or :class:`~kro.runtime.errors.ExpressionFailed`."""
    out: dict[str, Any] = {k: copy_data(v) for k, v in template.items()}
    omitted: list[FieldPath] = []
    for f in fields:
        try:
            value = evaluate(f.expression, bindings)
        except ExpressionPending as e:
            raise ExpressionPending(_written(f), e.message, missing=e.missing) from e
        except ExpressionFailed as e:
            raise ExpressionFailed(_written(f), e.message) from e
        if value is OMIT:
            omitted.append(f.path)
            continue
        if not f.standalone and not isinstance(value, str):
            value = _as_text(f, value)
        elif isinstance(value, list | dict) and _calls_omit(f) and _holds_omit(value):
            raise ExpressionFailed(_written(f), "omit() must be a field's whole value, not inside a list or map")
        set_path(out, f.path, value)
    # Deepest and last first, so removing a list element does not move the ones still to remove.
    for path in sorted(omitted, key=_removal_order, reverse=True):
        remove_path(out, path)
    return out


def _removal_order(path: FieldPath) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in path)


def _calls_omit(f: TemplateField) -> bool:
    return "omit" in getattr(f.expression, "functions", ())


def _holds_omit(value: Any) -> bool:
    if value is OMIT:
        return True
    if isinstance(value, list):
        return any(_holds_omit(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_omit(v) for v in value.values())
    return False


def remove_path(target: dict[str, Any], path: FieldPath) -> None:
    """Remove the key or list element at ``path``; nothing when it is not there."""
    node: Any = target
    for step in path[:-1]:
        if isinstance(node, dict) and isinstance(step, str):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            return
    last = path[-1]
    if isinstance(node, dict) and isinstance(last, str):
        node.pop(last, None)
    elif isinstance(node, list) and isinstance(last, int) and 0 <= last < len(node):
        del node[last]


def _written(f: TemplateField) -> str:
    """The field's string as the user wrote it (``postgres://${db.status.endpoint}/app``), not the
    concatenation the compiler rewrote it into."""
    return f.source_text or written(f.expression)


def _as_text(f: TemplateField, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise ExpressionFailed(_written(f), f"interpolated value must be a string, got {type(value).__name__}")


def set_path(target: dict[str, Any], path: FieldPath, value: Any) -> None:
    """Set ``value`` at ``path`` inside ``target``, creating intermediate maps where missing."""
    if not path:
        raise ValueError("empty field path")
    node: Any = target
    for i, step in enumerate(path[:-1]):
        nxt = path[i + 1]
        if isinstance(node, dict):
            if not isinstance(node.get(step), dict | list):
                node[step] = [] if isinstance(nxt, int) else {}
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            raise ValueError(f"field path {path!r} does not fit the template at {step!r}")
    last = path[-1]
    if isinstance(node, dict):
        node[last] = value
        return
    if isinstance(node, list) and isinstance(last, int) and 0 <= last < len(node):
        node[last] = value
        return
    raise ValueError(f"field path {path!r} does not fit the template at {last!r}")
