"""Exponential backoff with jitter, for loops that retry a failing call (reflectors, leader election).

``next()`` returns the next wait and doubles the following one up to ``maximum``; ``jitter`` spreads
each wait over ``[wait, wait * (1 + jitter)]`` so many clients failing together do not retry in step.
``reset()`` after a success starts over from ``initial``.
"""

from __future__ import annotations

import random


class Backoff:
    def __init__(
        self,
        initial: float = 0.8,
        maximum: float = 30.0,
        *,
        factor: float = 2.0,
        jitter: float = 1.0,
        rng: random.Random | None = None,
    ) -> None:
        if initial <= 0 or maximum < initial or factor < 1 or jitter < 0:
            raise ValueError("backoff needs 0 < initial <= maximum, factor >= 1, jitter >= 0")
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
        self._rng = rng or random.Random()
        self._current = initial
        self.attempts = 0

    def next(self) -> float:
        """The wait before the next attempt."""
        wait = self._current
        self._current = min(self.maximum, self._current * self.factor)
        self.attempts += 1
        if self.jitter:
            wait += wait * self.jitter * self._rng.random()
        return min(wait, self.maximum * (1 + self.jitter))

    def reset(self) -> None:
        self._current = self.initial
        self.attempts = 0
