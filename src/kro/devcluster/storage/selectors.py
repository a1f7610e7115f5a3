"""Label and field selectors, parsed once and matched against plain objects.

The grammar is kube-apiserver's: label selectors take ``k=v``, ``k==v``, ``k!=v``, ``k in (a,b)``,
``k notin (a,b)``, ``k``, ``!k``, ``k>n``, ``k<n`` joined by commas; field selectors take ``path=v``,
``path==v`` and ``path!=v`` where the path is a dotted field of the object.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kro.devcluster.storage.errors import InvalidSelectorError

_KEY = r"[A-Za-z0-9](?:[-A-Za-z0-9_./]*[A-Za-z0-9])?"
_VALUE = r"(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?"
_SET_RE = re.compile(rf"^\s*({_KEY})\s+(in|notin)\s+\(([^)]*)\)\s*$")
_OP_RE = re.compile(rf"^\s*({_KEY})\s*(==|!=|=|>|<)\s*({_VALUE})\s*$")
_EXISTS_RE = re.compile(rf"^\s*(!?)\s*({_KEY})\s*$")


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!", ">", "<"
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.op == "exists":
            return present
        if self.op == "!":
            return not present
        if self.op in ("=", "in"):
            return present and value in self.values
        if self.op in ("!=", "notin"):
            return not present or value not in self.values
        try:
            number, bound = int(value or ""), int(self.values[0])
        except ValueError:
            return False
        return number > bound if self.op == ">" else number < bound


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


@dataclass(frozen=True)
class LabelSelector:
    requirements: tuple[Requirement, ...]

    @classmethod
    def parse(cls, text: str | None) -> LabelSelector:
        if not text or not text.strip():
            return cls(())
        return cls(tuple(_parse_requirement(part) for part in _split_top_level(text)))

    @classmethod
    def from_match(cls, selector: Mapping[str, Any]) -> LabelSelector:
        """A ``metav1.LabelSelector`` (``matchLabels`` / ``matchExpressions``)."""
        reqs = [Requirement(k, "=", (str(v),)) for k, v in (selector.get("matchLabels") or {}).items()]
        ops = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}
        for expr in selector.get("matchExpressions") or []:
            op = ops.get(str(expr.get("operator")))
            if op is None:
                raise InvalidSelectorError(f"unknown operator {expr.get('operator')!r}")
            reqs.append(Requirement(str(expr.get("key")), op, tuple(str(v) for v in expr.get("values") or ())))
        return cls(tuple(reqs))

    @property
    def empty(self) -> bool:
        return not self.requirements

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)


def _parse_requirement(part: str) -> Requirement:
    m = _SET_RE.match(part)
    if m:
        values = tuple(v.strip() for v in m.group(3).split(",") if v.strip())
        return Requirement(m.group(1), m.group(2), values)
    m = _OP_RE.match(part)
    if m:
        op = "=" if m.group(2) == "==" else m.group(2)
        if op in (">", "<") and not re.fullmatch(r"-?\d+", m.group(3)):
            raise InvalidSelectorError(f"invalid label selector {part.strip()!r}: {op} needs an integer")
        return Requirement(m.group(1), op, (m.group(3),))
    m = _EXISTS_RE.match(part)
    if m:
        return Requirement(m.group(2), "!" if m.group(1) else "exists")
    raise InvalidSelectorError(f"unable to parse requirement: {part.strip()!r}")


@dataclass(frozen=True)
class FieldRequirement:
    """``path`` is the label as written; where its value is read can differ by kind: ``source`` (the
    path, unless bound otherwise), then ``fallback`` when that is empty, then ``default``."""

    path: str
    negate: bool
    value: str
    source: str | None = None
    default: str = ""
    fallback: str = ""

    def matches(self, obj: Mapping[str, Any]) -> bool:
        actual = field_value(obj, self.path if self.source is None else self.source)
        if not actual and self.fallback:
            actual = field_value(obj, self.fallback)
        actual = actual or self.default
        return (actual != self.value) if self.negate else (actual == self.value)


def field_value(obj: Mapping[str, Any], path: str) -> str:
    """The string value of a dotted field; missing fields read as ``""`` like kube-apiserver."""
    node: Any = obj
    if not path:
        return ""
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return ""
        node = node.get(part)
    if node is None:
        return ""
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)


@dataclass(frozen=True)
class FieldSelector:
    requirements: tuple[FieldRequirement, ...]

    @classmethod
    def parse(cls, text: str | None) -> FieldSelector:
        if not text or not text.strip():
            return cls(())
        reqs: list[FieldRequirement] = []
        for part in _split_top_level(text):
            m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(==|!=|=)\s*(.*?)\s*$", part)
            if not m:
                raise InvalidSelectorError(f"invalid field selector: {part.strip()!r}")
            reqs.append(FieldRequirement(m.group(1), m.group(2) == "!=", m.group(3)))
        return cls(tuple(reqs))

    @property
    def empty(self) -> bool:
        return not self.requirements

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(r.path for r in self.requirements)

    def matches(self, obj: Mapping[str, Any]) -> bool:
        return all(r.matches(obj) for r in self.requirements)
