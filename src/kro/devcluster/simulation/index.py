"""What the simulation knows of the store, kept from the store's events as an informer keeps it.

- the newest version of every watched object (the store's own objects, which nothing modifies: a
  write stores a new object), so a reconcile reads without copying;
- the children of each controller by their controlling owner's uid, so reconciling one StatefulSet
  reads its own pods, not every pod of the namespace;
- HPAs by their scale target, so a target's change queues them;
- the resourceVersions of the simulation's own writes to an object whose events are still to come:
  such an event changes nothing the object's controller has not already acted on, so it does not
  queue the object again (its owner is queued as for any change);
- each workload's pod template hash by (uid, generation, collisionCount): a template changes only
  with the generation, so it is hashed once per generation, not on every reconcile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from kro.devcluster.simulation.autoscaling import HPAS, target_key
from kro.devcluster.simulation.plan import controlled_by
from kro.devcluster.simulation.pods import template_hash
from kro.devcluster.storage import Object, WatchEvent
from kro.devcluster.storage.base import object_rv

Key = tuple[str, str, str]  # (storage key, namespace, name)
OWNER_KEYS = {
    ("apps", "Deployment"): "deployments.apps",
    ("apps", "ReplicaSet"): "replicasets.apps",
    ("apps", "StatefulSet"): "statefulsets.apps",
    ("apps", "DaemonSet"): "daemonsets.apps",
    ("batch", "Job"): "jobs.batch",
}


def meta_of(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    if type(meta) is dict:  # what the store holds; isinstance against the Mapping ABC costs more
        return meta
    return meta if isinstance(meta, Mapping) else {}


@dataclass(frozen=True)
class Change:
    """What one event concerns: its object's key, whether that object should be reconciled (not
    when the change is the simulation's own write), its controlling owners and the HPAs aimed at it."""

    key: Key
    deleted: bool
    reconcile: bool
    owners: tuple[Key, ...]
    hpas: tuple[Key, ...]
    uid: str


class Index:
    def __init__(self, watched: frozenset[str]) -> None:
        self._watched = watched
        self._objects: dict[Key, Object] = {}
        self._children_of: dict[str, dict[Key, None]] = {}
        self._owner_of: dict[Key, str] = {}
        self._hpas_of: dict[tuple[str, str, str], set[Key]] = {}
        self._own_writes: dict[Key, set[int]] = {}
        self._digests: dict[tuple[str, int, int], str] = {}

    def reset(self) -> None:
        self._objects.clear()
        self._children_of.clear()
        self._owner_of.clear()
        self._hpas_of.clear()
        self._own_writes.clear()

    def get(self, key: Key) -> Object | None:
        """The newest version of ``key`` the events told (read only)."""
        return self._objects.get(key)

    def children(self, resource: str, owner: Mapping[str, Any]) -> list[Object]:
        """The ``resource`` objects ``owner`` controls, sorted by name as a list would return them."""
        keys = sorted(k for k in self._children_of.get(str(meta_of(owner).get("uid")), ()) if k[0] == resource)
        return [obj for key in keys if (obj := self._objects.get(key)) is not None and controlled_by(obj, owner)]

    def digest(self, owner: Mapping[str, Any], collision_count: int = 0) -> str:
        """The hash of ``owner``'s pod template (as :func:`template_hash`), once per generation."""
        meta = meta_of(owner)
        template = (owner.get("spec") or {}).get("template") or {}
        generation = meta.get("generation")
        if not isinstance(generation, int) or not meta.get("uid"):
            return template_hash(template, collision_count)
        cache_key = (str(meta["uid"]), generation, collision_count)
        digest = self._digests.get(cache_key)
        if digest is None:
            digest = self._digests[cache_key] = template_hash(template, collision_count)
        return digest

    def wrote(self, key: Key, obj: Mapping[str, Any]) -> None:
        """Note the simulation's own write of ``key`` (``obj``: what the write returned), unless its
        event was already taken (then it counted as any change)."""
        rv = object_rv(obj)
        cached = self._objects.get(key)
        if key[0] in self._watched and rv and (cached is None or object_rv(cached) < rv):
            self._own_writes.setdefault(key, set()).add(rv)

    def observe(self, event: WatchEvent) -> Change | None:
        """Take ``event`` into the index (None: not a watched resource)."""
        if event.resource not in self._watched:
            return None
        meta = meta_of(event.object)
        key = (event.resource, str(meta.get("namespace") or ""), str(meta.get("name") or ""))
        controller_uid = None
        owners: list[Key] = []
        for ref in meta.get("ownerReferences") or []:
            owner_key = OWNER_KEYS.get((str(ref.get("apiVersion", "")).rpartition("/")[0], str(ref.get("kind"))))
            if owner_key is not None and ref.get("controller"):
                owners.append((owner_key, key[1], str(ref.get("name"))))
                controller_uid = str(ref.get("uid"))
        deleted = event.type == "DELETED"
        uid = str(meta.get("uid"))
        if deleted:
            self._objects.pop(key, None)
            self._own_writes.pop(key, None)
            if self._digests:
                for stale in [k for k in self._digests if k[0] == uid]:
                    del self._digests[stale]
        else:
            self._objects[key] = cast(Object, event.object)  # the store's own dict
        reconcile = not deleted and not self._own(key, event.object)
        hpas = self._index_hpa(key, event)
        self._index_child(key, None if deleted else controller_uid)
        return Change(key, deleted, reconcile, tuple(owners), hpas, uid)

    def _own(self, key: Key, obj: Mapping[str, Any]) -> bool:
        pending = self._own_writes.get(key)
        if not pending:
            return False
        rv = object_rv(obj)
        if rv not in pending:
            return False
        pending.discard(rv)
        if not pending:
            del self._own_writes[key]
        return True

    def _index_hpa(self, key: Key, event: WatchEvent) -> tuple[Key, ...]:
        """Keep HPAs by their target; the HPAs to queue for this change of a target."""
        if key[0] == HPAS:
            for hpas in self._hpas_of.values():
                hpas.discard(key)
            if event.type != "DELETED":
                _, kind, name = target_key(event.object)
                self._hpas_of.setdefault((key[1], kind, name), set()).add(key)
            return ()
        return tuple(self._hpas_of.get((key[1], str(event.object.get("kind") or ""), key[2]), ()))

    def _index_child(self, key: Key, owner_uid: str | None) -> None:
        previous = self._owner_of.pop(key, None)
        if previous is not None and previous != owner_uid:
            siblings = self._children_of.get(previous, {})
            siblings.pop(key, None)
            if not siblings:
                self._children_of.pop(previous, None)
        if owner_uid is not None:
            self._owner_of[key] = owner_uid
            self._children_of.setdefault(owner_uid, {})[key] = None
