"""The defaulting engine: a table of struct types, each with its field defaults and the fields that
hold nested structs, applied top-down to an object the way kube-apiserver's generated
``SetObjectDefaults_*`` functions run (the type's own defaults first, then its nested structs).

A default is a constant or a function of the struct it belongs to (for defaults that depend on
sibling fields); it fills a field that is absent or ``null`` (Go's nil pointer) and, for string
fields, empty (Go's ``""`` is unset), or, with ``zero_unset``, ``0`` (a non-pointer Go integer).
Struct fields Go always serialises (non-pointer structs such as a container's ``resources``) are
plain ``{}`` defaults.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]
# A computed default: the parent struct → the value, or None to leave the field unset.
Compute = Callable[[Obj], Any]
_ATOMIC = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class Default:
    value: Any = None
    compute: Compute | None = None
    zero_unset: bool = False  # a Go non-pointer integer: 0 means unset

    def unset(self, current: Any) -> bool:
        if current is None or current == "":
            return True
        return self.zero_unset and current == 0 and not isinstance(current, bool)

    def produce(self, parent: Obj) -> Any:
        if self.compute is not None:
            return self.compute(parent)
        if type(self.value) in _ATOMIC:
            return self.value  # deepcopy returns these very objects
        return copy.deepcopy(self.value)


@dataclass(frozen=True)
class Child:
    """A field holding a nested struct of ``type``: one, a list of them, or a map of them."""

    type: str
    shape: str = "one"  # one, list, map


@dataclass(frozen=True)
class StructType:
    defaults: Mapping[str, Default] = field(default_factory=dict)
    children: Mapping[str, Child] = field(default_factory=dict)
    # Whole-struct adjustments no single field default can express (run after the field defaults).
    hooks: tuple[Callable[[Obj], None], ...] = ()


def const(value: Any, *, zero_unset: bool = False) -> Default:
    return Default(value=value, zero_unset=zero_unset)


def computed(fn: Compute) -> Default:
    return Default(compute=fn)


def one(type_name: str) -> Child:
    return Child(type_name)


def each(type_name: str) -> Child:
    return Child(type_name, "list")


def values(type_name: str) -> Child:
    return Child(type_name, "map")


def apply_defaults(types: Mapping[str, StructType], type_name: str, obj: Any) -> None:
    """Default ``obj`` (a struct of ``type_name``) and everything nested in it, in place."""
    st = types.get(type_name)
    if st is None or not isinstance(obj, dict):
        return
    for key, default in st.defaults.items():
        if default.unset(obj.get(key)):
            value = default.produce(obj)
            if value is not None:
                obj[key] = value
    for hook in st.hooks:
        hook(obj)
    for key, child in st.children.items():
        value = obj.get(key)
        if child.shape == "one":
            apply_defaults(types, child.type, value)
        elif child.shape == "list" and isinstance(value, list):
            for item in value:
                apply_defaults(types, child.type, item)
        elif child.shape == "map" and isinstance(value, dict):
            for item in value.values():
                apply_defaults(types, child.type, item)


def template_meta(template: Obj) -> None:
    """A template's ObjectMeta is a Go struct: v1.32 writes its zero ``creationTimestamp`` as null."""
    meta = template.setdefault("metadata", {})
    if isinstance(meta, dict):
        meta.setdefault("creationTimestamp", None)
