"""Values in JSON data whose CEL type is not their JSON type: doubles, timestamps and durations.

JSON has one number type: ``ratio: 1`` in an object reaches Python as the ``int`` 1 even where the
schema says ``number``. The type checker has typed ``ratio`` as ``double``, so ``ratio * 2.0`` checks,
but the engine evaluating plain data would then see ``int * double``, which has no overload. kro
reads objects through their schema; here the same effect is had by turning such ints into floats
before evaluation, only at the places the expression reads and only where the schema says
``number``.

The same holds for strings the schema gives a ``date-time``, ``date`` or ``duration`` format: they
are typed ``timestamp`` and ``duration`` (as Kubernetes types them), so they become
``google.protobuf.Timestamp``/``Duration`` messages here (the engine takes those, not Python's
``datetime``, inside lists and maps). A string that does not parse is left as it is, and the
expression then fails on it with a type error, as it would on any other value of the wrong type.

A :data:`Plan` is computed once per compiled expression from the variable's type and the part of it
the expression reads; most expressions read no such field and get no plan at all.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from typing import Any

from google.protobuf import duration_pb2, timestamp_pb2

from kro.cel.types import CelType, Kind, from_openapi

NUMBER = "number"
TIMESTAMP = "timestamp"
DURATION = "duration"
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
    if kind == Kind.TIMESTAMP:
        return TIMESTAMP
    if kind == Kind.DURATION:
        return DURATION
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
    if isinstance(plan, str):
        return _CONVERT[plan](value) if isinstance(value, str) else value
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


def parse_timestamp(text: str) -> timestamp_pb2.Timestamp | str:
    """An RFC 3339 ``date-time`` (or a ``date``, at midnight UTC) as a Timestamp; ``text``
    unchanged when it is neither."""
    try:
        ts = datetime.datetime.fromisoformat(text)
    except ValueError:
        return text
    ts = ts if ts.tzinfo is not None else ts.replace(tzinfo=datetime.UTC)
    seconds = int((ts - _EPOCH) // datetime.timedelta(seconds=1))
    nanos = _fraction_nanos(text) if "." in text else ts.microsecond * 1000
    if not _MIN_SECONDS <= seconds <= _MAX_SECONDS:
        return text
    return timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos)


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MIN_SECONDS, _MAX_SECONDS = -62_135_596_800, 253_402_300_799  # 0001-01-01 .. 9999-12-31
_FRACTION = re.compile(r"\.(\d+)")


def _fraction_nanos(text: str) -> int:
    """Nanoseconds of an RFC 3339 fraction (Python's datetime keeps only microseconds)."""
    m = _FRACTION.search(text)
    return int((m.group(1) + "000000000")[:9]) if m else 0


_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w)")
_UNIT_SECONDS = {
    "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3,
    "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86_400.0, "w": 604_800.0,
}  # fmt: skip


_MAX_DURATION_SECONDS = 315_576_000_000  # CEL's range: about 10,000 years


def parse_duration(text: str) -> duration_pb2.Duration | str:
    """A Kubernetes ``duration`` string (Go's spelling, ``"1h30m"``, ``"-1.5s"``; ``d`` and ``w``
    accepted as Kubernetes does) as a Duration; ``text`` unchanged when it is not one."""
    body = text[1:] if text[:1] in "+-" else text
    parts = _DURATION_PART.findall(body)
    if body != "0" and (not body or "".join(n + u for n, u in parts) != body):
        return text
    nanos = round(sum(float(n) * _UNIT_SECONDS[u] for n, u in parts) * 1e9)
    if nanos > _MAX_DURATION_SECONDS * 10**9:
        return text
    nanos = -nanos if text.startswith("-") else nanos
    seconds, rest = divmod(abs(nanos), 10**9)
    sign = -1 if nanos < 0 else 1
    return duration_pb2.Duration(seconds=sign * seconds, nanos=sign * rest)


_CONVERT: dict[str, Callable[[str], Any]] = {TIMESTAMP: parse_timestamp, DURATION: parse_duration}
