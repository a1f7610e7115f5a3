"""How a reconcile's outcome becomes work-queue operations (``kro.controller.reconcile.schedule``)."""

from __future__ import annotations

import asyncio

from kro.controller.reconcile import schedule
from kro.kube.clock import ManualClock
from kro.kube.workqueue import WorkQueue
from kro.runtime.outcome import Done, Requeue, Terminal


async def test_a_requeue_comes_back_after_its_delay() -> None:
    clock = ManualClock()
    q: WorkQueue[str] = WorkQueue(clock=clock)
    assert schedule(q, "a", Requeue(after=3)) == "requeue"
    await clock.advance(3)
    assert await asyncio.wait_for(q.get(), 1) == "a"


async def test_done_or_terminal_drops_the_look_an_earlier_reconcile_scheduled() -> None:
    # waiting on a child: look again in 3 s; the child's event brings the key back first and that
    # reconcile finishes the work, so the scheduled look would only find nothing to do
    clock = ManualClock()
    q: WorkQueue[str] = WorkQueue(clock=clock)
    schedule(q, "a", Requeue(after=3))
    schedule(q, "b", Requeue(after=3))
    assert schedule(q, "a", Done()) == "done"
    assert schedule(q, "b", Terminal(error="bad")) == "terminal"
    await clock.advance(10)
    assert len(q) == 0 and q.waiting == 0


async def test_an_error_is_retried_with_backoff_and_a_later_success_resets_it() -> None:
    clock = ManualClock()
    q: WorkQueue[str] = WorkQueue(clock=clock)
    assert schedule(q, "a", RuntimeError("boom")) == "error"
    assert q.num_requeues("a") == 1
    schedule(q, "a", Done())
    assert q.num_requeues("a") == 0
    await clock.advance(10)
    assert len(q) == 0
