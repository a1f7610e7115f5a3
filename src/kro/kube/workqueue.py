"""The rate-limited work queue controllers drain: keys in, one worker per key at a time.

Semantics (those of client-go's workqueue, which controllers are written against):

- A key queued twice is queued once (``dirty`` set).
- A key handed to a worker is *processing*; adding it again meanwhile marks it dirty but does not
  queue it, and :meth:`WorkQueue.done` re-queues it afterwards. So no key is ever held by two workers,
  and an event that arrives during a reconcile is never lost.
- :meth:`WorkQueue.add_after` delays a key (one timer per key; an earlier deadline replaces a later
  one). :meth:`WorkQueue.add_rate_limited` delays it by the rate limiter's verdict (per-key
  exponential backoff combined with a global token bucket by default); :meth:`WorkQueue.forget`
  resets the key's backoff after a success.
- :meth:`WorkQueue.shutdown` stops accepting keys and cancels timers; workers still receive the
  keys already queued, then :meth:`WorkQueue.get` raises :class:`QueueShutDown`.

Order: ``order="fifo"`` (client-go's) hands keys out in the order they became ready. ``order="age"``
hands out the ready key that was *first* added earliest (its age, remembered until
:meth:`WorkQueue.release`): work on an object that is further along (a requeue, a child's event)
goes before objects that arrived after it, so in a burst the first objects are done first instead
of every object advancing one step per round and all finishing together.

Time comes from an injected :class:`~kro.kube.clock.Clock`.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import deque
from collections.abc import AsyncIterator, Hashable
from typing import Generic, Literal, Protocol, TypeVar

from kro.kube.clock import SYSTEM_CLOCK, Clock
from kro.kube.ratelimit import ItemRateLimiter, default_controller_rate_limiter

K = TypeVar("K", bound=Hashable)


class QueueShutDown(Exception):
    """The queue was shut down and holds no more keys."""


class QueueMetrics(Protocol):
    """Receives what a queue does, for a metrics backend (client-go's workqueue metrics)."""

    def added(self, queue: str) -> None:
        """A key was queued (not counting de-duplicated adds)."""
        ...

    def taken(self, queue: str, waited: float) -> None:
        """A worker took a key that had waited ``waited`` seconds since it was queued."""
        ...

    def finished(self, queue: str, worked: float) -> None:
        """A worker finished a key after ``worked`` seconds."""
        ...

    def retried(self, queue: str) -> None:
        """A key was re-queued through the rate limiter."""
        ...


class WorkQueue(Generic[K]):
    """An asyncio work queue with de-duplication, delayed adds and per-key rate limiting."""

    def __init__(
        self,
        *,
        rate_limiter: ItemRateLimiter | None = None,
        clock: Clock = SYSTEM_CLOCK,
        name: str = "",
        metrics: QueueMetrics | None = None,
        order: Literal["fifo", "age"] = "fifo",
    ) -> None:
        self.name = name
        self._metrics = metrics
        self._clock = clock
        self._limiter: ItemRateLimiter = rate_limiter or default_controller_rate_limiter(clock=clock)
        self._by_age = order == "age"
        self._ready: list[tuple[int, int, K]] = []  # (rank, tie-break, key): a heap
        self._ranks: dict[K, int] = {}  # "age": key -> when it was first added
        self._counter = itertools.count()
        self._dirty: dict[K, float] = {}  # queued or re-added while processing -> since when
        self._processing: dict[K, float] = {}  # handed to a worker -> since when
        self._timers: dict[K, tuple[float, asyncio.Task[None]]] = {}
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._idle = asyncio.Event()
        self._idle.set()
        self._shutting_down = False
        self.adds = 0
        self.retries = 0

    # ---- adding ----

    def add(self, key: K) -> None:
        """Queue ``key`` unless it is queued already; deferred until done if it is being processed."""
        if self._shutting_down or key in self._dirty:
            return
        self.adds += 1
        self._dirty[key] = self._clock.now()
        if self._metrics is not None:
            self._metrics.added(self.name)
        if key in self._processing:
            return
        self._push(key)
        self._wake()

    def add_after(self, key: K, seconds: float) -> None:
        """Queue ``key`` after ``seconds``; keeps the earlier deadline if the key is already waiting."""
        if self._shutting_down:
            return
        if seconds <= 0:
            self.add(key)
            return
        deadline = self._clock.now() + seconds
        current = self._timers.get(key)
        if current is not None:
            if current[0] <= deadline:
                return
            current[1].cancel()
        task = asyncio.get_running_loop().create_task(self._fire(key, deadline))
        self._timers[key] = (deadline, task)

    def cancel_after(self, key: K) -> None:
        """Drop ``key``'s pending :meth:`add_after` (its latest reconcile needs no later look)."""
        current = self._timers.pop(key, None)
        if current is not None:
            current[1].cancel()

    def add_rate_limited(self, key: K) -> float:
        """Queue ``key`` after the rate limiter's delay (one more failure of it); returns the delay."""
        delay = self._limiter.when(key)
        self.retries += 1
        if self._metrics is not None:
            self._metrics.retried(self.name)
        self.add_after(key, delay)
        return delay

    def forget(self, key: K) -> None:
        """``key`` was processed successfully: reset its backoff (does not dequeue it)."""
        self._limiter.forget(key)

    def num_requeues(self, key: K) -> int:
        """Failures of ``key`` since it was last forgotten."""
        return self._limiter.retries(key)

    # ---- taking ----

    async def get(self) -> K:
        """The next key, now marked processing (call :meth:`done` when finished with it).

        Raises :class:`QueueShutDown` once the queue is shut down and empty."""
        while not self._ready:
            if self._shutting_down:
                raise QueueShutDown(self.name)
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake()  # pass the wake-up this worker won't use to another one
                raise
        key = heapq.heappop(self._ready)[2]
        now = self._clock.now()
        queued_at = self._dirty.pop(key, now)
        self._processing[key] = now
        self._idle.clear()
        if self._metrics is not None:
            self._metrics.taken(self.name, now - queued_at)
        return key

    def done(self, key: K) -> None:
        """Finished with ``key``; queue it again if it was added while being processed."""
        started = self._processing.pop(key, None)
        if started is not None and self._metrics is not None:
            self._metrics.finished(self.name, self._clock.now() - started)
        if key in self._dirty and not self._shutting_down:
            self._push(key)
            self._wake()
        if not self._processing:
            self._idle.set()

    async def __aiter__(self) -> AsyncIterator[K]:
        """Keys until shutdown; the caller still calls :meth:`done` for each."""
        while True:
            try:
                yield await self.get()
            except QueueShutDown:
                return

    # ---- state ----

    def release(self, key: K) -> None:
        """Forget ``key``'s age (its object is gone): added again, it counts as new."""
        if key not in self._dirty and key not in self._processing:
            self._ranks.pop(key, None)

    def __len__(self) -> int:
        """Keys queued and ready (not those processing or waiting on a timer): the depth metric."""
        return len(self._ready)

    @property
    def processing(self) -> int:
        return len(self._processing)

    def longest_running(self) -> float:
        """Seconds the longest-held key has been with its worker (0 when none is): a stuck-worker signal."""
        if not self._processing:
            return 0.0
        return self._clock.now() - min(self._processing.values())

    def unfinished_work(self) -> float:
        """Seconds of work in progress, summed over the keys being processed."""
        now = self._clock.now()
        return sum(now - started for started in self._processing.values())

    @property
    def waiting(self) -> int:
        """Keys waiting on a delay."""
        return len(self._timers)

    @property
    def shutting_down(self) -> bool:
        return self._shutting_down

    def shutdown(self) -> None:
        """Accept no more keys and drop pending delays; workers drain what is queued, then stop."""
        if self._shutting_down:
            return
        self._shutting_down = True
        for _, task in self._timers.values():
            task.cancel()
        self._timers.clear()
        self._wake_all()

    async def shutdown_with_drain(self) -> None:
        """:meth:`shutdown`, then wait until every key handed out has been marked done."""
        self.shutdown()
        await self._idle.wait()

    # ---- internals ----

    def _push(self, key: K) -> None:
        tie = next(self._counter)
        rank = self._ranks.setdefault(key, tie) if self._by_age else tie
        heapq.heappush(self._ready, (rank, tie, key))

    async def _fire(self, key: K, deadline: float) -> None:
        # The deadline was fixed when the key was added; the task may start a little later.
        await self._clock.sleep(deadline - self._clock.now())
        current = self._timers.get(key)
        if current is not None and current[0] == deadline:
            del self._timers[key]
        self.add(key)

    def _wake(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def _wake_all(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
