"""Resources served in more than one API group: objects are stored in one form and converted to
the form of the endpoint that reads them, as kube-apiserver converts through its internal version.

Events are one resource in two API versions: ``v1`` (core) and ``events.k8s.io/v1``. An Event
written through either is stored in the core form and served in both, with kube-apiserver's field
conversion (``note``/``message``, ``regarding``/``involvedObject``, ``reportingController``/
``reportingComponent``, ``deprecatedSource``/``source``, ``deprecatedCount``/``count``,
``deprecatedFirstTimestamp``/``firstTimestamp``, ``deprecatedLastTimestamp``/``lastTimestamp``) and
the zero values Go writes for each version's struct fields (``eventTime: null``, ``source: {}``...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kro.devcluster.registry import ResourceType

Obj = dict[str, Any]

EVENTS_GROUP = "events.k8s.io"
# events.k8s.io/v1 field → core v1 field.
_EVENT_FIELDS = {
    "regarding": "involvedObject",
    "note": "message",
    "deprecatedSource": "source",
    "deprecatedFirstTimestamp": "firstTimestamp",
    "deprecatedLastTimestamp": "lastTimestamp",
    "deprecatedCount": "count",
    "reportingController": "reportingComponent",
}
_TO_EVENTS = {core: new for new, core in _EVENT_FIELDS.items()}
# The zero values each version's Go struct always writes.
_CORE_ZERO: dict[str, Any] = {
    "involvedObject": {}, "source": {}, "firstTimestamp": None, "lastTimestamp": None, "eventTime": None,
    "reportingComponent": "", "reportingInstance": "",
}
_EVENTS_ZERO: dict[str, Any] = {
    "eventTime": None, "regarding": {}, "deprecatedSource": {}, "deprecatedFirstTimestamp": None,
    "deprecatedLastTimestamp": None,
}


def _is_event(rt: ResourceType) -> bool:
    return rt.kind == "Event" and rt.group in ("", EVENTS_GROUP)


def _renamed(obj: Mapping[str, Any], names: Mapping[str, str]) -> Obj:
    return {names.get(key, key): value for key, value in obj.items()}


def to_storage(rt: ResourceType, obj: Obj) -> Obj:
    """``obj`` (as written through ``rt``) in the form it is stored in."""
    if rt.group == EVENTS_GROUP and rt.kind == "Event":
        stored = _renamed(obj, _EVENT_FIELDS)
        stored["apiVersion"] = "v1"
        return stored
    return obj


def served(rt: ResourceType, obj: Obj) -> Obj:
    """A stored object in ``rt``'s form (in place when no field moves)."""
    if _is_event(rt):
        stored_core = obj.get("apiVersion") == "v1"
        if rt.group == EVENTS_GROUP:
            out = _renamed(obj, _TO_EVENTS) if stored_core else dict(obj)
            zero = _EVENTS_ZERO
        else:
            out = _renamed(obj, _EVENT_FIELDS) if not stored_core else dict(obj)
            zero = _CORE_ZERO
        for key, value in zero.items():
            if key not in out:
                out[key] = dict(value) if isinstance(value, dict) else value
        out["apiVersion"] = rt.api_version
        return out
    if obj.get("apiVersion") != rt.api_version:
        obj["apiVersion"] = rt.api_version
    return obj
