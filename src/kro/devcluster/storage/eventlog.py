"""The bounded history of committed events and the live subscriptions fed from it.

Watchers resume from any resourceVersion still inside the window; older ones get ``TooOldError``
(HTTP 410 Gone), as kube-apiserver does after etcd compaction. A subscriber that falls more than its
queue bound behind is cut off (``overflowed``) rather than letting memory grow without limit.
"""

from __future__ import annotations

import asyncio
from collections import deque

from kro.devcluster.storage.base import Watcher, WatchEvent
from kro.devcluster.storage.errors import TooOldError

DEFAULT_WINDOW = 10_000
DEFAULT_QUEUE_BOUND = 50_000


class _Subscription(Watcher):
    def __init__(self, log: EventLog, resource: str | None, namespace: str | None, since: int, bound: int) -> None:
        self._log = log
        self.since = since
        self.resource = resource
        self.namespace = namespace
        self._queue: deque[WatchEvent] = deque()
        self._bound = bound
        self._wakeup = asyncio.Event()
        self._closed = False
        self._overflowed = False

    def wants(self, event: WatchEvent) -> bool:
        if event.resource_version <= self.since:
            return False
        if self.resource is not None and event.resource != self.resource:
            return False
        return self.namespace is None or event.namespace == self.namespace

    def push(self, event: WatchEvent) -> None:
        if self._closed:
            return
        if len(self._queue) >= self._bound:
            self._overflowed = True
            self.close()
            return
        self._queue.append(event)
        self._wakeup.set()

    async def next(self, timeout: float | None = None) -> WatchEvent | None:
        while not self._queue:
            if self._closed:
                return None
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout)
            except TimeoutError:
                return None
        return self._queue.popleft()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._log.unsubscribe(self)
            self._wakeup.set()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def overflowed(self) -> bool:
        return self._overflowed

    @property
    def has_pending(self) -> bool:
        return bool(self._queue)


class EventLog:
    def __init__(self, *, window: int = DEFAULT_WINDOW, queue_bound: int = DEFAULT_QUEUE_BOUND) -> None:
        self._events: deque[WatchEvent] = deque()
        self._window = window
        self._queue_bound = queue_bound
        # Every event with resourceVersion <= this one has left the window (or predates a restart).
        self._compacted = 0
        self._subs: set[_Subscription] = set()
        self._last = 0

    @property
    def last_published(self) -> int:
        """The resourceVersion of the newest event handed to watchers."""
        return self._last

    def reset(self, compacted: int) -> None:
        """Start with an empty history whose horizon is ``compacted`` (e.g. after loading from disk)."""
        self._events.clear()
        self._compacted = compacted
        self._last = compacted

    @property
    def oldest_available(self) -> int:
        return self._compacted

    def append(self, event: WatchEvent) -> None:
        self._events.append(event)
        self._last = event.resource_version
        while len(self._events) > self._window:
            self._compacted = self._events.popleft().resource_version
        for sub in list(self._subs):
            if sub.wants(event):
                sub.push(event)

    def subscribe(self, resource: str | None, namespace: str | None, since: int) -> Watcher:
        if since < self._compacted:
            raise TooOldError(since, self._compacted)
        sub = _Subscription(self, resource, namespace, since, self._queue_bound)
        for event in self._events:
            if sub.wants(event):
                sub.push(event)
        self._subs.add(sub)
        return sub

    @property
    def subscribers(self) -> int:
        return len(self._subs)

    def unsubscribe(self, sub: _Subscription) -> None:
        self._subs.discard(sub)

    def close_all(self) -> None:
        for sub in list(self._subs):
            sub.close()
