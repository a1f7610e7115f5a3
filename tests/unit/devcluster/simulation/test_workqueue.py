"""The simulation's work queue: oldest first per controller, one key per worker at a time."""

from __future__ import annotations

import asyncio

from kro.devcluster.simulation.workqueue import WorkQueue

STS = ("statefulsets.apps", "ns", "a")
STS_B = ("statefulsets.apps", "ns", "b")
POD = ("pods", "ns", "a-0")


def test_oldest_first_within_a_controller_and_a_child_can_take_its_owners_age() -> None:
    q = WorkQueue()
    q.mark(STS)
    q.mark(STS_B)
    q.mark(("pods", "ns", "b-0"))
    q.mark(POD, rank=q.rank_of(STS))
    assert q.take("pods") == POD  # as old as its StatefulSet, older than the pod marked before it
    assert q.take("statefulsets.apps") == STS
    assert q.take("statefulsets.apps") == STS_B
    assert q.take("statefulsets.apps") is None


def test_a_key_is_never_held_twice_and_comes_back_after_done_keeping_its_age() -> None:
    q = WorkQueue()
    q.mark(STS)
    assert q.take("statefulsets.apps") == STS
    q.mark(STS_B)
    q.mark(STS)  # changed while a worker holds it
    q.mark(STS)  # queued at most once
    assert q.take("statefulsets.apps") == STS_B
    assert q.take("statefulsets.apps") is None
    q.done(STS)
    assert q.take("statefulsets.apps") == STS
    q.done(STS)
    q.done(STS_B)
    assert q.take("statefulsets.apps") is None


def test_a_deleted_key_loses_its_age_unless_still_queued() -> None:
    q = WorkQueue()
    q.mark(STS)
    q.forget(STS)
    assert q.rank_of(STS) is not None
    assert q.take("statefulsets.apps") == STS
    q.done(STS)
    q.forget(STS)
    assert q.rank_of(STS) is None


def test_a_waiting_worker_wakes_on_work_for_its_controller_and_on_close() -> None:
    async def scenario() -> None:
        q = WorkQueue()
        waiting = asyncio.create_task(q.wait("pods"))
        await asyncio.sleep(0)
        q.mark(STS)
        await asyncio.sleep(0)
        assert not waiting.done()  # another controller's work
        q.mark(POD)
        await asyncio.wait_for(waiting, 1)
        closing = asyncio.create_task(q.wait("statefulsets.apps"))
        await asyncio.sleep(0)
        q.close()
        await asyncio.wait_for(closing, 1)
        assert q.closing
        await asyncio.wait_for(q.wait("pods"), 1)  # returns at once while closing

    asyncio.run(scenario())
