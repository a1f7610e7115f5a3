"""The store contract every backend implements, and the values it hands out.

A resource is named by its group-resource string (``"pods"``, ``"deployments.apps"``): objects are
stored once, whatever version a client used. The store owns one cluster-wide resourceVersion counter
that increases by one on every write; it knows nothing about Kubernetes object semantics (uids,
generations, finalizers: see :mod:`kro.devcluster.objects`), only keys, preconditions and history.

Ownership: an object the store holds is never changed in place; a write stores a new object (which
may share the parts that did not change with the one it replaces, with the history kept for paged
lists and with watch events). What ``get``, ``list`` and the writes answer is a copy that belongs to
the caller; ``get_shared``, ``list_shared``, change hooks and watch events hand out the store's own
objects, which must only be read.
"""

from __future__ import annotations

import abc
import builtins
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from kro.devcluster.storage.selectors import FieldSelector, LabelSelector

EventType = Literal["ADDED", "MODIFIED", "DELETED"]
Object = dict[str, Any]
# Called with (old, new) on every change of one resource: ``old`` is None on create, ``new`` on delete.
ChangeHook = Callable[[Mapping[str, Any] | None, Mapping[str, Any] | None], None]


@dataclass(frozen=True)
class WatchEvent:
    """One committed change. ``old`` is the object before a MODIFIED/DELETED (``None`` for ADDED)."""

    type: EventType
    resource: str
    object: Mapping[str, Any]
    resource_version: int
    old: Mapping[str, Any] | None = None

    @property
    def namespace(self) -> str:
        meta: Mapping[str, Any] = self.object.get("metadata") or {}
        return str(meta.get("namespace") or "")


@dataclass(frozen=True)
class ListResult:
    items: list[Object]
    resource_version: int
    continue_token: str | None = None
    remaining: int | None = None


@dataclass(frozen=True)
class ListOptions:
    label_selector: LabelSelector = field(default_factory=lambda: LabelSelector(()))
    field_selector: FieldSelector = field(default_factory=lambda: FieldSelector(()))
    limit: int = 0
    continue_token: str | None = None
    # "" (latest), "0" (any), or a version; with resource_version_match "Exact" or "NotOlderThan".
    resource_version: str = ""
    resource_version_match: str = ""


def object_key(obj: Mapping[str, Any]) -> tuple[str, str]:
    meta: Mapping[str, Any] = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


def object_rv(obj: Mapping[str, Any]) -> int:
    meta: Mapping[str, Any] = obj.get("metadata") or {}
    try:
        return int(meta.get("resourceVersion") or 0)
    except (TypeError, ValueError):
        return 0


class Watcher(abc.ABC):
    """A live subscription. ``next`` returns the next event, or ``None`` on timeout or when closed."""

    @abc.abstractmethod
    async def next(self, timeout: float | None = None) -> WatchEvent | None: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    @property
    @abc.abstractmethod
    def closed(self) -> bool: ...

    @property
    def has_pending(self) -> bool:
        """True while events wait to be taken with :meth:`next`."""
        return False

    @property
    @abc.abstractmethod
    def overflowed(self) -> bool:
        """True when the watcher fell too far behind and was cut off (clients must re-list)."""


class Store(abc.ABC):
    """Objects by (resource, namespace, name), a monotonically increasing resourceVersion, and a
    bounded window of recent events for watches to resume from."""

    @abc.abstractmethod
    async def start(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...

    @property
    @abc.abstractmethod
    def active_watches(self) -> int:
        """Open watches (API streams and the server's own controllers)."""

    @abc.abstractmethod
    def close_watches(self) -> None:
        """End every open watch (their streams finish; the store keeps working)."""

    @property
    @abc.abstractmethod
    def resource_version(self) -> int:
        """The resourceVersion of the last committed write."""

    @property
    def published_resource_version(self) -> int:
        """The newest resourceVersion every watcher has been sent (what a bookmark may claim)."""
        return self.resource_version

    @abc.abstractmethod
    async def get(self, resource: str, namespace: str, name: str) -> Object | None: ...

    async def get_shared(self, resource: str, namespace: str, name: str) -> Mapping[str, Any] | None:
        """:meth:`get` without copying where the backend can: the answer may be the store's own object.

        Stored objects are never changed in place (a write stores a new object), so the answer stays
        as it was read; but the caller must never mutate it, nor any part of it (copy what it will
        change). :meth:`get` answers a copy that belongs to the caller."""
        return await self.get(resource, namespace, name)

    @abc.abstractmethod
    async def list(self, resource: str, namespace: str | None, options: ListOptions | None = None) -> ListResult:
        """Objects of one resource (``namespace=None``: all namespaces), in storage-key order
        (``<namespace>/<name>``), as kube-apiserver lists them.

        ``limit`` > 0 pages the answer; the returned ``continue_token`` fetches the next page, served
        at the first page's resourceVersion. Raises ``InvalidContinueError``, ``ContinueExpiredError``,
        ``TooOldError`` (an exact version no longer held) or ``ResourceVersionTooLargeError``."""

    async def list_shared(self, resource: str, namespace: str | None, options: ListOptions | None = None) -> ListResult:
        """:meth:`list` without copying where the backend can: the items may be the store's own objects.

        Only for read-only callers inside the server (simulation, admission) that scan many objects:
        they must never mutate an item, nor keep one past their next ``await``. The REST path uses
        :meth:`list`, whose items belong to the caller."""
        return await self.list(resource, namespace, options)

    @abc.abstractmethod
    def on_change(self, resource: str, hook: ChangeHook) -> None:
        """Call ``hook(old, new)`` synchronously on every change of ``resource``, at the moment the
        store's state changes (before the write is persisted, published or returned), and once now,
        as a creation, for each object already held (and later for each one loaded at start).

        Lets an in-memory index stay exact: no task ever sees a write stored but not yet indexed.
        The hook must be quick, must not mutate the objects and must not raise."""

    @abc.abstractmethod
    async def create(
        self, resource: str, obj: Mapping[str, Any], *, owned: bool = False, shared: bool = False
    ) -> Object:
        """Store a new object and return it with its new resourceVersion. Raises ``KeyExistsError``.

        ``owned``: the caller hands ``obj`` over (it keeps no reference to any part of it), so the
        store may keep it as is instead of copying it. ``shared``: the answer may be the stored
        object itself, which the caller must only read (as :meth:`get_shared`'s), not a copy."""

    @abc.abstractmethod
    async def update(
        self, resource: str, obj: Mapping[str, Any], *, expected_rv: int | None = None, owned: bool = False,
        shared: bool = False,
    ) -> Object:
        """Replace an object (``owned`` and ``shared`` as for :meth:`create`). Raises
        ``KeyNotFoundError``, or ``ConflictError`` when ``expected_rv`` is given and differs from the
        stored object's resourceVersion."""

    @abc.abstractmethod
    async def delete(self, resource: str, namespace: str, name: str, *, expected_rv: int | None = None) -> Object:
        """Remove an object; returns it as last stored, stamped with the deletion's resourceVersion."""

    @abc.abstractmethod
    def resources(self) -> builtins.list[str]:
        """Every resource that holds at least one object."""

    @abc.abstractmethod
    def watch(self, resource: str | None, namespace: str | None, since: int) -> Watcher:
        """Events with resourceVersion > ``since`` for one resource (``None``: all) and namespace
        (``None``: all), history first, then live. Raises ``TooOldError`` when ``since`` predates the
        event window."""
