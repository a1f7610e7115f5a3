"""Time as a parameter: the monotonic clock and sleep every timed component of :mod:`kro.kube` uses.

Rate limiters, the work queue, reflectors and leader election take a :class:`Clock` instead of
reading ``time`` themselves, so tests drive them with :class:`ManualClock` deterministically and
without waiting.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Monotonic seconds."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real monotonic clock and :func:`asyncio.sleep`."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


SYSTEM_CLOCK = SystemClock()


class ManualClock:
    """A clock that moves only when told to: :meth:`advance` wakes the sleepers whose time has come.

    Sleepers are woken in deadline order; ``advance`` then yields to the event loop a few times so
    the woken tasks (and whatever they schedule) run before it returns.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._seq), fut))
        await fut

    @property
    def sleepers(self) -> int:
        """How many tasks are sleeping (cancelled sleeps excluded)."""
        return sum(1 for _, _, f in self._sleepers if not f.done())

    async def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, waking due sleepers in order."""
        target = self._now + seconds
        while self._sleepers and self._sleepers[0][0] <= target:
            deadline, _, fut = heapq.heappop(self._sleepers)
            self._now = max(self._now, deadline)
            if not fut.done():
                fut.set_result(None)
                await settle()
        self._now = target
        await settle()


async def settle(rounds: int = 10) -> None:
    """Let ready tasks run: yield to the event loop ``rounds`` times."""
    for _ in range(rounds):
        await asyncio.sleep(0)
