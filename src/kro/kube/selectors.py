"""Label and field selectors: encoding for query strings, and matching against an object's labels.

A selector may be given as the API's string form (``"app=web,tier in (a,b)"``), as a mapping of
equalities (``{"app": "web"}``), or as a ``metav1.LabelSelector`` document (``matchLabels`` and
``matchExpressions`` with ``In``, ``NotIn``, ``Exists``, ``DoesNotExist``). The string form is what
goes on the wire; :func:`selector_matches` evaluates the structured forms locally (informer caches
filter by them without a request).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Selector = str | Mapping[str, Any]

_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


class SelectorError(ValueError):
    """A selector that cannot be encoded: unknown operator, missing values, bad shape."""


def _is_label_selector(selector: Mapping[str, Any]) -> bool:
    return "matchLabels" in selector or "matchExpressions" in selector


def encode_label_selector(selector: Selector | None) -> str | None:
    """The query-string form of a label selector; ``None`` (no selector) stays ``None``."""
    if selector is None:
        return None
    if isinstance(selector, str):
        return selector
    if not _is_label_selector(selector):
        return _encode_equalities(selector, "label selector")
    parts: list[str] = []
    match_labels = selector.get("matchLabels") or {}
    if not isinstance(match_labels, Mapping):
        raise SelectorError("label selector: matchLabels must be a mapping")
    encoded = _encode_equalities(match_labels, "label selector")
    if encoded:
        parts.append(encoded)
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        parts.append(_encode_expression(expr, f"label selector: matchExpressions[{i}]"))
    return ",".join(parts)


def encode_field_selector(selector: Selector | None) -> str | None:
    """The query-string form of a field selector (``{"metadata.name": "x"}`` → ``metadata.name=x``)."""
    if selector is None or isinstance(selector, str):
        return selector
    return _encode_equalities(selector, "field selector")


def _encode_equalities(pairs: Mapping[str, Any], what: str) -> str:
    out: list[str] = []
    for key in sorted(pairs):
        value = pairs[key]
        if not isinstance(value, str):
            raise SelectorError(f"{what}: value of {key!r} must be a string, got {type(value).__name__}")
        out.append(f"{key}={value}")
    return ",".join(out)


def _encode_expression(expr: Any, where: str) -> str:
    if not isinstance(expr, Mapping):
        raise SelectorError(f"{where}: must be a mapping")
    key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
    if not isinstance(key, str) or not key:
        raise SelectorError(f"{where}: key is required")
    if op not in _OPERATORS:
        raise SelectorError(f"{where}: operator must be one of {', '.join(_OPERATORS)}, got {op!r}")
    if op == "Exists":
        return key
    if op == "DoesNotExist":
        return f"!{key}"
    if not values or not all(isinstance(v, str) for v in values):
        raise SelectorError(f"{where}: operator {op} needs a non-empty list of string values")
    word = "in" if op == "In" else "notin"
    return f"{key} {word} ({','.join(sorted(values))})"


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str] | None) -> bool:
    """Whether ``labels`` satisfy a structured selector (mapping of equalities or LabelSelector).

    ``None`` selects everything; an empty LabelSelector selects everything too (API convention).
    """
    if selector is None:
        return True
    have = labels or {}
    if not _is_label_selector(selector):
        return all(have.get(k) == v for k, v in selector.items())
    for k, v in (selector.get("matchLabels") or {}).items():
        if have.get(k) != v:
            return False
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        _encode_expression(expr, f"label selector: matchExpressions[{i}]")  # validates the shape
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        present = key in have
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
        if op == "In" and (not present or have[key] not in values):
            return False
        if op == "NotIn" and present and have[key] in values:
            return False
    return True
