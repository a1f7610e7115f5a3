"""The informer's local copy of a resource's objects, indexed for the lookups controllers make.

Objects are keyed ``namespace/name`` (``name`` for cluster-scoped ones) and indexed by namespace and
by any label keys asked for (``kro.run/instance-id`` finds an instance's children without a scan).
Further indexes are functions of an object returning the values it is filed under.

``metadata.managedFields`` is dropped on the way in: it is often the largest part of an object and no
controller decision reads it. Short strings are interned on the way in (:func:`compact`; the
decoder already shares keys): every cached object spells its labels and its own name many times,
and thousands of objects share them, so the cache holds each spelling once (about half the memory
of a decoded StatefulSet). Objects handed out are the cache's own: treat them as read-only
(copy before modifying), as with any informer cache.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from sys import intern
from typing import Any

Indexer = Callable[[Mapping[str, Any]], Iterable[str]]
NAMESPACE_INDEX = "namespace"
_LABEL_INDEX_PREFIX = "label:"


def object_key(obj: Mapping[str, Any]) -> str:
    """``namespace/name``, or ``name`` for a cluster-scoped object."""
    meta = obj.get("metadata") or {}
    name = meta.get("name", "")
    namespace = meta.get("namespace")
    return f"{namespace}/{name}" if namespace else str(name)


def make_key(name: str, namespace: str | None = None) -> str:
    return f"{namespace}/{name}" if namespace else name


def strip_managed_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop ``metadata.managedFields`` in place; returns ``obj``."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
    return obj


_SHORT = 64


def compact(value: Any) -> Any:
    """Intern the strings of up to 64 characters inside ``value``, in place (dicts and lists keep
    their identity and their keys); returns ``value``, or the interned string. Dict keys are left
    as they are: the client's decoder (orjson) already hands out one object per spelling of a key,
    and replacing keys would mean rebuilding every dict."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(item) is str:
                if len(item) <= _SHORT:
                    value[key] = intern(item)  # an existing key: the dict does not change size
            elif type(item) is dict or type(item) is list:
                compact(item)
    elif kind is list:
        for i, item in enumerate(value):
            if type(item) is str:
                if len(item) <= _SHORT:
                    value[i] = intern(item)
            elif type(item) is dict or type(item) is list:
                compact(item)
    elif kind is str and len(value) <= _SHORT:
        return intern(value)
    return value


def resource_version(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion", ""))


def label_index_name(label_key: str) -> str:
    return _LABEL_INDEX_PREFIX + label_key


def _label_indexer(label_key: str) -> Indexer:
    def index(obj: Mapping[str, Any]) -> Iterable[str]:
        value = ((obj.get("metadata") or {}).get("labels") or {}).get(label_key)
        return (value,) if isinstance(value, str) else ()

    return index


def _namespace_indexer(obj: Mapping[str, Any]) -> Iterable[str]:
    return (str((obj.get("metadata") or {}).get("namespace") or ""),)


@dataclass
class ReplaceResult:
    """What a full relist changed: new objects, changed ones as (old, new), and vanished ones."""

    added: list[dict[str, Any]] = field(default_factory=list)
    updated: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    deleted: list[dict[str, Any]] = field(default_factory=list)


class Cache:
    """An indexed store of one resource's objects."""

    def __init__(
        self, *, label_indexes: Iterable[str] = (), indexers: Mapping[str, Indexer] | None = None
    ) -> None:
        self._items: dict[str, dict[str, Any]] = {}
        self._indexers: dict[str, Indexer] = {NAMESPACE_INDEX: _namespace_indexer}
        self._indices: dict[str, dict[str, set[str]]] = {NAMESPACE_INDEX: {}}
        for key in label_indexes:
            self.add_label_index(key)
        for name, fn in (indexers or {}).items():
            self.add_indexer(name, fn)

    # ---- indexes ----

    def add_indexer(self, name: str, indexer: Indexer) -> None:
        """Add an index (at any time: existing objects are filed at once). Re-adding is a no-op."""
        if name in self._indexers:
            return
        self._indexers[name] = indexer
        index: dict[str, set[str]] = {}
        for key, obj in self._items.items():
            for value in indexer(obj):
                index.setdefault(value, set()).add(key)
        self._indices[name] = index

    def add_label_index(self, label_key: str) -> None:
        """Index objects by the value of one label."""
        self.add_indexer(label_index_name(label_key), _label_indexer(label_key))

    def has_index(self, name: str) -> bool:
        return name in self._indexers

    # ---- reading ----

    def get(self, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        return self._items.get(make_key(name, namespace))

    def get_by_key(self, key: str) -> dict[str, Any] | None:
        return self._items.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(list(self._items.values()))

    def keys(self) -> builtins.list[str]:
        return list(self._items)

    def list(self, namespace: str | None = None) -> builtins.list[dict[str, Any]]:
        """All objects, or those of one namespace."""
        if namespace is None:
            return list(self._items.values())
        return self.by_index(NAMESPACE_INDEX, namespace)

    def by_index(self, name: str, value: str) -> builtins.list[dict[str, Any]]:
        """Objects filed under ``value`` in index ``name`` (KeyError for an unknown index)."""
        index = self._indices[name]
        return [self._items[k] for k in sorted(index.get(value, ()))]

    def by_label(
        self, label_key: str, value: str, *, namespace: str | None = None
    ) -> builtins.list[dict[str, Any]]:
        """Objects whose label ``label_key`` equals ``value`` (indexed if the label is, else a scan)."""
        name = label_index_name(label_key)
        if name in self._indices:
            found = self.by_index(name, value)
        else:
            found = [
                o
                for o in self._items.values()
                if ((o.get("metadata") or {}).get("labels") or {}).get(label_key) == value
            ]
        if namespace is None:
            return found
        return [o for o in found if (o.get("metadata") or {}).get("namespace", "") == namespace]

    def index_values(self, name: str) -> builtins.list[str]:
        """The values present in an index (e.g. every namespace holding objects)."""
        return sorted(v for v, keys in self._indices[name].items() if keys)

    # ---- writing (the informer's job) ----

    def upsert(self, obj: dict[str, Any]) -> dict[str, Any] | None:
        """Insert or replace ``obj`` (managedFields dropped, strings interned); returns the
        previous version."""
        compact(strip_managed_fields(obj))
        key = object_key(obj)
        old = self._items.get(key)
        if old is not None:
            self._unindex(key, old)
        self._items[key] = obj
        self._index(key, obj)
        return old

    def remove(self, obj_or_key: Mapping[str, Any] | str) -> dict[str, Any] | None:
        """Remove an object (given itself or its key); returns what was cached, if anything."""
        key = obj_or_key if isinstance(obj_or_key, str) else object_key(obj_or_key)
        old = self._items.pop(key, None)
        if old is not None:
            self._unindex(key, old)
        return old

    def replace(self, objects: Iterable[dict[str, Any]]) -> ReplaceResult:
        """Make the cache hold exactly ``objects``; reports the differences (by resourceVersion)."""
        result = ReplaceResult()
        seen: set[str] = set()
        for obj in objects:
            key = object_key(obj)
            seen.add(key)
            old = self.upsert(obj)
            if old is None:
                result.added.append(obj)
            elif resource_version(old) != resource_version(obj):
                result.updated.append((old, obj))
        for key in [k for k in self._items if k not in seen]:
            gone = self.remove(key)
            if gone is not None:
                result.deleted.append(gone)
        return result

    def _index(self, key: str, obj: Mapping[str, Any]) -> None:
        for name, indexer in self._indexers.items():
            index = self._indices[name]
            for value in indexer(obj):
                index.setdefault(value, set()).add(key)

    def _unindex(self, key: str, obj: Mapping[str, Any]) -> None:
        for name, indexer in self._indexers.items():
            index = self._indices[name]
            for value in indexer(obj):
                keys = index.get(value)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del index[value]
