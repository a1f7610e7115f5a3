"""What the controller itself just wrote, until its informer caches catch up.

A write's answer is the object as the API server now holds it. Informer caches learn of it a moment
later, from the watch; a reconcile that runs in between (another child's event queued the instance)
would read the older copy and either write again what it just wrote, or write a status that goes
back to what the instance showed before. The overlay keeps each answer until the cache holds that
resourceVersion or a newer one, and :meth:`WriteOverlay.newest` gives reconciles the newer of the two.

resourceVersions are compared as numbers when both are numbers (kube-apiserver's etcd revisions and
this project's local API server are); otherwise the cache is trusted, as Kubernetes' contract says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from kro.api.refs import GVR

Obj = Mapping[str, Any]
Key = tuple[GVR, str, str]


def resource_version(obj: Obj | None) -> str:
    return str(((obj or {}).get("metadata") or {}).get("resourceVersion") or "")


def at_least(rv: str, than: str) -> bool | None:
    """Whether resourceVersion ``rv`` is ``than`` or later; ``None`` when they cannot be ordered."""
    if rv == than:
        return True
    if rv.isdigit() and than.isdigit():
        return int(rv) >= int(than)
    return None


class Echo(NamedTuple):
    """What an informer event is to this controller's writes."""

    latest: bool
    """It is the version this controller wrote last."""
    own: bool
    """It is a version the object's own reconciler wrote (its labels, its status: any of them, as
    that reconcile planned with each answer), not a parent writing it as its child."""


_NO_ECHO = Echo(False, False)


class WriteOverlay:
    """Objects as the server answered the controller's own writes, keyed by resource, namespace
    and name; each dropped once the informer delivers that resourceVersion (or a later one)."""

    def __init__(self) -> None:
        self._written: dict[Key, Obj] = {}
        self._versions: dict[Key, dict[str, bool]] = {}
        """Every resourceVersion written to an object since its cache last caught up (the watch
        delivers each of them, and each is an echo), and whether the object's own reconciler
        wrote it (an instance's labels and status) rather than a parent (a chained instance)."""

    def __len__(self) -> int:
        return len(self._written)

    def record(self, gvr: GVR, written: Obj, *, own: bool = False) -> None:
        """``written``: the server's answer to a write (apply, patch, update) of one object;
        ``own``: written by the object's own reconciler."""
        meta = written.get("metadata") or {}
        key = (gvr, str(meta.get("namespace") or ""), str(meta.get("name") or ""))
        if not resource_version(written):
            return
        self._versions.setdefault(key, {})[resource_version(written)] = own
        held = self._written.get(key)
        if held is not None and at_least(resource_version(held), resource_version(written)) is True:
            return
        if "managedFields" in meta:  # as the caches keep objects: often the largest part, never read
            written = {**written, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}
        self._written[key] = written

    def forget(self, gvr: GVR, namespace: str, name: str) -> None:
        """The object was deleted (or is no longer ours to remember)."""
        self._written.pop((gvr, namespace, name), None)
        self._versions.pop((gvr, namespace, name), None)

    def echo(self, gvr: GVR, obj: Obj) -> Echo:
        """The informer delivered ``obj``: drop what it supersedes, and say whether ``obj`` is the
        echo of this controller's own write (:class:`Echo`: the reconcile that wrote it has already
        planned with the server's answer, so the event brings nothing new)."""
        meta = obj.get("metadata") or {}
        key = (gvr, str(meta.get("namespace") or ""), str(meta.get("name") or ""))
        held = self._written.get(key)
        if held is None:
            return _NO_ECHO
        rv = resource_version(obj)
        echo = Echo(rv == resource_version(held), self._versions.get(key, {}).get(rv) is True)
        if at_least(rv, resource_version(held)) is not False:
            self._drop(key)
        return echo

    def _drop(self, key: Key) -> None:
        del self._written[key]
        self._versions.pop(key, None)

    def newest(self, gvr: GVR, namespace: str, name: str, cached: Obj | None) -> Obj | None:
        """``cached`` unless this controller wrote a later version of the object."""
        held = self._written.get((gvr, namespace, name))
        if held is None:
            return cached
        if cached is not None and at_least(resource_version(cached), resource_version(held)) is not False:
            self._drop((gvr, namespace, name))
            return cached
        return held
