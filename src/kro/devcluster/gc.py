"""Garbage collection by ``ownerReferences``, as kube-controller-manager's garbage collector does it.

The collector follows every change in the store (its event log, not HTTP) and keeps an index of who
owns whom. It implements the three propagation policies of a DELETE:

- **Background** (the default): the owner goes at once; when it is gone, each dependent whose owners
  are all gone is deleted. A dependent that still has a living owner only loses the dangling reference.
- **Foreground**: the owner gets ``deletionTimestamp`` and the ``foregroundDeletion`` finalizer
  (:class:`~kro.devcluster.objects.ObjectService` adds it while a collector runs); its dependents are
  deleted, and once no dependent with ``blockOwnerDeletion: true`` remains the finalizer is removed
  and the owner goes. A dependent that has dependents of its own is deleted in the foreground too,
  so whole chains block.
- **Orphan**: the owner gets the ``orphan`` finalizer; the collector removes the owner's reference
  from every dependent, then the finalizer, and the dependents stay.

Owners are verified by a live read with uid comparison before anything is deleted, and a reference
to a kind the server does not serve is never taken as proof that the owner is gone.

The decision for one dependent is the pure function :func:`decide`; :class:`GarbageCollector` is the
loop around it; :func:`run_garbage_collector` is the server's background-loop entry point.
"""

from __future__ import annotations

import contextlib
import logging
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from kro.devcluster import errors
from kro.devcluster.cluster import Cluster
from kro.devcluster.objects import (
    FOREGROUND_FINALIZER,
    ORPHAN_FINALIZER,
    DeleteOptions,
    ObjectService,
    WriteOptions,
)
from kro.devcluster.registry import Registry, ResourceType
from kro.devcluster.storage import Object, Watcher, WatchEvent, clone
from kro.devcluster.storage.follow import drain, replay_then_watch

log = logging.getLogger(__name__)

Key = tuple[str, str, str]  # (storage key, namespace, name)
OwnerState = Literal["solid", "dangling", "waiting", "unknown"]
Task = tuple[Literal["attempt", "foreground", "orphan"], Key]
_RETRIES = 5
MANAGER = "kube-controller-manager"  # the field manager the real collector writes as


@dataclass(frozen=True)
class Decision:
    """What to do with one dependent: keep it, delete it with ``policy``, or rewrite its references."""

    action: Literal["keep", "delete", "update"]
    policy: str | None = None
    owner_references: tuple[Mapping[str, Any], ...] = ()


def decide(
    dependent: Mapping[str, Any], owners: Mapping[str, OwnerState], *, has_dependents: bool
) -> Decision:
    """The fate of ``dependent`` given the state of each owner (by uid).

    ``solid``: the owner exists and is not waiting; ``dangling``: it does not exist; ``waiting``: it is
    being deleted in the foreground; ``unknown``: it cannot be looked up.
    """
    meta = dependent.get("metadata") or {}
    refs: list[Mapping[str, Any]] = list(meta.get("ownerReferences") or [])
    if not refs or meta.get("deletionTimestamp"):
        return Decision("keep")
    states = [owners.get(str(r.get("uid")), "unknown") for r in refs]
    if "solid" in states or "unknown" in states:
        if "solid" not in states:
            return Decision("keep")
        kept = [
            {**r, "blockOwnerDeletion": False} if s == "waiting" and r.get("blockOwnerDeletion") else r
            for r, s in zip(refs, states, strict=True)
            if s != "dangling"
        ]
        return Decision("update", owner_references=tuple(kept)) if kept != refs else Decision("keep")
    finalizers = meta.get("finalizers") or []
    if ORPHAN_FINALIZER in finalizers:
        policy = "Orphan"
    elif FOREGROUND_FINALIZER in finalizers or ("waiting" in states and has_dependents):
        policy = "Foreground"
    else:
        policy = "Background"
    return Decision("delete", policy=policy)


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def _owner_uids(obj: Mapping[str, Any]) -> set[str]:
    return {str(r.get("uid")) for r in _meta(obj).get("ownerReferences") or [] if isinstance(r, Mapping)}


def _key(resource: str, obj: Mapping[str, Any]) -> Key:
    meta = _meta(obj)
    return resource, str(meta.get("namespace") or ""), str(meta.get("name") or "")


class GarbageCollector:
    """The collector task over one :class:`ObjectService` and the :class:`Registry` it serves."""

    def __init__(self, objects: ObjectService, registry: Registry) -> None:
        self._objects = objects
        self._store = objects.store
        self._registry = registry
        self._uids: dict[str, Key] = {}
        self._owners_of: dict[Key, set[str]] = {}
        self._dependents: dict[str, set[Key]] = {}
        # Each dependent's ownerReferences, and the uids of owners being deleted in the foreground,
        # as last observed: enough to see, without reading the store, that every owner is solid.
        self._refs_of: dict[Key, Sequence[Any]] = {}
        self._waiting: set[str] = set()
        self._queue: deque[Task] = deque()
        self._queued: set[Task] = set()

    async def run(self) -> None:
        """Follow the store until cancelled, re-listing whenever the watch is cut off."""
        # Foreground and orphan deletions add finalizers only a running collector removes.
        self._objects.dependents_finalizers = True
        while True:
            watcher = await self._resync()
            try:
                await self._follow(watcher)
            finally:
                watcher.close()

    async def _resync(self) -> Watcher:
        # Store.resources() is annotated inside a class that defines `list`; spell the type out.
        return await replay_then_watch(
            self._store,
            lambda: cast("Iterable[str]", self._store.resources()),
            self._observe,
            reset=self._reset_index,
        )

    def _reset_index(self) -> None:
        self._uids.clear()
        self._owners_of.clear()
        self._dependents.clear()
        self._refs_of.clear()
        self._waiting.clear()

    async def _follow(self, watcher: Watcher) -> None:
        """Take every pending change into the index before doing work, so work sees fresh state."""
        while True:
            await drain(watcher, self._observe)
            if self._queue:
                task = self._queue.popleft()
                self._queued.discard(task)
                try:
                    await self._work(task)
                except errors.ApiError as e:
                    log.info("garbage collection of %s/%s/%s: %s", *task[1], e)
                except Exception:  # one malformed object must not stop collection of the others
                    log.exception("garbage collection of %s/%s/%s failed", *task[1])
                continue
            if watcher.closed:
                return
            event = await watcher.next(timeout=None)
            if event is not None:
                self._observe(event)

    # The index ------------------------------------------------------------------------------------

    def _observe(self, event: WatchEvent) -> None:
        key = _key(event.resource, event.object)
        meta = _meta(event.object)
        uid = str(meta.get("uid") or "")
        previous = self._owners_of.pop(key, set())
        for owner in previous:
            dependents = self._dependents.get(owner)
            if dependents is not None:
                dependents.discard(key)
                if not dependents:
                    del self._dependents[owner]
        self._refs_of.pop(key, None)
        self._waiting.discard(uid)
        if event.type == "DELETED":
            self._uids.pop(uid, None)
            for dependent in sorted(self._dependents.get(uid, ())):
                self._enqueue("attempt", dependent)
            self._enqueue_owners(previous | _owner_uids(event.object))
            return
        self._uids[uid] = key
        owners = _owner_uids(event.object)
        if owners:
            self._owners_of[key] = owners
            self._refs_of[key] = meta.get("ownerReferences") or ()
            for owner in owners:
                self._dependents.setdefault(owner, set()).add(key)
        if _deleting_with(event.object, FOREGROUND_FINALIZER):
            self._waiting.add(uid)
        if meta.get("deletionTimestamp"):
            finalizers = meta.get("finalizers") or []
            if FOREGROUND_FINALIZER in finalizers:
                self._enqueue("foreground", key)
            if ORPHAN_FINALIZER in finalizers:
                self._enqueue("orphan", key)
        old_refs = _meta(event.old).get("ownerReferences") if event.old is not None else None
        if owners and (event.type == "ADDED" or old_refs != meta.get("ownerReferences")):
            self._enqueue("attempt", key)
        if old_refs != meta.get("ownerReferences") or meta.get("deletionTimestamp"):
            self._enqueue_owners(previous | owners)

    def _enqueue_owners(self, uids: Iterable[str]) -> None:
        for owner in sorted(uids):
            if owner in self._uids:
                self._enqueue("foreground", self._uids[owner])

    def _enqueue(self, kind: Literal["attempt", "foreground", "orphan"], key: Key) -> None:
        task: Task = (kind, key)
        if task not in self._queued:
            self._queued.add(task)
            self._queue.append(task)

    # The work -------------------------------------------------------------------------------------

    async def _work(self, task: Task) -> None:
        kind, key = task
        if kind == "attempt":
            await self._attempt_to_delete(key)
        elif kind == "foreground":
            await self._process_foreground(key)
        else:
            await self._process_orphan(key)

    async def _get(self, key: Key) -> Object | None:
        return await self._store.get(*key)

    def _type_of(self, key: Key) -> ResourceType | None:
        return self._registry.for_storage_key(key[0])

    async def _attempt_to_delete(self, key: Key) -> None:
        refs_seen = self._refs_of.get(key)
        if refs_seen and all(self._seen_solid(r, key[1]) for r in refs_seen):
            return  # every owner exists and is not waiting on its dependents: the dependent stays
        obj, rt = await self._store.get_shared(*key), self._type_of(key)  # read only
        if obj is None or rt is None:
            return
        refs = _meta(obj).get("ownerReferences") or []
        owners = {str(r.get("uid")): await self._owner_state(r, key[1]) for r in refs}
        decision = decide(obj, owners, has_dependents=bool(self._dependents.get(str(_meta(obj).get("uid")))))
        if decision.action == "delete":
            options = DeleteOptions(propagation_policy=decision.policy, uid=str(_meta(obj).get("uid")))
            with contextlib.suppress(errors.NotFound, errors.Conflict):
                await self._objects.delete(rt, key[1], key[2], options)
        elif decision.action == "update":
            await self._rewrite(key, lambda o: _set_refs(o, decision.owner_references))

    def _seen_solid(self, ref: Any, namespace: str) -> bool:
        """Whether the index (as fresh as the last drained change) shows the owner ``ref`` names as
        it would be read live: at its key, with its uid, not being deleted in the foreground."""
        if not isinstance(ref, Mapping):
            return False
        where, uid = self._owner_key(ref, namespace), ref.get("uid")
        if where is None or not isinstance(uid, str):
            return False
        return self._uids.get(uid) == where and uid not in self._waiting

    async def _owner_state(self, ref: Mapping[str, Any], namespace: str) -> OwnerState:
        where = self._owner_key(ref, namespace)
        if where is None:
            return "unknown"
        owner = await self._store.get_shared(*where)
        if owner is None or _meta(owner).get("uid") != ref.get("uid"):
            return "dangling"
        meta = _meta(owner)
        if meta.get("deletionTimestamp") and FOREGROUND_FINALIZER in (meta.get("finalizers") or []):
            return "waiting"
        return "solid"

    def _owner_key(self, ref: Mapping[str, Any], namespace: str) -> Key | None:
        """Where the owner ``ref`` names is stored, seen from a dependent in ``namespace``; ``None``
        when it cannot be resolved (an unknown kind, or a namespaced owner of a cluster-scoped
        dependent)."""
        rt = self._owner_type(str(ref.get("apiVersion") or ""), str(ref.get("kind") or ""))
        if rt is None or (rt.namespaced and not namespace):
            return None
        return (rt.storage_key, namespace if rt.namespaced else "", str(ref.get("name")))

    def _owner_type(self, api_version: str, kind: str) -> ResourceType | None:
        found = self._registry.for_kind(api_version, kind)
        if found is not None:
            return found
        group = api_version.rpartition("/")[0]
        return next((rt for rt in self._registry if rt.group == group and rt.kind == kind), None)

    async def _process_foreground(self, key: Key) -> None:
        owner = await self._get(key)
        if owner is None or not _deleting_with(owner, FOREGROUND_FINALIZER):
            return
        uid = str(_meta(owner).get("uid"))
        blocked = False
        for dependent_key in sorted(self._dependents.get(uid, ())):
            dependent = await self._get(dependent_key)
            if dependent is None:
                continue
            if not _meta(dependent).get("deletionTimestamp"):
                self._enqueue("attempt", dependent_key)
            blocked = blocked or any(
                r.get("uid") == uid and r.get("blockOwnerDeletion") for r in _meta(dependent).get("ownerReferences") or []
            )
        if not blocked:
            await self._rewrite(key, lambda o: _drop_finalizer(o, FOREGROUND_FINALIZER))

    async def _process_orphan(self, key: Key) -> None:
        owner = await self._get(key)
        if owner is None or not _deleting_with(owner, ORPHAN_FINALIZER):
            return
        uid = str(_meta(owner).get("uid"))
        for dependent_key in sorted(self._dependents.get(uid, ())):
            await self._rewrite(dependent_key, lambda o: _set_refs(o, _refs_without(o, uid)))
        await self._rewrite(key, lambda o: _drop_finalizer(o, ORPHAN_FINALIZER))

    async def _rewrite(self, key: Key, change: Any) -> None:
        """Write ``change(object)`` back with the read resourceVersion as precondition, retrying on
        conflicts; an object that has gone meanwhile needs nothing."""
        rt = self._type_of(key)
        if rt is None:
            return
        for _ in range(_RETRIES):
            current = await self._get(key)
            if current is None:
                return
            updated = change(clone(current))
            if updated is None:
                return
            try:
                await self._objects.update(rt, key[1], key[2], updated, WriteOptions(manager=MANAGER))
                return
            except errors.NotFound:
                return
            except errors.Conflict:
                continue


def _deleting_with(obj: Mapping[str, Any], finalizer: str) -> bool:
    meta = _meta(obj)
    return bool(meta.get("deletionTimestamp")) and finalizer in (meta.get("finalizers") or [])


def _drop_finalizer(obj: Object, finalizer: str) -> Object | None:
    finalizers = list(obj["metadata"].get("finalizers") or [])
    if finalizer not in finalizers:
        return None
    obj["metadata"]["finalizers"] = [f for f in finalizers if f != finalizer]
    return obj


def _refs_without(obj: Mapping[str, Any], uid: str) -> tuple[Mapping[str, Any], ...]:
    return tuple(r for r in _meta(obj).get("ownerReferences") or [] if r.get("uid") != uid)


def _set_refs(obj: Object, refs: Sequence[Mapping[str, Any]]) -> Object | None:
    current = obj["metadata"].get("ownerReferences") or []
    if list(refs) == list(current):
        return None
    if refs:
        obj["metadata"]["ownerReferences"] = [dict(r) for r in refs]
    else:
        obj["metadata"].pop("ownerReferences", None)
    return obj


async def run_garbage_collector(cluster: Cluster) -> None:
    """The server's background loop: collect garbage in ``cluster`` until cancelled."""
    await GarbageCollector(cluster.objects, cluster.registry).run()
