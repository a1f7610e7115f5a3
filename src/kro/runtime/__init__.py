"""One instance's reconcile as pure planning: given the graph, the instance and the observed children,
decide what to apply, what to prune, what the status says and when to look again.

Nothing here performs I/O, reads a clock or touches a global. The controller observes (informer
caches behind :class:`~kro.runtime.observed.ObservedState`), calls :func:`plan_instance` or
:func:`plan_deletion`, and carries the resulting plan out.

Modules: ``planner`` (the walk over the graph), ``nodeplan`` (one node), ``includewhen``, ``foreach``,
``resolve``, ``readiness``, ``labels``, ``status`` and ``conditions``, ``deletion``, ``drift``
(apply-or-skip), ``plan`` and ``outcome`` (the result types), ``observed`` (the input port)."""

from kro.runtime.deletion import DeletionPlan, plan_deletion
from kro.runtime.drift import desired_hash, holds
from kro.runtime.foreach import CollectionLimits
from kro.runtime.observed import ObservedState, Snapshot
from kro.runtime.outcome import Done, Outcome, Requeue, Terminal
from kro.runtime.plan import DesiredObject, NodeReport, Plan, Removal
from kro.runtime.planner import PlanSettings, plan_instance

__all__ = [
    "CollectionLimits",
    "DeletionPlan",
    "DesiredObject",
    "Done",
    "NodeReport",
    "ObservedState",
    "Outcome",
    "Plan",
    "PlanSettings",
    "Removal",
    "Requeue",
    "Snapshot",
    "Terminal",
    "desired_hash",
    "holds",
    "plan_deletion",
    "plan_instance",
]
