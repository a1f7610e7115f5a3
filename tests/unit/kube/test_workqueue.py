"""The work queue: de-duplication, one worker per key, delays, backoff, shutdown."""

from __future__ import annotations

import asyncio

import pytest

from kro.kube.clock import ManualClock, settle
from kro.kube.ratelimit import BucketRateLimiter, ItemExponentialBackoff, MaxOfRateLimiter
from kro.kube.workqueue import QueueShutDown, WorkQueue


def queue(clock: ManualClock, *, base: float = 0.005, qps: float = 10.0, burst: int = 100) -> WorkQueue[str]:
    limiter = MaxOfRateLimiter(
        ItemExponentialBackoff(base, 1000.0), BucketRateLimiter(qps, burst, clock=clock)
    )
    return WorkQueue(rate_limiter=limiter, clock=clock)


async def test_a_key_added_twice_is_handed_out_once() -> None:
    q = queue(ManualClock())
    q.add("a")
    q.add("b")
    q.add("a")
    assert len(q) == 2
    assert [await q.get(), await q.get()] == ["a", "b"]
    assert len(q) == 0


async def test_a_key_being_processed_is_not_handed_to_a_second_worker() -> None:
    q = queue(ManualClock())
    q.add("a")
    key = await q.get()
    q.add("a")  # an event while the first worker reconciles "a"
    assert len(q) == 0
    second = asyncio.create_task(q.get())
    await settle()
    assert not second.done()
    q.done(key)
    assert await asyncio.wait_for(second, 1) == "a"


async def test_many_workers_never_hold_the_same_key_at_once() -> None:
    q = queue(ManualClock())
    holding: set[str] = set()
    seen: list[str] = []

    async def worker() -> None:
        async for key in q:
            assert key not in holding
            holding.add(key)
            seen.append(key)
            await asyncio.sleep(0)
            if len(seen) < 40:
                q.add(key)  # re-add while processing
            holding.discard(key)
            q.done(key)

    for k in "abc":
        q.add(k)
    workers = [asyncio.create_task(worker()) for _ in range(4)]
    while len(seen) < 40:
        await asyncio.sleep(0)
    await settle()
    q.shutdown()
    await asyncio.wait_for(asyncio.gather(*workers), 1)
    assert set(seen) == {"a", "b", "c"}


async def test_readd_during_processing_is_delivered_after_done() -> None:
    q = queue(ManualClock())
    q.add("a")
    key = await q.get()
    q.add("a")
    q.done(key)
    assert len(q) == 1
    assert await q.get() == "a"


async def test_add_after_delivers_in_deadline_order_and_keeps_the_earlier_deadline() -> None:
    clock = ManualClock()
    q = queue(clock)
    q.add_after("late", 3)
    q.add_after("early", 1)
    q.add_after("early", 5)  # later deadline for a waiting key: ignored
    q.add_after("mid", 4)
    q.add_after("mid", 2)  # earlier deadline replaces the later one
    assert q.waiting == 3
    await clock.advance(0.5)
    assert len(q) == 0
    await clock.advance(0.5)
    assert await asyncio.wait_for(q.get(), 1) == "early"
    await clock.advance(1)
    assert await asyncio.wait_for(q.get(), 1) == "mid"
    await clock.advance(1)
    assert await asyncio.wait_for(q.get(), 1) == "late"
    await clock.advance(10)
    assert len(q) == 0  # the replaced timer of "mid" and the ignored "early" did not fire again
    assert q.waiting == 0


async def test_rate_limited_backoff_doubles_per_failure_and_forget_resets() -> None:
    clock = ManualClock()
    q = queue(clock, base=0.005)
    delays = [q.add_rate_limited("a") for _ in range(5)]
    assert delays == pytest.approx([0.005, 0.01, 0.02, 0.04, 0.08])
    assert q.num_requeues("a") == 5
    q.forget("a")
    assert q.num_requeues("a") == 0
    assert q.add_rate_limited("a") == pytest.approx(0.005)


async def test_backoff_is_capped() -> None:
    limiter = ItemExponentialBackoff(0.2, 1000.0)
    delays = [limiter.when("k") for _ in range(100)]
    assert delays[0] == 0.2
    assert max(delays) == 1000.0
    assert delays[-1] == 1000.0


async def test_global_bucket_spaces_out_retries_of_different_keys_after_the_burst() -> None:
    clock = ManualClock()
    q = queue(clock, base=0.001, qps=10, burst=2)
    delays = [q.add_rate_limited(f"k{i}") for i in range(5)]
    # two from the burst at the per-key base, then one every 100 ms
    assert delays == pytest.approx([0.001, 0.001, 0.1, 0.2, 0.3])
    await clock.advance(0.15)
    assert len(q) == 3
    await clock.advance(0.15)
    assert len(q) == 5


async def test_shutdown_drains_queued_keys_then_stops_workers() -> None:
    clock = ManualClock()
    q = queue(clock)
    q.add("a")
    q.add_after("later", 1)
    idle = asyncio.create_task(q.get())
    await settle()
    assert idle.done() and idle.result() == "a"
    waiting = asyncio.create_task(q.get())
    await settle()
    q.add("b")
    assert await asyncio.wait_for(waiting, 1) == "b"
    q.add("c")
    q.shutdown()
    q.add("d")  # refused after shutdown
    assert await q.get() == "c"
    with pytest.raises(QueueShutDown):
        await q.get()
    await clock.advance(5)
    assert len(q) == 0  # the delayed key was dropped


async def test_shutdown_wakes_blocked_workers() -> None:
    q = queue(ManualClock())
    blocked = [asyncio.create_task(q.get()) for _ in range(3)]
    await settle()
    q.shutdown()
    results = await asyncio.gather(*blocked, return_exceptions=True)
    assert all(isinstance(r, QueueShutDown) for r in results)


async def test_shutdown_with_drain_waits_for_keys_in_flight() -> None:
    q = queue(ManualClock())
    q.add("a")
    key = await q.get()
    drained = asyncio.create_task(q.shutdown_with_drain())
    await settle()
    assert not drained.done()
    q.done(key)
    await asyncio.wait_for(drained, 1)


async def test_a_cancelled_worker_does_not_swallow_a_wakeup() -> None:
    q = queue(ManualClock())
    first = asyncio.create_task(q.get())
    second = asyncio.create_task(q.get())
    await settle()
    q.add("a")
    first.cancel()
    await settle()
    if first.cancelled():
        assert await asyncio.wait_for(second, 1) == "a"
    else:
        assert first.result() == "a"
        second.cancel()


class Recorded:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, float]] = []

    def added(self, queue: str) -> None:
        self.calls.append(("added", queue, 0.0))

    def taken(self, queue: str, waited: float) -> None:
        self.calls.append(("taken", queue, waited))

    def finished(self, queue: str, worked: float) -> None:
        self.calls.append(("finished", queue, worked))

    def retried(self, queue: str) -> None:
        self.calls.append(("retried", queue, 0.0))


async def test_metrics_see_queue_wait_work_time_and_retries() -> None:
    clock = ManualClock()
    metrics = Recorded()
    q: WorkQueue[str] = WorkQueue(clock=clock, name="instances", metrics=metrics)
    q.add("a")
    q.add("a")  # de-duplicated: not counted
    await clock.advance(2)
    key = await q.get()
    await clock.advance(3)
    assert q.longest_running() == pytest.approx(3)
    assert q.unfinished_work() == pytest.approx(3)
    q.done(key)
    assert q.longest_running() == 0
    q.add_rate_limited("a")
    assert metrics.calls == [
        ("added", "instances", 0.0),
        ("taken", "instances", 2.0),
        ("finished", "instances", 3.0),
        ("retried", "instances", 0.0),
    ]


# ---- fairness: order="age" ----


async def run_burst(order: str, n: int) -> list[int]:
    """``n`` objects each need two steps; the second is ready as soon as the first is done (a
    child's event). Returns, for each object, how many steps the queue had handed out when that
    object finished."""
    q: WorkQueue[int] = WorkQueue(clock=ManualClock(), order=order)  # type: ignore[arg-type]
    for i in range(n):
        q.add(i)
    done_at: dict[int, int] = {}
    steps: dict[int, int] = {}
    handed = 0

    while len(q):
        key = await q.get()
        handed += 1
        steps[key] = steps.get(key, 0) + 1
        if steps[key] == 1:
            q.add(key)  # ready again at once (deferred until done), after the whole burst was queued
        else:
            done_at[key] = handed
        q.done(key)
    return [done_at[i] for i in range(n)]


async def test_age_order_finishes_the_first_objects_first() -> None:
    finished = sorted(await run_burst("age", 100))
    total = finished[-1]
    assert total == 200
    # the 50th object is done after about half the work, not with the last one
    assert finished[49] <= 0.6 * total
    assert (await run_burst("age", 100))[0] == 2  # the first object never waits behind the burst


async def test_fifo_order_advances_every_object_one_step_per_round() -> None:
    finished = sorted(await run_burst("fifo", 100))
    assert finished[0] > 100 and finished[49] > 0.6 * finished[-1]


async def test_an_older_key_goes_before_newer_ones_and_release_forgets_its_age() -> None:
    q: WorkQueue[str] = WorkQueue(clock=ManualClock(), order="age")
    q.add("old")
    assert await q.get() == "old"
    q.done("old")
    for k in ("new-1", "new-2"):
        q.add(k)
    q.add("old")  # its child changed: it is further along than the new arrivals
    assert [await q.get() for _ in range(3)] == ["old", "new-1", "new-2"]
    for k in ("old", "new-1", "new-2"):
        q.done(k)
    q.release("old")  # deleted: a new object of that name is new
    q.add("new-1")
    q.add("old")
    assert [await q.get(), await q.get()] == ["new-1", "old"]


async def test_cancel_after_drops_a_pending_delayed_add() -> None:
    clock = ManualClock()
    q = queue(clock)
    q.add_after("a", 3)
    q.add_after("b", 3)
    q.cancel_after("a")
    q.cancel_after("c")  # nothing pending: nothing happens
    assert q.waiting == 1
    await clock.advance(5)
    assert await asyncio.wait_for(q.get(), 1) == "b"
    assert len(q) == 0 and q.waiting == 0
