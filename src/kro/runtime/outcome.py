"""What a reconcile asks of the work queue next, as data.

The planner returns one of these and exactly one function in the controller
(:func:`kro.controller.reconcile.schedule`) turns it into queue operations, so retry policy lives in
one place instead of being spread over ``return`` statements."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Requeue:
    """Look again after ``after`` seconds (something is still converging)."""

    after: float


@dataclass(frozen=True)
class Done:
    """Converged: only a watch event brings this key back."""


@dataclass(frozen=True)
class Terminal:
    """Cannot converge without a change to the inputs; retrying would fail the same way."""

    error: str


Outcome = Requeue | Done | Terminal
