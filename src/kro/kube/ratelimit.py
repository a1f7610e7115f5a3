"""Rate limiters: a token bucket, and the per-item limiters the work queue requeues failures with.

:class:`TokenBucket` is the classic ``qps``/``burst`` bucket. ``reserve()`` takes a token now and
returns how long the caller must wait before using it (tokens may be borrowed from the future, so
reservations are served in order), which serves both the HTTP client (it sleeps that long) and the
work queue (it schedules the item that far ahead).

The per-item limiters answer "how long until this key may be retried?": exponential per key
(:class:`ItemExponentialBackoff`), the global bucket (:class:`BucketRateLimiter`), and the maximum of
several (:class:`MaxOfRateLimiter`); :func:`default_controller_rate_limiter` combines the first two.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol

from kro.kube.clock import SYSTEM_CLOCK, Clock


class TokenBucket:
    """``qps`` tokens per second, at most ``burst`` saved up. ``qps <= 0`` means unlimited."""

    def __init__(self, qps: float, burst: int, *, clock: Clock = SYSTEM_CLOCK) -> None:
        if burst < 1 and qps > 0:
            raise ValueError(f"burst must be at least 1 (got {burst})")
        self.qps = qps
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock.now()

    @property
    def unlimited(self) -> bool:
        return self.qps <= 0

    def tokens(self) -> float:
        """Tokens available now (negative while reservations are outstanding)."""
        self._refill()
        return self._tokens

    def reserve(self) -> float:
        """Take one token; the seconds to wait before it may be used (``0.0`` when available now)."""
        if self.unlimited:
            return 0.0
        self._refill()
        self._tokens -= 1.0
        if self._tokens >= 0:
            return 0.0
        return -self._tokens / self.qps

    async def acquire(self) -> float:
        """Take one token, sleeping until it may be used; returns the time waited."""
        wait = self.reserve()
        if wait > 0:
            await self._clock.sleep(wait)
        return wait

    def _refill(self) -> None:
        now = self._clock.now()
        elapsed = now - self._last
        self._last = now
        if elapsed > 0:
            self._tokens = min(float(self.burst), self._tokens + elapsed * self.qps)


class ItemRateLimiter(Protocol):
    """Decides how long a key waits before it is retried."""

    def when(self, key: Hashable) -> float:
        """Record one more failure of ``key``; the delay before it may be retried."""
        ...

    def forget(self, key: Hashable) -> None:
        """``key`` succeeded: reset its failure count."""
        ...

    def retries(self, key: Hashable) -> int:
        """How many times ``key`` has failed since it was last forgotten."""
        ...


class ItemExponentialBackoff:
    """``base * 2**failures`` per key, capped at ``max_delay``."""

    def __init__(self, base_delay: float = 0.2, max_delay: float = 1000.0) -> None:
        if base_delay <= 0 or max_delay < base_delay:
            raise ValueError(f"need 0 < base_delay <= max_delay (got {base_delay}, {max_delay})")
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._failures: dict[Hashable, int] = {}

    def when(self, key: Hashable) -> float:
        n = self._failures.get(key, 0)
        self._failures[key] = n + 1
        if n >= 64:  # 2**64 * base overflows any sensible cap; skip the float arithmetic
            return self.max_delay
        return min(self.max_delay, self.base_delay * (2.0**n))

    def forget(self, key: Hashable) -> None:
        self._failures.pop(key, None)

    def retries(self, key: Hashable) -> int:
        return self._failures.get(key, 0)


class BucketRateLimiter:
    """Every retry of every key draws from one shared :class:`TokenBucket`."""

    def __init__(self, qps: float = 10.0, burst: int = 100, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self.bucket = TokenBucket(qps, burst, clock=clock)

    def when(self, key: Hashable) -> float:
        return self.bucket.reserve()

    def forget(self, key: Hashable) -> None:
        return None

    def retries(self, key: Hashable) -> int:
        return 0


class MaxOfRateLimiter:
    """The longest delay any of the limiters asks for."""

    def __init__(self, *limiters: ItemRateLimiter) -> None:
        if not limiters:
            raise ValueError("MaxOfRateLimiter needs at least one limiter")
        self.limiters = limiters

    def when(self, key: Hashable) -> float:
        return max(limiter.when(key) for limiter in self.limiters)

    def forget(self, key: Hashable) -> None:
        for limiter in self.limiters:
            limiter.forget(key)

    def retries(self, key: Hashable) -> int:
        return max(limiter.retries(key) for limiter in self.limiters)


def default_controller_rate_limiter(
    *,
    base_delay: float = 0.2,
    max_delay: float = 1000.0,
    qps: float = 10.0,
    burst: int = 100,
    clock: Clock = SYSTEM_CLOCK,
) -> MaxOfRateLimiter:
    """Per-key exponential backoff (200 ms doubling to 1000 s, as kro's dynamic controller uses)
    combined with a global bucket (10/s, burst 100). client-go's own default base is 5 ms."""
    return MaxOfRateLimiter(
        ItemExponentialBackoff(base_delay, max_delay),
        BucketRateLimiter(qps, burst, clock=clock),
    )
