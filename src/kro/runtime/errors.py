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
    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"expression `{source}` is waiting for data: {message}")
        self.source = source
        self.message = message


class CollectionError(PlanError):
    """A forEach expansion that cannot be carried out."""
