"""Turning a reconcile's outcome into work-queue operations: the one place retry policy lives.

Reconcilers return :class:`~kro.runtime.outcome.Outcome` data (``Requeue``, ``Done``, ``Terminal``)
or raise; :func:`schedule` maps that onto the queue. A raised error is retried with the queue's
per-key exponential backoff; anything else resets the backoff, and ``Done`` or ``Terminal`` also drops
a later look an earlier reconcile of the key had scheduled."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from kro.api.refs import GVR
from kro.runtime.outcome import Done, Outcome, Requeue, Terminal

K = TypeVar("K", bound=Hashable, contravariant=True)


@dataclass(frozen=True, order=True)
class Key:
    """A work item: one object of one resource."""

    gvr: GVR
    namespace: str
    name: str

    def __str__(self) -> str:
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.gvr.resource}.{self.gvr.group or 'core'} {where}"


class Queue(Protocol[K]):
    def add_after(self, key: K, seconds: float) -> None: ...

    def add_rate_limited(self, key: K) -> float: ...

    def forget(self, key: K) -> None: ...

    def cancel_after(self, key: K) -> None: ...


def schedule(queue: Queue[K], key: K, outcome: Outcome | BaseException) -> str:
    """Apply ``outcome`` for ``key``; returns the result label metrics record
    (``done``, ``requeue``, ``terminal`` or ``error``)."""
    if isinstance(outcome, BaseException):
        queue.add_rate_limited(key)
        return "error"
    queue.forget(key)
    if isinstance(outcome, Requeue):
        queue.add_after(key, outcome.after)
        return "requeue"
    # a look an earlier reconcile scheduled (waiting on a child that has since become ready, or a
    # retry) would find nothing: this reconcile saw the object as it is and needs no later look
    queue.cancel_after(key)
    if isinstance(outcome, Terminal):
        return "terminal"
    assert isinstance(outcome, Done)
    return "done"
