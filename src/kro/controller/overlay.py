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
from typing import Any

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


class WriteOverlay:
    """Objects as the server answered the controller's own writes, keyed by resource, namespace
    and name; each dropped once the informer delivers that resourceVersion (or a later one)."""

    def __init__(self) -> None:
        self._written: dict[Key, Obj] = {}
        self._versions: dict[Key, set[str]] = {}
        """Every resourceVersion written to an object since its cache last caught up: the watch
        delivers each of them, and each is an echo."""

    def __len__(self) -> int:
        return len(self._written)

    def record(self, gvr: GVR, written: Obj) -> None:
        """``written``: the server's answer to a write (apply, patch, update) of one object."""
        meta = written.get("metadata") or {}
        key = (gvr, str(meta.get("namespace") or ""), str(meta.get("name") or ""))
        if not resource_version(written):
            return
        self._versions.setdefault(key, set()).add(resource_version(written))
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

    def observed(self, gvr: GVR, obj: Obj) -> bool:
        """The informer delivered ``obj``: drop what it supersedes. ``True`` when ``obj`` is exactly
        a version this controller wrote (the echo of its own write: the reconcile that wrote it
        has already planned with the server's answer, and with its later answers, so the event
        brings nothing new)."""
        meta = obj.get("metadata") or {}
        key = (gvr, str(meta.get("namespace") or ""), str(meta.get("name") or ""))
        held = self._written.get(key)
        if held is None:
            return False
        rv = resource_version(obj)
        echo = rv in self._versions.get(key, ())
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
