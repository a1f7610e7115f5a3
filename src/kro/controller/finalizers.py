"""Removing kro's finalizer without tripping over kro's own writes.

A merge patch carrying the cached ``resourceVersion`` conflicts (409) whenever anything wrote the
object since the informer saw it, and kro itself often has: the status write just before the
finalizer goes. Controllers built on controller-runtime avoid that by patching only the finalizer
list, guarded by a check of that list alone. Here that is a JSON patch (RFC 6902) whose ``test``
pins the exact element being removed: it fails only when the finalizer list itself changed under
us, and then one fresh read settles it. When kro's is the last finalizer, the field goes with it
(the ``test`` then pins the whole list) rather than being left as ``[]``. (Adding the finalizer needs no such care: instances get it
with the labeller's server-side apply, RGDs on their first reconcile.)"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kro.api.keys import Finalizers
from kro.api.refs import GVR
from kro.controller.ports import Writer
from kro.kube.errors import Invalid, NotFound

Obj = Mapping[str, Any]


def _finalizers(obj: Obj) -> list[str]:
    return [str(f) for f in (obj.get("metadata") or {}).get("finalizers") or []]


def removal_patch(obj: Obj, finalizer: str = Finalizers.KRO) -> list[dict[str, Any]]:
    """Operations removing ``finalizer`` from ``obj``'s list (empty when it is not there)."""
    current = _finalizers(obj)
    if finalizer not in current:
        return []
    if current == [finalizer]:
        path = "/metadata/finalizers"
        return [{"op": "test", "path": path, "value": [finalizer]}, {"op": "remove", "path": path}]
    path = f"/metadata/finalizers/{current.index(finalizer)}"
    return [{"op": "test", "path": path, "value": finalizer}, {"op": "remove", "path": path}]


async def remove_finalizer(writer: Writer, gvr: GVR, obj: Obj, finalizer: str = Finalizers.KRO) -> bool:
    """Remove ``finalizer`` from the object ``obj`` is a (possibly stale) copy of. True if removed;
    False when it was already gone, or the object is."""
    return await _patch(writer, gvr, obj, lambda o: removal_patch(o, finalizer))


async def _patch(
    writer: Writer, gvr: GVR, obj: Obj, operations: Callable[[Obj], list[dict[str, Any]]]
) -> bool:
    meta = obj.get("metadata") or {}
    name, namespace = str(meta.get("name", "")), str(meta.get("namespace") or "")
    for attempt in range(2):
        ops = operations(obj)
        if not ops:
            return False
        try:
            await writer.json_patch(gvr, name, ops, namespace=namespace)
            return True
        except NotFound:
            return False
        except Invalid:
            if attempt:  # the list changed twice in a row: let the caller's retry deal with it
                raise
        try:  # the list changed since the cache saw it: decide again on a fresh copy
            obj = await writer.get(gvr, name, namespace=namespace)
        except NotFound:
            return False
    return False
