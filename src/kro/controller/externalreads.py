"""Which instances read which objects through external references.

An object an external reference reads is not a child: nothing on it says which instance wants it.
Each plan lists what its external references read (:class:`~kro.runtime.plan.ExternalRead`); this
index keeps, per instance, what its last reconcile read, so that an event on such an object queues
the instances that read it and no others.

Nothing is lost between a read and the event after it: a plan is made without awaiting, and what it
read is recorded right after it, so an event is either in the cache the plan read or finds the
instance here. A reconcile's reads replace the previous reconcile's only once it has planned; a
reconcile that stops before planning leaves them as they were."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kro.api.refs import GVR
from kro.runtime.observed import labels_of, matches_selector
from kro.runtime.plan import ExternalRead

Obj = Mapping[str, Any]
Reader = tuple[str, str]
"""An instance (or a ResourceGraph root) by namespace and name."""
_ObjectKey = tuple[GVR, str, str]


@dataclass
class _Reads:
    objects: set[_ObjectKey] = field(default_factory=set)
    selections: dict[tuple[GVR, str | None, str], Mapping[str, Any]] = field(default_factory=dict)


def _selection_key(gvr: GVR, read: ExternalRead) -> tuple[GVR, str | None, str]:
    return (gvr, read.namespace, repr(sorted((read.selector or {}).items())))


class ExternalReaders:
    def __init__(self) -> None:
        self._by_object: dict[_ObjectKey, set[Reader]] = {}
        self._selections: dict[GVR, dict[Reader, dict[tuple[GVR, str | None, str], Mapping[str, Any]]]] = {}
        self._held: dict[Reader, _Reads] = {}
        self._rounds: dict[Reader, _Reads] = {}

    def record(self, reader: Reader, reads: Iterable[tuple[GVR, ExternalRead]]) -> None:
        """What one plan of ``reader`` read (call right after planning, before any await); the
        first call of a reconcile starts its round."""
        now = self._rounds.setdefault(reader, _Reads())
        held = self._held.setdefault(reader, _Reads())
        for gvr, read in reads:
            if read.selector is None:
                key = (gvr, read.namespace or "", read.name)
                now.objects.add(key)
                if key not in held.objects:
                    held.objects.add(key)
                    self._by_object.setdefault(key, set()).add(reader)
            else:
                skey = _selection_key(gvr, read)
                now.selections[skey] = read.selector
                if skey not in held.selections:
                    held.selections[skey] = read.selector
                    self._selections.setdefault(gvr, {}).setdefault(reader, {})[skey] = read.selector

    def end(self, reader: Reader) -> None:
        """The reconcile of ``reader`` is over: if it planned, what none of its plans read is dropped."""
        now = self._rounds.pop(reader, None)
        held = self._held.get(reader)
        if now is None or held is None:
            return
        for key in held.objects - now.objects:
            self._drop_object(reader, key)
        for skey in [k for k in held.selections if k not in now.selections]:
            self._drop_selection(reader, skey)
        held.objects = now.objects
        held.selections = now.selections
        if not held.objects and not held.selections:
            del self._held[reader]

    def forget(self, reader: Reader) -> None:
        """``reader`` is gone."""
        self._rounds.pop(reader, None)
        held = self._held.pop(reader, None)
        if held is None:
            return
        for key in held.objects:
            self._drop_object(reader, key)
        for skey in held.selections:
            self._drop_selection(reader, skey)

    def readers(self, gvr: GVR, obj: Obj, old: Obj | None = None) -> set[Reader]:
        """The instances whose last reconcile read ``obj`` (an object of ``gvr``), by name or by
        a selector that matches its labels now or (``old``) before."""
        meta = obj.get("metadata") or {}
        namespace = str(meta.get("namespace") or "")
        found = set(self._by_object.get((gvr, namespace, str(meta.get("name", ""))), ()))
        for reader, selections in self._selections.get(gvr, {}).items():
            if reader in found:
                continue
            for (_, ns, _), selector in selections.items():
                if ns is not None and ns != namespace:
                    continue
                if matches_selector(labels_of(obj), selector) or (
                    old is not None and matches_selector(labels_of(old), selector)
                ):
                    found.add(reader)
                    break
        return found

    def __len__(self) -> int:
        """How many instances have reads recorded."""
        return len(self._held)

    def _drop_object(self, reader: Reader, key: _ObjectKey) -> None:
        readers = self._by_object.get(key)
        if readers is not None:
            readers.discard(reader)
            if not readers:
                del self._by_object[key]

    def _drop_selection(self, reader: Reader, skey: tuple[GVR, str | None, str]) -> None:
        by_reader = self._selections.get(skey[0])
        if by_reader is None:
            return
        selections = by_reader.get(reader)
        if selections is not None:
            selections.pop(skey, None)
            if not selections:
                del by_reader[reader]
        if not by_reader:
            del self._selections[skey[0]]
