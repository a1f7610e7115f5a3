"""How a schema says a value merges: granular or atomic maps, and atomic, set or keyed lists.

Strategic merge patch and server-side apply both walk an object next to its OpenAPI schema and ask,
at each node, how that node combines. The answers come from the Kubernetes extensions:
``x-kubernetes-list-type`` (``atomic`` | ``set`` | ``map``) with ``x-kubernetes-list-map-keys``,
``x-kubernetes-map-type``, and for built-in kinds the older ``x-kubernetes-patch-strategy`` /
``x-kubernetes-patch-merge-key`` pair, which stands in where a list type is absent.

A node without a schema (a CRD field under ``x-kubernetes-preserve-unknown-fields``, or no schema at
all) is merged as structured-merge-diff does for unknown types: maps granular, lists atomic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Schema = Mapping[str, Any]

# kube-apiserver defaults these list-map key fields before merging; an item that omits one is keyed
# by the default, as the server would see it.
_KEY_DEFAULTS: Mapping[str, Any] = {"protocol": "TCP"}


@dataclass(frozen=True)
class ListShape:
    """How one list merges: ``atomic`` (replaced whole), ``set`` (scalars, unioned) or ``map`` (keyed)."""

    kind: Literal["atomic", "set", "map"]
    keys: tuple[str, ...] = ()


ATOMIC_LIST = ListShape("atomic")


def field_schema(schema: Schema | None, name: str) -> Schema | None:
    """The schema of field ``name`` of an object node; ``None`` when nothing is known about it."""
    if schema is None:
        return None
    props = schema.get("properties")
    if isinstance(props, dict) and name in props:
        sub = props[name]
        return sub if isinstance(sub, dict) else None
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        return extra
    return None


def item_schema(schema: Schema | None) -> Schema | None:
    if schema is None:
        return None
    items = schema.get("items")
    return items if isinstance(items, dict) else None


def is_struct_field(schema: Schema | None, name: str) -> bool:
    """Whether ``name`` is a declared property (a struct field) rather than an entry of a free map."""
    if schema is None:
        return False
    props = schema.get("properties")
    return isinstance(props, dict) and name in props


def map_is_atomic(schema: Schema | None) -> bool:
    return schema is not None and schema.get("x-kubernetes-map-type") == "atomic"


def list_shape(schema: Schema | None) -> ListShape:
    """The merge shape of a list node for server-side apply."""
    if schema is None:
        return ATOMIC_LIST
    list_type = schema.get("x-kubernetes-list-type")
    if list_type == "map":
        keys = schema.get("x-kubernetes-list-map-keys") or ()
        return ListShape("map", tuple(str(k) for k in keys)) if keys else ATOMIC_LIST
    if list_type == "set":
        return ListShape("set")
    if list_type == "atomic":
        return ATOMIC_LIST
    return _shape_from_patch_strategy(schema)


def _shape_from_patch_strategy(schema: Schema) -> ListShape:
    if "merge" not in str(schema.get("x-kubernetes-patch-strategy", "")).split(","):
        return ATOMIC_LIST
    key = schema.get("x-kubernetes-patch-merge-key")
    if key:
        return ListShape("map", (str(key),))
    return ListShape("set")


def patch_strategies(schema: Schema | None) -> frozenset[str]:
    """The ``x-kubernetes-patch-strategy`` values of a node (``merge``, ``retainKeys``, ``replace``)."""
    if schema is None:
        return frozenset()
    return frozenset(s for s in str(schema.get("x-kubernetes-patch-strategy", "")).split(",") if s)


def patch_merge_key(schema: Schema | None) -> str | None:
    if schema is None:
        return None
    key = schema.get("x-kubernetes-patch-merge-key")
    return str(key) if key else None


def key_value(item: Mapping[str, Any], key: str) -> Any:
    """The value of a list-map key field of ``item``, defaulted as the server defaults it."""
    if key in item and item[key] is not None:
        return item[key]
    return _KEY_DEFAULTS.get(key)


def has_key(item: Mapping[str, Any], key: str) -> bool:
    return key_value(item, key) is not None
