"""An :class:`~kro.runtime.observed.ObservedState` backed by the informer caches of one graph.

The planner asks by group and kind; this view maps each to the resource (GVR) the graph's nodes
name and reads that informer's cache. Kinds no informer serves read as absent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kro.api.keys import Labels
from kro.api.refs import GVK, GVR
from kro.controller.overlay import WriteOverlay
from kro.controller.ports import Caches
from kro.runtime.observed import labels_of, matches_selector

Obj = Mapping[str, Any]


class CacheView:
    def __init__(
        self,
        caches: Caches,
        resources: Mapping[tuple[str, str], GVR],
        overlay: WriteOverlay | None = None,
    ) -> None:
        """``resources``: ``(group, kind) -> GVR`` for every kind the instance's children and
        external references use, current graph and earlier ones (for pruning). ``overlay``: the
        controller's own writes the caches have not caught up with; :meth:`get` reads through it."""
        self._caches = caches
        self._resources = resources
        self._overlay = overlay

    def _store(self, gvk: GVK):  # type: ignore[no-untyped-def]
        gvr = self._resources.get((gvk.group, gvk.kind))
        return self._caches.store(gvr) if gvr is not None else None

    def get(self, gvk: GVK, namespace: str, name: str) -> Obj | None:
        gvr = self._resources.get((gvk.group, gvk.kind))
        store = self._caches.store(gvr) if gvr is not None else None
        cached = store.get(namespace, name) if store is not None else None
        if self._overlay is None or gvr is None:
            return cached
        return self._overlay.newest(gvr, namespace, name, cached)

    def select(self, gvk: GVK, namespace: str | None, selector: Mapping[str, Any]) -> Sequence[Obj]:
        store = self._store(gvk)
        if store is None:
            return []
        found = [
            o
            for o in store.items()
            if (namespace is None or (o.get("metadata") or {}).get("namespace", "") == namespace)
            and matches_selector(labels_of(o), selector)
        ]
        return sorted(found, key=lambda o: ((o["metadata"].get("namespace") or ""), o["metadata"]["name"]))

    def owned_by(self, instance_uid: str) -> Sequence[Obj]:
        out: list[Obj] = []
        seen: set[GVR] = set()
        for gvr in self._resources.values():
            if gvr in seen:
                continue
            seen.add(gvr)
            store = self._caches.store(gvr)
            if store is not None:
                out.extend(store.by_label(Labels.INSTANCE_ID, instance_uid))
        return out
