"""Simulated Job controller: pods that succeed.

A Job runs up to ``parallelism`` pods at a time until ``completions`` pods have succeeded (each
simulated pod succeeds after the readiness delay), then gets the ``SuccessCriteriaMet`` and
``Complete`` conditions and a ``completionTime``. A suspended Job starts no pods. As
kube-controller-manager's Job controller does, the status written at the end of a sync already
counts the pods that sync created as ``active``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kro.devcluster.simulation.plan import NameMaker, Plan, condition, new_status, without_zeros
from kro.devcluster.simulation.pods import is_active, is_ready, phase_of, pod_from_template

PODS = "pods"
_DONE_REASON = "CompletionsReached"
_DONE_MESSAGE = "Reached expected number of succeeded pods"


def plan_job(job: Mapping[str, Any], pods: Sequence[Mapping[str, Any]], *, new_name: NameMaker, now: str) -> Plan:
    """``pods``: those the Job controls."""
    spec = job.get("spec") or {}
    old = job.get("status") or {}
    completions = int(spec.get("completions") or 1)
    parallelism = int(spec["parallelism"]) if spec.get("parallelism") is not None else 1
    succeeded = sum(1 for p in pods if phase_of(p) == "Succeeded")
    active = [p for p in pods if is_active(p)]
    done = succeeded >= completions
    create: list[tuple[str, dict[str, Any]]] = []
    if not done and not spec.get("suspend"):
        wanted = min(parallelism, completions - succeeded) - len(active)
        create = [(PODS, _job_pod(job, new_name)) for _ in range(max(0, wanted))]
    previous = old.get("conditions") or []
    conditions = [c for c in previous if c.get("type") not in ("SuccessCriteriaMet", "Complete")]
    status: dict[str, Any] = {
        "startTime": old.get("startTime") or now,
        "active": 0 if done else len(active) + len(create),
        "succeeded": succeeded,
        "ready": 0 if done else sum(1 for p in active if is_ready(p)),
        "terminating": 0,
        "uncountedTerminatedPods": {},
    }
    if done:
        conditions += [
            condition(previous, "SuccessCriteriaMet", True, _DONE_REASON, _DONE_MESSAGE, now=now, probe_time=True),
            condition(previous, "Complete", True, _DONE_REASON, _DONE_MESSAGE, now=now, probe_time=True),
        ]
        status["completionTime"] = old.get("completionTime") or now
    if conditions:
        status["conditions"] = conditions
    return Plan(create=tuple(create), status=new_status(job, without_zeros(status, "active", "succeeded")))


def _job_pod(job: Mapping[str, Any], new_name: NameMaker) -> dict[str, Any]:
    meta = job["metadata"]
    template = dict((job.get("spec") or {}).get("template") or {})
    labels = {
        "batch.kubernetes.io/controller-uid": meta["uid"],
        "batch.kubernetes.io/job-name": meta["name"],
        "controller-uid": meta["uid"],
        "job-name": meta["name"],
    }
    pod = pod_from_template(template, job, name=new_name(f"{meta['name']}-"), generate_name=f"{meta['name']}-",
                            extra_labels=labels)
    pod["spec"].setdefault("restartPolicy", "Never")
    return pod
