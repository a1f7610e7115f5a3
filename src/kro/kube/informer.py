"""An informer: a reflector feeding an indexed cache, and handlers told of every change.

Handlers are plain (synchronous) callables, because what a controller does on an event is cheap:
put a key on its work queue. ``on_add(obj)``, ``on_update(old, new)`` and ``on_delete(obj)``; a
relist turns into the adds, updates and deletes that bring the cache to the listed state, so no
change is missed across a ``410 Gone``. A handler registered after the cache filled is told of every
cached object as an add. A handler that raises is logged and does not stop the others. With a
``resync_period``, every cached object is re-delivered as an update periodically.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kro.api.refs import GVR
from kro.kube.cache import Cache, strip_managed_fields
from kro.kube.client import KubeClient, WatchEvent
from kro.kube.clock import SYSTEM_CLOCK, Clock
from kro.kube.reflector import Reflector
from kro.kube.selectors import Selector

log = logging.getLogger("kro.kube.informer")

Obj = dict[str, Any]


@dataclass(eq=False)
class Handler:
    """One registration; pass it to :meth:`Informer.remove_handler` to unregister."""

    on_add: Callable[[Obj], None] | None = None
    on_update: Callable[[Obj, Obj], None] | None = None
    on_delete: Callable[[Obj], None] | None = None


class Informer:
    """Watches one resource (optionally one namespace / label selector) into a :class:`Cache`."""

    def __init__(
        self,
        client: KubeClient,
        gvr: GVR,
        *,
        namespace: str | None = None,
        label_selector: Selector | None = None,
        field_selector: Selector | None = None,
        label_indexes: Iterable[str] = (),
        resync_period: float | None = None,
        clock: Clock = SYSTEM_CLOCK,
        **reflector_options: Any,
    ) -> None:
        self.gvr = gvr
        self.resync_period = resync_period
        self._clock = clock
        self.namespace = namespace
        self.cache = Cache(label_indexes=label_indexes)
        self.reflector = Reflector(
            client,
            gvr,
            self,
            namespace=namespace,
            label_selector=label_selector,
            field_selector=field_selector,
            clock=clock,
            **reflector_options,
        )
        self._handlers: list[Handler] = []
        self._task: asyncio.Task[None] | None = None
        self._resync_task: asyncio.Task[None] | None = None

    def __str__(self) -> str:
        return f"informer {self.gvr}" + (f" in {self.namespace}" if self.namespace else "")

    # ---- lifecycle ----

    def start(self) -> None:
        """Start listing and watching in a background task (idempotent)."""
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done():
            self._task = loop.create_task(self.reflector.run(), name=str(self))
        if self.resync_period and (self._resync_task is None or self._resync_task.done()):
            self._resync_task = loop.create_task(self._resync(self.resync_period), name=f"{self} resync")

    async def stop(self) -> None:
        """Stop watching; the cache keeps its last contents."""
        tasks = [t for t in (self._task, self._resync_task) if t is not None]
        self._task = self._resync_task = None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _resync(self, period: float) -> None:
        """Every ``period``, tell handlers of every cached object again (as an update to itself),
        so a controller re-examines objects whose earlier reconcile it may have dropped."""
        while True:
            await self._clock.sleep(period)
            if self.has_synced:
                for obj in self.cache:
                    self._dispatch_update(obj, obj)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def has_synced(self) -> bool:
        """Whether the first LIST has been delivered to the cache."""
        return self.reflector.synced.is_set()

    async def wait_for_sync(self, timeout: float | None = None) -> bool:
        """Wait until :attr:`has_synced` (``False`` if ``timeout`` passes first)."""
        try:
            await asyncio.wait_for(self.reflector.synced.wait(), timeout)
        except TimeoutError:
            return False
        return True

    # ---- handlers ----

    def add_handler(
        self,
        on_add: Callable[[Obj], None] | None = None,
        on_update: Callable[[Obj, Obj], None] | None = None,
        on_delete: Callable[[Obj], None] | None = None,
    ) -> Handler:
        """Register callbacks; objects already cached are delivered to ``on_add`` at once."""
        handler = Handler(on_add, on_update, on_delete)
        self._handlers.append(handler)
        if on_add is not None:
            for obj in self.cache:
                self._call(on_add, obj)
        return handler

    def remove_handler(self, handler: Handler) -> None:
        with contextlib.suppress(ValueError):
            self._handlers.remove(handler)

    # ---- the reflector's sink ----

    def replace(self, objects: list[Obj], resource_version: str) -> None:
        diff = self.cache.replace(objects)
        for obj in diff.added:
            self._dispatch_add(obj)
        for old, new in diff.updated:
            self._dispatch_update(old, new)
        for obj in diff.deleted:
            self._dispatch_delete(obj)

    def apply(self, event: WatchEvent) -> None:
        obj = event.object
        if event.type == "DELETED":
            self.cache.remove(obj)
            self._dispatch_delete(strip_managed_fields(obj))  # the final state, as the server sent it
            return
        old = self.cache.upsert(obj)
        if old is None:
            self._dispatch_add(obj)
        else:
            self._dispatch_update(old, obj)

    def _dispatch_add(self, obj: Obj) -> None:
        for h in list(self._handlers):
            if h.on_add is not None:
                self._call(h.on_add, obj)

    def _dispatch_update(self, old: Obj, new: Obj) -> None:
        for h in list(self._handlers):
            if h.on_update is not None:
                self._call(h.on_update, old, new)

    def _dispatch_delete(self, obj: Obj) -> None:
        for h in list(self._handlers):
            if h.on_delete is not None:
                self._call(h.on_delete, obj)

    def _call(self, fn: Callable[..., None], *args: Obj) -> None:
        try:
            fn(*args)
        except Exception:
            log.exception("%s: event handler %r failed", self, fn)
