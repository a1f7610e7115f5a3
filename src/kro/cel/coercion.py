"""Numbers in JSON data that the schema says are doubles.

JSON has one number type: ``ratio: 1`` in an object reaches Python as the ``int`` 1 even where the
schema says ``number``. The type checker has typed ``ratio`` as ``double``, so ``ratio * 2.0`` checks,
but the engine evaluating plain data would then see ``int * double``, which has no overload. kro
reads objects through their schema; here the same effect is had by turning such ints into floats
before evaluation, only at the places the expression reads and only where the schema says
``number``.

A :data:`Plan` is computed once per compiled expression from the variable's type and the part of it
the expression reads; most expressions read no ``number`` field and get no plan at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kro.cel.types import CelType, Kind, from_openapi

NUMBER = "number"
EVERY = "*"
"""Plan key for every element of a list or every value of a map."""

Plan = dict[str, "Plan | str"]
Trie = Mapping[str, "Trie | None"]
_MAX_DEPTH = 32


def plan_for(
    ct: CelType, trie: Trie | None, *, memo: dict[int, Any] | None = None, depth: int = 0
) -> Plan | str | None:
    """Where, inside a value of type ``ct`` of which the expression reads ``trie`` (``None``: all
    of it), ints must become floats; ``None`` when nowhere. ``memo`` caches the plans of whole
    objects by schema identity (the schemas must outlive it)."""
    if depth > _MAX_DEPTH:
        return None
    if trie is None and memo is not None and ct.kind == Kind.OBJECT and ct.schema is not None:
        key = id(ct.schema)
        if key not in memo:
            memo[key] = _plan(ct, None, memo, depth)
        cached: Plan | str | None = memo[key]
        return cached
    return _plan(ct, trie, memo, depth)


def _plan(ct: CelType, trie: Trie | None, memo: dict[int, Any] | None, depth: int) -> Plan | str | None:
    kind = ct.kind
    if kind == Kind.OPTIONAL:
        return plan_for(ct.element, trie, memo=memo, depth=depth + 1)
    if kind == Kind.DOUBLE:
        return NUMBER
    if kind == Kind.LIST:
        inner = plan_for(ct.element, None, memo=memo, depth=depth + 1) if trie is None else None
        return {EVERY: inner} if inner is not None else None
    if kind == Kind.MAP:
        if trie is None:
            inner = plan_for(ct.element, None, memo=memo, depth=depth + 1)
            return {EVERY: inner} if inner is not None else None
        return _fields({name: ct.element for name in trie}, trie, memo, depth)
    if kind == Kind.OBJECT and ct.schema is not None:
        props = ct.schema.get("properties") or {}
        names = props if trie is None else [n for n in trie if n in props]
        return _fields({n: from_openapi(props[n]) for n in names}, trie, memo, depth)
    return None


def _fields(
    types: Mapping[str, CelType], trie: Trie | None, memo: dict[int, Any] | None, depth: int
) -> Plan | None:
    plan: Plan = {}
    for name, sub in types.items():
        inner = plan_for(sub, trie[name] if trie is not None else None, memo=memo, depth=depth + 1)
        if inner is not None:
            plan[name] = inner
    return plan or None


def coerce(value: Any, plan: Plan | str) -> Any:
    """``value`` with the ints at ``plan`` made floats; the same object when nothing changes."""
    if plan == NUMBER:
        return float(value) if type(value) is int else value
    assert isinstance(plan, dict)
    if isinstance(value, dict):
        changed: dict[str, Any] | None = None
        for name, sub in plan.items():
            keys = value.keys() if name == EVERY else ((name,) if name in value else ())
            for key in keys:
                new = coerce(value[key], sub)
                if new is not value[key]:
                    changed = changed if changed is not None else dict(value)
                    changed[key] = new
        return changed if changed is not None else value
    every = plan.get(EVERY)
    if isinstance(value, list) and every is not None:
        items = [coerce(v, every) for v in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value
