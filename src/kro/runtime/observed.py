"""The observed cluster state the planner reads: a read-only view, no I/O.

The controller backs :class:`ObservedState` with its informer caches; tests and offline tools use
:class:`Snapshot`, built from plain object dicts. Objects are matched by group and kind (not version:
a cache for one version serves the kind), namespace and name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from kro.api.keys import Labels
from kro.api.refs import GVK, split_api_version

Obj = Mapping[str, Any]


class ObservedState(Protocol):
    def get(self, gvk: GVK, namespace: str, name: str) -> Obj | None:
        """The object, or ``None`` when it is not observed."""
        ...

    def select(self, gvk: GVK, namespace: str | None, selector: Mapping[str, Any]) -> Sequence[Obj]:
        """Objects of ``gvk`` matching a LabelSelector, in ``namespace`` (``None``: all namespaces)."""
        ...

    def owned_by(self, instance_uid: str) -> Sequence[Obj]:
        """Every observed object labelled ``kro.run/instance-id=<instance_uid>``."""
        ...


def object_key(obj: Obj) -> tuple[str, str, str, str]:
    """``(group, kind, namespace, name)`` of a raw object."""
    group, _ = split_api_version(str(obj.get("apiVersion", "")))
    meta = obj.get("metadata") or {}
    return group, str(obj.get("kind", "")), str(meta.get("namespace") or ""), str(meta.get("name", ""))


def labels_of(obj: Obj) -> Mapping[str, str]:
    return (obj.get("metadata") or {}).get("labels") or {}


def matches_selector(labels: Mapping[str, str], selector: Mapping[str, Any]) -> bool:
    """Kubernetes LabelSelector semantics (``matchLabels`` and ``matchExpressions``)."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for req in selector.get("matchExpressions") or []:
        key, op, values = req.get("key", ""), req.get("operator", ""), req.get("values") or []
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return True


class Snapshot:
    """An :class:`ObservedState` over a fixed list of objects."""

    def __init__(self, objects: Iterable[Obj] = ()) -> None:
        self._by_key: dict[tuple[str, str, str, str], Obj] = {}
        for obj in objects:
            self._by_key[object_key(obj)] = obj

    @classmethod
    def from_nodes(cls, observed: Mapping[str, Obj | Sequence[Obj]]) -> Snapshot:
        """From ``{node id: object or list of objects}``, the shape tests write most naturally."""
        flat: list[Obj] = []
        for value in observed.values():
            flat.extend([value] if isinstance(value, Mapping) else value)
        return cls(flat)

    def get(self, gvk: GVK, namespace: str, name: str) -> Obj | None:
        return self._by_key.get((gvk.group, gvk.kind, namespace, name))

    def select(self, gvk: GVK, namespace: str | None, selector: Mapping[str, Any]) -> Sequence[Obj]:
        return [
            obj
            for (group, kind, ns, _), obj in sorted(self._by_key.items())
            if (group, kind) == (gvk.group, gvk.kind)
            and (namespace is None or ns == namespace)
            and matches_selector(labels_of(obj), selector)
        ]

    def owned_by(self, instance_uid: str) -> Sequence[Obj]:
        return [
            o for _, o in sorted(self._by_key.items()) if labels_of(o).get(Labels.INSTANCE_ID) == instance_uid
        ]
