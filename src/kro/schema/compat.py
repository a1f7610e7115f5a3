"""Would replacing a CRD's schema break objects that already exist?

When an RGD changes, kro updates its CRD in place. A change that can make a stored instance invalid
(a field removed, a type changed, a new required field, a tighter bound, a narrower enum, a new or
different pattern) is *breaking*, and kro refuses it unless the RGD carries
``kro.run/allow-breaking-changes: "true"``. Additive changes (new optional fields, looser bounds, a
wider enum, dropped constraints, new descriptions or defaults) are not reported.

Paths name properties from the schema root: ``spec.replicas``, ``spec.ports[*].name`` for list
items, ``spec.labels.*`` for map values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ChangeKind(StrEnum):
    PROPERTY_REMOVED = "PROPERTY_REMOVED"
    TYPE_CHANGED = "TYPE_CHANGED"
    REQUIRED_ADDED = "REQUIRED_ADDED"
    REQUIRED_DEFAULT_REMOVED = "REQUIRED_DEFAULT_REMOVED"
    ENUM_RESTRICTED = "ENUM_RESTRICTED"
    PATTERN_CHANGED = "PATTERN_CHANGED"
    PATTERN_ADDED = "PATTERN_ADDED"
    MINIMUM_ADDED = "MINIMUM_ADDED"
    MINIMUM_INCREASED = "MINIMUM_INCREASED"
    MAXIMUM_ADDED = "MAXIMUM_ADDED"
    MAXIMUM_DECREASED = "MAXIMUM_DECREASED"
    MIN_LENGTH_ADDED = "MIN_LENGTH_ADDED"
    MIN_LENGTH_INCREASED = "MIN_LENGTH_INCREASED"
    MAX_LENGTH_ADDED = "MAX_LENGTH_ADDED"
    MAX_LENGTH_DECREASED = "MAX_LENGTH_DECREASED"
    MIN_ITEMS_ADDED = "MIN_ITEMS_ADDED"
    MIN_ITEMS_INCREASED = "MIN_ITEMS_INCREASED"
    MAX_ITEMS_ADDED = "MAX_ITEMS_ADDED"
    MAX_ITEMS_DECREASED = "MAX_ITEMS_DECREASED"


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    path: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path or '<root>'}: {self.detail} ({self.kind})"


K = ChangeKind
_FREE_FORM = "object (any fields)"

# bound keyword → (kind when added, kind when tightened, True if a larger value is tighter)
_BOUNDS = {
    "minimum": (K.MINIMUM_ADDED, K.MINIMUM_INCREASED, True),
    "maximum": (K.MAXIMUM_ADDED, K.MAXIMUM_DECREASED, False),
    "minLength": (K.MIN_LENGTH_ADDED, K.MIN_LENGTH_INCREASED, True),
    "maxLength": (K.MAX_LENGTH_ADDED, K.MAX_LENGTH_DECREASED, False),
    "minItems": (K.MIN_ITEMS_ADDED, K.MIN_ITEMS_INCREASED, True),
    "maxItems": (K.MAX_ITEMS_ADDED, K.MAX_ITEMS_DECREASED, False),
}


def breaking_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every breaking change from ``old`` to ``new`` (two ``openAPIV3Schema`` roots), in schema order."""
    out: list[Change] = []
    _compare(old, new, "", out)
    return out


def _compare(old: Mapping[str, Any], new: Mapping[str, Any], path: str, out: list[Change]) -> None:
    loosened = _shape(old) == "object" and _shape(new) == _FREE_FORM  # a struct now keeps any field
    if _shape(old) != _shape(new) and not loosened:
        out.append(Change(K.TYPE_CHANGED, path, f"type changed from {_shape(old)} to {_shape(new)}"))
        return  # everything below changed meaning; listing it all would only add noise
    _compare_list_type(old, new, path, out)
    _compare_enum(old, new, path, out)
    _compare_pattern(old, new, path, out)
    _compare_bounds(old, new, path, out)
    _compare_properties(old, new, path, out)
    for key, suffix in (("items", "[*]"), ("additionalProperties", ".*")):
        if isinstance(old.get(key), Mapping) and isinstance(new.get(key), Mapping):
            _compare(old[key], new[key], path + suffix, out)


def _shape(node: Mapping[str, Any]) -> str:
    """The type, telling apart the three kinds of object (map, free-form, struct)."""
    kind = str(node.get("type", "any"))
    if kind != "object":
        return kind
    if isinstance(node.get("additionalProperties"), Mapping):
        return "map"
    if node.get("x-kubernetes-preserve-unknown-fields") and not node.get("properties"):
        return _FREE_FORM
    return "object"


def _compare_list_type(old: Mapping[str, Any], new: Mapping[str, Any], path: str, out: list[Change]) -> None:
    before = old.get("x-kubernetes-list-type", "atomic")
    after = new.get("x-kubernetes-list-type", "atomic")
    keys_before, keys_after = old.get("x-kubernetes-list-map-keys"), new.get("x-kubernetes-list-map-keys")
    # A list that becomes a set or a map, or is keyed differently, may hold items that now collide.
    if (before != after and after != "atomic") or (after == "map" and keys_before != keys_after):
        detail = (
            f"list type changed from {_list_kind(before, keys_before)} to {_list_kind(after, keys_after)}"
        )
        out.append(Change(K.TYPE_CHANGED, path, detail))


def _list_kind(list_type: str, keys: Any) -> str:
    return f"map keyed by {', '.join(keys)}" if list_type == "map" and keys else list_type


def _compare_enum(old: Mapping[str, Any], new: Mapping[str, Any], path: str, out: list[Change]) -> None:
    if "enum" not in new:
        return
    if "enum" not in old:
        out.append(Change(K.ENUM_RESTRICTED, path, f"values are now restricted to {new['enum']}"))
        return
    removed = [v for v in old["enum"] if v not in new["enum"]]
    if removed:
        out.append(Change(K.ENUM_RESTRICTED, path, f"enum values {removed} were removed"))


def _compare_pattern(old: Mapping[str, Any], new: Mapping[str, Any], path: str, out: list[Change]) -> None:
    if "pattern" not in new or old.get("pattern") == new["pattern"]:
        return
    if "pattern" not in old:
        out.append(Change(K.PATTERN_ADDED, path, f"pattern {new['pattern']!r} was added"))
    else:
        out.append(
            Change(K.PATTERN_CHANGED, path, f"pattern changed from {old['pattern']!r} to {new['pattern']!r}")
        )


def _compare_bounds(old: Mapping[str, Any], new: Mapping[str, Any], path: str, out: list[Change]) -> None:
    for key, (added, tightened, larger_is_tighter) in _BOUNDS.items():
        if key not in new:
            continue
        if key not in old:
            out.append(Change(added, path, f"{key} {new[key]} was added"))
        elif (new[key] > old[key]) if larger_is_tighter else (new[key] < old[key]):
            out.append(Change(tightened, path, f"{key} tightened from {old[key]} to {new[key]}"))


def _compare_properties(old: Mapping[str, Any], new: Mapping[str, Any], path: str, out: list[Change]) -> None:
    old_props: Mapping[str, Any] = old.get("properties") or {}
    new_props: Mapping[str, Any] = new.get("properties") or {}
    keeps_unknown = bool(new.get("x-kubernetes-preserve-unknown-fields"))
    for name, old_child in old_props.items():
        child_path = f"{path}.{name}" if path else name
        if name not in new_props:
            if not keeps_unknown:  # stored values would be pruned
                out.append(Change(K.PROPERTY_REMOVED, child_path, f"property {name!r} was removed"))
            continue
        _compare(old_child, new_props[name], child_path, out)
    old_required = set(old.get("required") or [])
    for name in new.get("required") or []:
        child_path = f"{path}.{name}" if path else name
        child = new_props.get(name, {})
        if name not in old_required:
            # With a default the API server fills the field in stored objects, so nothing breaks.
            if "default" not in child:
                out.append(Change(K.REQUIRED_ADDED, child_path, f"field {name!r} is newly required"))
        elif "default" in old_props.get(name, {}) and "default" not in child:
            out.append(
                Change(K.REQUIRED_DEFAULT_REMOVED, child_path, f"required field {name!r} lost its default")
            )
