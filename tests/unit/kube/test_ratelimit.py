"""Token bucket and backoff arithmetic, on a manual clock."""

from __future__ import annotations

import asyncio
import random

import pytest

from kro.kube.backoff import Backoff
from kro.kube.clock import ManualClock, settle
from kro.kube.ratelimit import TokenBucket, default_controller_rate_limiter


def test_bucket_allows_a_burst_then_spaces_requests_at_qps() -> None:
    clock = ManualClock()
    bucket = TokenBucket(5, 3, clock=clock)
    assert [bucket.reserve() for _ in range(3)] == [0, 0, 0]
    assert [bucket.reserve() for _ in range(3)] == pytest.approx([0.2, 0.4, 0.6])


async def test_bucket_refills_with_time_up_to_the_burst() -> None:
    clock = ManualClock()
    bucket = TokenBucket(10, 2, clock=clock)
    bucket.reserve()
    bucket.reserve()
    await clock.advance(0.1)
    assert bucket.tokens() == pytest.approx(1.0)
    await clock.advance(100)
    assert bucket.tokens() == pytest.approx(2.0)


async def test_acquire_sleeps_for_the_reserved_wait() -> None:
    clock = ManualClock()
    bucket = TokenBucket(2, 1, clock=clock)
    await bucket.acquire()
    waiter = asyncio.create_task(bucket.acquire())
    await settle()
    assert not waiter.done()
    await clock.advance(0.5)
    assert waiter.done() and waiter.result() == pytest.approx(0.5)


def test_zero_qps_is_unlimited() -> None:
    bucket = TokenBucket(0, 0, clock=ManualClock())
    assert all(bucket.reserve() == 0 for _ in range(1000))


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        TokenBucket(10, 0)
    with pytest.raises(ValueError):
        Backoff(0, 1)


def test_default_controller_limiter_is_the_max_of_backoff_and_bucket() -> None:
    limiter = default_controller_rate_limiter(
        base_delay=0.2, max_delay=1000, qps=10, burst=100, clock=ManualClock()
    )
    assert [limiter.when("k") for _ in range(4)] == pytest.approx([0.2, 0.4, 0.8, 1.6])
    assert limiter.retries("k") == 4
    limiter.forget("k")
    assert limiter.retries("k") == 0


def test_backoff_grows_with_jitter_within_bounds_and_resets() -> None:
    backoff = Backoff(1.0, 8.0, jitter=0.5, rng=random.Random(1))
    waits = [backoff.next() for _ in range(6)]
    bases = [1, 2, 4, 8, 8, 8]
    for wait, base in zip(waits, bases, strict=True):
        assert base <= wait <= base * 1.5
    backoff.reset()
    assert 1.0 <= backoff.next() <= 1.5
