"""What a ResourceGraph's root needs beyond :func:`~kro.runtime.planner.plan_instance`, decided
without I/O: whether a tracked child (made by someone else) is ready, how a managed child is
released under ``releasePolicy: Orphan``, and which children go first when a root is torn down.

Readiness of a tracked child follows what Kubernetes tooling reads (``kubectl wait``, kstatus): a
``Ready`` or ``Available`` condition that is not ``True`` holds it back, so does a
``status.observedGeneration`` behind ``metadata.generation``, and the usual workload fields
(``readyReplicas``/``availableReplicas``/``updatedReplicas`` against ``spec.replicas``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kro.api.keys import Annotations, Labels
from kro.runtime.observed import labels_of

Obj = Mapping[str, Any]
_READY_CONDITIONS = ("Ready", "Available")
_REPLICA_FIELDS = ("readyReplicas", "availableReplicas", "updatedReplicas")
_KRO_ANNOTATIONS = (Annotations.APPLY_ORDER, Annotations.DESIRED_HASH)


def not_ready(obj: Obj) -> str | None:
    """Why the object is not ready yet; ``None`` when it is."""
    meta = obj.get("metadata") or {}
    status = obj.get("status") or {}
    if not isinstance(status, Mapping):
        return None
    observed, generation = status.get("observedGeneration"), meta.get("generation")
    if isinstance(observed, int) and isinstance(generation, int) and observed < generation:
        return f"status.observedGeneration {observed} is behind generation {generation}"
    for condition in status.get("conditions") or []:
        if (
            isinstance(condition, Mapping)
            and condition.get("type") in _READY_CONDITIONS
            and condition.get("status") != "True"
        ):
            why = condition.get("message") or condition.get("reason") or ""
            return f"condition {condition.get('type')} is {condition.get('status')}" + (f": {why}" if why else "")
    wanted = (obj.get("spec") or {}).get("replicas") if isinstance(obj.get("spec"), Mapping) else None
    if isinstance(wanted, int):
        for field in _REPLICA_FIELDS:
            if field in status and int(status.get(field) or 0) < wanted:
                return f"status.{field} is {status.get(field) or 0} of {wanted}"
    return None


def release_patch(obj: Obj, *, root_uid: str) -> dict[str, Any]:
    """A JSON merge patch that lets kro go of ``obj``: kro's ownership labels and annotations
    removed, the ownerReference to the root dropped; the object and everything else stay."""
    meta = obj.get("metadata") or {}
    labels = {
        key: None
        for key, value in labels_of(obj).items()
        if _kro_label(key) and (key != Labels.MANAGED_BY or value == Labels.MANAGED_BY_VALUE)
    }
    annotations = {key: None for key in (meta.get("annotations") or {}) if key in _KRO_ANNOTATIONS}
    patch: dict[str, Any] = {"metadata": {"resourceVersion": meta.get("resourceVersion")}}
    if labels:
        patch["metadata"]["labels"] = labels
    if annotations:
        patch["metadata"]["annotations"] = annotations
    owners = list(meta.get("ownerReferences") or [])
    kept = [o for o in owners if o.get("uid") != root_uid]
    if len(kept) != len(owners):
        patch["metadata"]["ownerReferences"] = kept or None
    return patch


def _kro_label(key: str) -> bool:
    return key.startswith(Labels.RESERVED_PREFIXES) or key in (
        Labels.ROOT,
        Labels.GRAPH,
        Labels.APPLYSET_PART_OF,
        Labels.MANAGED_BY,
    )


def still_owned(objs: Sequence[Obj], *, graph: str) -> list[Obj]:
    """The managed children among ``objs`` (found by the root's UID) that belong to ``graph``."""
    return [
        o for o in objs if labels_of(o).get(Labels.OWNED) == "true" and labels_of(o).get(Labels.GRAPH) == graph
    ]
