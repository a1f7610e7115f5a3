"""Keeping an in-process index of the store current, as the server's background loops do (the
garbage collector, the workload simulation): replay what is stored, then follow the event log from
exactly that version, re-listing if the log no longer reaches back that far. And :func:`follow`, for
a loop that reacts to changes from now on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from kro.devcluster.storage.base import Store, Watcher, WatchEvent
from kro.devcluster.storage.errors import TooOldError

Observe = Callable[[WatchEvent], None]


async def replay_then_watch(
    store: Store, resources: Callable[[], Iterable[str]], observe: Observe, *, reset: Callable[[], None]
) -> Watcher:
    """``reset`` the caller's index, feed every stored object of ``resources()`` to ``observe`` as
    ADDED, and return a watcher of all resources from the version the replay saw. The objects are the
    store's own (``list_shared``): ``observe`` must only read them."""
    while True:
        since = store.resource_version
        reset()
        for resource in resources():
            for obj in (await store.list_shared(resource, None)).items:
                observe(WatchEvent("ADDED", resource, obj, since))
        try:
            return store.watch(None, None, since)
        except TooOldError:
            continue


async def drain(watcher: Watcher, observe: Observe) -> None:
    """Feed every event already waiting in ``watcher`` to ``observe``, without blocking."""
    while watcher.has_pending:
        event = await watcher.next(timeout=None)
        if event is not None:
            observe(event)


async def follow(store: Store, handle: Callable[[WatchEvent], Awaitable[None]], *,
                 first: Callable[[], Awaitable[None]] | None = None) -> None:
    """Hand every change from now on to ``handle``, one at a time, until the store closes the watch;
    ``first`` runs once the watch is open (so nothing it misses is lost: its own writes come back)."""
    watcher = store.watch(None, None, store.resource_version)
    try:
        if first is not None:
            await first()
        while True:
            event = await watcher.next(timeout=5.0)
            if watcher.closed:
                return
            if event is not None:
                await handle(event)
    finally:
        watcher.close()
