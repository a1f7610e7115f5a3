"""What kube-apiserver does to pods that it does to no other kind: graceful deletion (its pod
strategy's ``CheckGracefulDelete`` under the generic ``BeforeDelete``) and binding to a node
(``pods/binding``). Pure functions of the stored pod; :class:`~kro.devcluster.objects.ObjectService`
does the reading and writing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from kro.devcluster import errors
from kro.devcluster.metadata import parse_timestamp, timestamp
from kro.devcluster.storage import clone


def is_pod(group: str, kind: str) -> bool:
    return group == "" and kind == "Pod"


def mark_graceful(pod: dict[str, Any], requested: int | None, now: datetime) -> tuple[bool, bool]:
    """Whether to store ``pod`` marked as deleting (``deletionTimestamp`` set
    ``deletionGracePeriodSeconds`` ahead, written into ``pod``), and whether a graceful deletion
    is already pending that this request leaves alone.

    The grace period is the request's (a negative one reads as 1), else the pod's
    ``terminationGracePeriodSeconds``; 0 for a pod no node runs (no ``nodeName``) or one that has
    finished. A pod being deleted may only have its grace period shortened (its deadline moves
    earlier by the difference); one marked with a period of 0 is not graceful any more."""
    if requested is not None and requested < 0:
        requested = 1
    meta = pod.get("metadata")
    meta = meta if isinstance(meta, dict) else pod.setdefault("metadata", {})
    stamp = meta.get("deletionTimestamp")
    if stamp:
        current = meta.get("deletionGracePeriodSeconds")
        if not isinstance(current, int) or current <= 0:
            return False, False
        if requested is None or requested >= current:
            return False, True
        due = parse_timestamp(str(stamp))
        meta["deletionTimestamp"] = timestamp(due - timedelta(seconds=current - requested))
        meta["deletionGracePeriodSeconds"] = requested
        return True, False
    spec = pod.get("spec") or {}
    period = requested
    if period is None:
        default = spec.get("terminationGracePeriodSeconds")
        period = default if isinstance(default, int) and not isinstance(default, bool) else 0
    if not spec.get("nodeName") or (pod.get("status") or {}).get("phase") in ("Failed", "Succeeded"):
        period = 0
    meta["deletionTimestamp"] = timestamp(now + timedelta(seconds=period))
    meta["deletionGracePeriodSeconds"] = period
    if isinstance(meta.get("generation"), int) and meta["generation"] > 0:
        meta["generation"] += 1
    return True, False


def bound_pod(stored: Mapping[str, Any], name: str, node: str, annotations: Mapping[str, str], now: str) -> dict[str, Any]:
    """A copy of ``stored`` assigned to ``node``: ``spec.nodeName``, the annotations merged,
    condition ``PodScheduled`` True (its transition time kept if it was True already). A pod that
    is being deleted, already assigned or gated is a 409 on ``pods/binding``."""
    meta = stored.get("metadata") or {}
    spec = stored.get("spec") or {}
    why = (f"pod {name} is being deleted, cannot be assigned to a host" if meta.get("deletionTimestamp")
           else f'pod {name} is already assigned to node "{spec["nodeName"]}"' if spec.get("nodeName")
           else f"pod {name} has non-empty .spec.schedulingGates" if spec.get("schedulingGates") else "")
    if why:
        raise errors.conflict("pods/binding", "", name, why)
    pod: dict[str, Any] = clone(dict(stored))
    pod.setdefault("spec", {})["nodeName"] = node
    if annotations:
        pod_meta = pod.setdefault("metadata", {})
        pod_meta["annotations"] = {**(pod_meta.get("annotations") or {}), **annotations}
    status = pod.setdefault("status", {})
    old = list(status.get("conditions") or [])
    before = next((c for c in old if c.get("type") == "PodScheduled"), None)
    since = before.get("lastTransitionTime") if before is not None and before.get("status") == "True" else None
    scheduled = {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": since or now}
    status["conditions"] = [scheduled if c is before else c for c in old] if before is not None else [*old, scheduled]
    return pod


def storage_precondition(key: str, what: str, wanted: object, found: object) -> str:
    """How kube-apiserver's storage words a failed precondition of a plain storage update (``key``:
    the object's etcd key, under the default prefix ``/registry``)."""
    return (f"StorageError: invalid object, Code: 4, Key: {key}, ResourceVersion: 0, AdditionalErrorMsg: "
            f"Precondition failed: {what} in precondition: {wanted}, {what} in object meta: {found}")
