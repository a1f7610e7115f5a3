"""Errors the planner reports about one instance.

Planning never raises for bad user data: a failure becomes a node in state ``ERROR`` with a message.
These classes carry the *kind* of failure so the planner and its callers branch on structure::

    PlanError
    ├── ExpressionFailed      a CEL expression failed for a reason other than missing data
    ├── ExpressionPending     a CEL expression needs data that is not there yet (wait, retry)
    └── CollectionError       a forEach expansion is invalid (too big, duplicate names, not a list)
"""

from __future__ import annotations


class PlanError(Exception):
    """Base of the planner's errors."""


class ExpressionFailed(PlanError):
    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"expression `{source}` failed: {message}")
        self.source = source
        self.message = message


class ExpressionPending(PlanError):
    """``missing``: the field path the expression reads that is not set yet (``statefulset.status.
    readyReplicas``), when it could be named; ``detail`` says it in words, else gives ``message``."""

    def __init__(self, source: str, message: str, *, missing: str = "") -> None:
        self.source = source
        self.message = message
        self.missing = missing
        super().__init__(f"expression `{source}`: {self.detail}")

    @property
    def detail(self) -> str:
        return f"{self.missing} is not set yet" if self.missing else f"waiting for data ({self.message})"


class CollectionError(PlanError):
    """A forEach expansion that cannot be carried out."""
