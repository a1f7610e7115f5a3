"""The in-memory backend; also the cache the SQLite backend keeps in front of its database.

All state changes happen synchronously inside one event loop, so a precondition check and the write
it guards are atomic. Durable backends override :meth:`MemoryStore._commit` to persist each change
(in resourceVersion order) before its event is published and the caller's write returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kro.devcluster.jsoncodec import Unencodable, clone, snapshot, thaw
from kro.devcluster.storage.base import (
    ChangeHook,
    ListOptions,
    ListResult,
    Object,
    Store,
    Watcher,
    WatchEvent,
    object_key,
    object_rv,
)
from kro.devcluster.storage.errors import (
    ConflictError,
    ContinueExpiredError,
    KeyExistsError,
    KeyNotFoundError,
    ResourceVersionTooLargeError,
    TooOldError,
)
from kro.devcluster.storage.eventlog import DEFAULT_WINDOW, EventLog
from kro.devcluster.storage.paging import (
    History,
    decode_continue,
    encode_continue,
    next_page_token,
    storage_key,
)


def copy_object(obj: Mapping[str, Any]) -> Object:
    out: Object = clone(obj)
    return out


def _stamp(obj: Mapping[str, Any], rv: int, *, owned: bool = False) -> Object:
    """``obj`` with ``rv`` as its resourceVersion. Only the top level and the metadata are new
    unless ``obj`` is not ``owned`` (then everything is copied)."""
    out: Object = dict(obj) if owned else clone(obj)
    meta = out.get("metadata")
    out["metadata"] = meta = dict(meta) if isinstance(meta, dict) else {}
    meta["resourceVersion"] = str(rv)
    return out


class MemoryStore(Store):
    def __init__(self, *, window: int = DEFAULT_WINDOW) -> None:
        self._objects: dict[str, dict[tuple[str, str], Object]] = {}
        self._hooks: dict[str, list[ChangeHook]] = {}
        self._rv = 0
        self._log = EventLog(window=window)
        self._history = History(window)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._log.close_all()

    @property
    def active_watches(self) -> int:
        """Open watches (API streams and the server's own controllers)."""
        return self._log.subscribers

    def close_watches(self) -> None:
        """End every open watch (their streams finish; the store keeps working)."""
        self._log.close_all()

    @property
    def resource_version(self) -> int:
        return self._rv

    @property
    def published_resource_version(self) -> int:
        return self._log.last_published

    def resources(self) -> list[str]:
        return sorted(r for r, objs in self._objects.items() if objs)

    async def get(self, resource: str, namespace: str, name: str) -> Object | None:
        obj = self._objects.get(resource, {}).get((namespace, name))
        return copy_object(obj) if obj is not None else None

    async def get_shared(self, resource: str, namespace: str, name: str) -> Mapping[str, Any] | None:
        return self._objects.get(resource, {}).get((namespace, name))

    async def list(self, resource: str, namespace: str | None, options: ListOptions | None = None) -> ListResult:
        return self._list(resource, namespace, options, copy=True)

    async def list_shared(self, resource: str, namespace: str | None, options: ListOptions | None = None) -> ListResult:
        return self._list(resource, namespace, options, copy=False)

    def on_change(self, resource: str, hook: ChangeHook) -> None:
        self._hooks.setdefault(resource, []).append(hook)
        for obj in self._objects.get(resource, {}).values():
            hook(None, obj)

    def _changed(self, resource: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> None:
        for hook in self._hooks.get(resource, ()):
            hook(old, new)

    def _list(self, resource: str, namespace: str | None, options: ListOptions | None, *, copy: bool) -> ListResult:
        opts = options or ListOptions()
        list_rv, start = self._list_version(resource, opts)
        bucket: Mapping[tuple[str, str], Object] = self._objects.get(resource, {})
        if list_rv < self._rv and self._history.changed_since(resource, list_rv):
            bucket = self._history.rewind(bucket, resource, list_rv)
        keyed = sorted(
            (storage_key(k, namespace), k) for k in bucket if namespace is None or k[0] == namespace
        )
        items: list[Object] = []
        matched_after = 0
        last_key: tuple[str, str] | None = None
        for skey, key in keyed:
            if skey < start:
                continue
            obj = bucket[key]
            if not self._selected(obj, opts):
                continue
            if opts.limit and len(items) >= opts.limit:
                matched_after += 1
                continue
            items.append(clone(obj) if copy else obj)
            last_key = key
        token = None
        if opts.limit and matched_after and last_key is not None:
            token = next_page_token(list_rv, last_key, namespace)
        # Like kube-apiserver, no count when a selector is used (etcd's count would include non-matches).
        selected = not (opts.label_selector.empty and opts.field_selector.empty)
        return ListResult(items, list_rv, token, matched_after if token and not selected else None)

    def _list_version(self, resource: str, opts: ListOptions) -> tuple[int, str]:
        """The version a list is served at and the storage key it starts from."""
        if opts.continue_token:
            cont = decode_continue(opts.continue_token)
            if cont.rv < 0:
                return self._rv, cont.start
            if cont.rv < self._history.horizon:
                raise ContinueExpiredError(cont.rv, encode_continue(-1, cont.start))
            return cont.rv, cont.start
        rv = int(opts.resource_version) if opts.resource_version.isdigit() else 0
        exact = opts.resource_version_match == "Exact" or (
            not opts.resource_version_match and opts.limit > 0 and rv > 0
        )
        if rv > self._rv:
            raise ResourceVersionTooLargeError(rv, self._rv)
        if exact and rv:
            if rv < self._history.horizon:
                raise TooOldError(rv, self._history.horizon)
            return rv, ""
        return self._rv, ""

    @staticmethod
    def _selected(obj: Mapping[str, Any], opts: ListOptions) -> bool:
        meta: Mapping[str, Any] = obj.get("metadata") or {}
        if not opts.label_selector.empty and not opts.label_selector.matches(meta.get("labels")):
            return False
        return opts.field_selector.empty or opts.field_selector.matches(obj)

    async def create(
        self, resource: str, obj: Mapping[str, Any], *, owned: bool = False, shared: bool = False
    ) -> Object:
        ns, name = object_key(obj)
        bucket = self._objects.setdefault(resource, {})
        if (ns, name) in bucket:
            raise KeyExistsError(resource, ns, name)
        self._rv += 1
        stored = _stamp(obj, self._rv, owned=owned)
        bucket[(ns, name)] = stored
        self._changed(resource, None, stored)
        self._history.record(self._rv, resource, (ns, name), None)
        frozen = snapshot(stored)
        await self._commit(WatchEvent("ADDED", resource, stored, self._rv), frozen)
        return stored if shared else thaw(frozen)

    async def update(
        self, resource: str, obj: Mapping[str, Any], *, expected_rv: int | None = None, owned: bool = False,
        shared: bool = False,
    ) -> Object:
        ns, name = object_key(obj)
        bucket = self._objects.get(resource, {})
        old = bucket.get((ns, name))
        if old is None:
            raise KeyNotFoundError(resource, ns, name)
        if expected_rv is not None and expected_rv != object_rv(old):
            raise ConflictError(resource, ns, name, expected=expected_rv, actual=object_rv(old))
        self._rv += 1
        stored = _stamp(obj, self._rv, owned=owned)
        bucket[(ns, name)] = stored
        self._changed(resource, old, stored)
        self._history.record(self._rv, resource, (ns, name), old)
        frozen = snapshot(stored)
        await self._commit(WatchEvent("MODIFIED", resource, stored, self._rv, old), frozen)
        return stored if shared else thaw(frozen)

    async def delete(self, resource: str, namespace: str, name: str, *, expected_rv: int | None = None) -> Object:
        bucket = self._objects.get(resource, {})
        old = bucket.get((namespace, name))
        if old is None:
            raise KeyNotFoundError(resource, namespace, name)
        if expected_rv is not None and expected_rv != object_rv(old):
            raise ConflictError(resource, namespace, name, expected=expected_rv, actual=object_rv(old))
        del bucket[(namespace, name)]
        self._changed(resource, old, None)
        self._rv += 1
        self._history.record(self._rv, resource, (namespace, name), old)
        gone = _stamp(old, self._rv, owned=True)  # shares the (never mutated) stored object's parts
        await self._commit(WatchEvent("DELETED", resource, gone, self._rv, old), None)
        return copy_object(gone)

    def watch(self, resource: str | None, namespace: str | None, since: int) -> Watcher:
        return self._log.subscribe(resource, namespace, since)

    async def _commit(self, event: WatchEvent, frozen: bytes | Unencodable | None) -> None:
        """Make ``event`` durable (a no-op here) and publish it to watchers. ``frozen`` is
        :func:`snapshot` of the event's object when one was taken (a durable backend may store
        its bytes instead of encoding the object again)."""
        self._log.append(event)

    # Loading, for durable backends.
    def _load(self, resource: str, obj: Object) -> None:
        bucket = self._objects.setdefault(resource, {})
        old = bucket.get(object_key(obj))
        bucket[object_key(obj)] = obj
        self._changed(resource, old, obj)

    def _set_loaded_rv(self, rv: int) -> None:
        self._rv = rv
        self._history.reset(rv)
        self._log.reset(rv)
