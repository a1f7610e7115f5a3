"""The simulation's work queue: one queue per simulated controller, each served by its own workers.

It keeps client-go's workqueue guarantees: a key is queued at most once, and never handed to two
workers at once (a key marked again while a worker holds it goes back in when that worker is done).
Within a controller, the oldest key goes first: a key's rank (its age) is fixed when it is first
marked, and a child may be given its owner's rank, so in a burst the first workloads finish first.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools

Key = tuple[str, str, str]  # (storage key, namespace, name)


class WorkQueue:
    def __init__(self) -> None:
        self._heaps: dict[str, list[tuple[int, int, Key]]] = {}
        self._queued: dict[Key, tuple[int, int]] = {}
        self._processing: set[Key] = set()
        self._ranks: dict[Key, int] = {}
        self._tick = itertools.count()
        self._ready: dict[str, asyncio.Event] = {}
        self._closing = False

    def rank_of(self, key: Key) -> int | None:
        return self._ranks.get(key)

    def mark(self, key: Key, *, rank: int | None = None) -> None:
        """Queue ``key``; its rank is fixed when first marked: ``rank``, or now."""
        if key in self._queued:
            return
        tick = next(self._tick)
        self._queued[key] = (self._ranks.setdefault(key, tick if rank is None else rank), tick)
        if key not in self._processing:
            self._push(key)

    def forget(self, key: Key) -> None:
        """The object is gone: drop its rank unless it is still waiting to be reconciled."""
        if key not in self._queued:
            self._ranks.pop(key, None)

    def take(self, resource: str) -> Key | None:
        """The oldest queued key of ``resource``'s controller, now held by the caller until ``done``."""
        heap = self._heaps.get(resource)
        if not heap:
            return None
        key = heapq.heappop(heap)[2]
        del self._queued[key]
        self._processing.add(key)
        return key

    def done(self, key: Key) -> None:
        self._processing.discard(key)
        if key in self._queued:
            self._push(key)

    async def wait(self, resource: str) -> None:
        """Until ``resource`` may have work (or the queue is closing); call after ``take`` gave None."""
        if self._closing:
            return
        ready = self._ready.setdefault(resource, asyncio.Event())
        ready.clear()
        await ready.wait()

    @property
    def closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        """Wake every waiting worker so it can stop; queued keys stay for the next ``open``."""
        self._closing = True
        for ready in self._ready.values():
            ready.set()

    def open(self) -> None:
        self._closing = False

    def _push(self, key: Key) -> None:
        rank, tick = self._queued[key]
        heapq.heappush(self._heaps.setdefault(key[0], []), (rank, tick, key))
        ready = self._ready.get(key[0])
        if ready is not None:
            ready.set()
