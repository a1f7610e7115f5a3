"""Simulated Deployment and ReplicaSet controllers.

A Deployment owns one ReplicaSet per pod template (named ``<deployment>-<pod-template-hash>``); the
current one is scaled to ``spec.replicas`` and older ones to zero at once (the simulation does not
pace a rolling update). A ReplicaSet creates and deletes pods to match its replicas. Statuses and the
Deployment's ``Available``/``Progressing`` conditions are filled in as kube-controller-manager does.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from typing import Any

from kro.devcluster.simulation.plan import (
    NameMaker,
    Plan,
    condition,
    generation_of,
    new_status,
    replicas_of,
    without_zeros,
)
from kro.devcluster.simulation.pods import (
    is_active,
    is_ready,
    owner_reference,
    pod_from_template,
    template_hash,
)

REPLICASETS = "replicasets.apps"
PODS = "pods"
HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
_NOT_COPIED = frozenset({
    REVISION, REVISION_HISTORY, "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas",
    "kubectl.kubernetes.io/last-applied-configuration",
})


def plan_deployment(deploy: Mapping[str, Any], replicasets: Sequence[Mapping[str, Any]], *, now: str,
                    digest: str | None = None) -> Plan:
    """``replicasets``: those the Deployment controls; ``digest``: its template's hash with its
    collision count, if already known."""
    spec = deploy.get("spec") or {}
    name = deploy["metadata"]["name"]
    desired = replicas_of(deploy)
    template = spec.get("template") or {}
    pod_hash = digest or template_hash(template, int((deploy.get("status") or {}).get("collisionCount") or 0))
    current_name = f"{name}-{pod_hash}"
    current = next((rs for rs in replicasets if rs["metadata"]["name"] == current_name), None)
    create: list[tuple[str, dict[str, Any]]] = []
    update: list[tuple[str, dict[str, Any]]] = []
    revision = str(_revision(current)) if current is not None else ""
    if not spec.get("paused"):
        if current is None:
            new = _replicaset(deploy, current_name, pod_hash, replicasets, desired)
            create.append((REPLICASETS, new))
            revision = new["metadata"]["annotations"][REVISION]
        else:
            renewed = _renewed(deploy, current, replicasets, desired)
            revision = renewed["metadata"]["annotations"][REVISION]
            if renewed != current:
                update.append((REPLICASETS, renewed))
        update += [(REPLICASETS, _scaled(rs, 0)) for rs in replicasets
                   if rs is not current and replicas_of(rs) != 0]
    status = _deployment_status(deploy, replicasets, current, current_name, desired, now=now)
    annotations = deploy["metadata"].get("annotations") or {}
    annotate = {REVISION: revision} if revision and annotations.get(REVISION) != revision else None
    return Plan(create=tuple(create), update=tuple(update), status=new_status(deploy, status), annotate=annotate)


def _revision(rs: Mapping[str, Any] | None) -> int:
    try:
        return int(((rs or {}).get("metadata") or {}).get("annotations", {}).get(REVISION, "0") or 0)
    except (TypeError, ValueError):
        return 0


def _copied_annotations(deploy: Mapping[str, Any]) -> dict[str, str]:
    """The Deployment's annotations a ReplicaSet carries (``kubernetes.io/change-cause`` among them),
    as kube-controller-manager copies them."""
    annotations = deploy["metadata"].get("annotations") or {}
    return {k: v for k, v in annotations.items() if k not in _NOT_COPIED}


def _renewed(deploy: Mapping[str, Any], current: Mapping[str, Any], replicasets: Sequence[Mapping[str, Any]],
             desired: int) -> dict[str, Any]:
    """The current ReplicaSet at ``desired`` replicas with the Deployment's annotations; one that an
    older template brought back (a rollback) becomes the newest revision and remembers its old one in
    ``deployment.kubernetes.io/revision-history``."""
    out = _scaled(current, desired)
    annotations = dict(out["metadata"].get("annotations") or {})
    annotations.update(_copied_annotations(deploy))
    newest_other = max((_revision(rs) for rs in replicasets if rs is not current), default=0)
    old = _revision(current)
    if old <= newest_other:
        annotations[REVISION] = str(newest_other + 1)
        if old:
            history = [h for h in annotations.get(REVISION_HISTORY, "").split(",") if h]
            annotations[REVISION_HISTORY] = ",".join([*history, str(old)])
    annotations["deployment.kubernetes.io/desired-replicas"] = str(desired)
    annotations["deployment.kubernetes.io/max-replicas"] = str(desired + _max_surge(deploy, desired))
    out["metadata"]["annotations"] = annotations
    return out


def _replicaset(deploy: Mapping[str, Any], name: str, pod_hash: str, existing: Sequence[Mapping[str, Any]],
                desired: int) -> dict[str, Any]:
    spec = deploy.get("spec") or {}
    template = copy.deepcopy(dict(spec.get("template") or {}))
    tmeta = template.setdefault("metadata", {})
    tmeta["labels"] = {**(tmeta.get("labels") or {}), HASH_LABEL: pod_hash}
    selector = copy.deepcopy(dict(spec.get("selector") or {}))
    selector["matchLabels"] = {**(selector.get("matchLabels") or {}), HASH_LABEL: pod_hash}
    revision = 1 + max((int((rs["metadata"].get("annotations") or {}).get(REVISION, "0") or 0) for rs in existing),
                       default=0)
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": name,
            "namespace": deploy["metadata"].get("namespace", "default"),
            "labels": dict(tmeta["labels"]),
            "annotations": {
                **_copied_annotations(deploy),
                REVISION: str(revision),
                "deployment.kubernetes.io/desired-replicas": str(desired),
                "deployment.kubernetes.io/max-replicas": str(desired + _max_surge(deploy, desired)),
            },
            "ownerReferences": [owner_reference(deploy)],
        },
        "spec": {"replicas": desired, "minReadySeconds": int(spec.get("minReadySeconds") or 0),
                 "selector": selector, "template": template},
    }


def _scaled(rs: Mapping[str, Any], replicas: int) -> dict[str, Any]:
    out = copy.deepcopy(dict(rs))
    out.setdefault("spec", {})["replicas"] = replicas
    return out


def _deployment_status(deploy: Mapping[str, Any], replicasets: Sequence[Mapping[str, Any]],
                       current: Mapping[str, Any] | None, current_name: str, desired: int, *, now: str) -> dict[str, Any]:
    def total(field: str) -> int:
        return sum(int((rs.get("status") or {}).get(field) or 0) for rs in replicasets)

    replicas, ready, available = total("replicas"), total("readyReplicas"), total("availableReplicas")
    updated = int(((current or {}).get("status") or {}).get("replicas") or 0)
    previous = (deploy.get("status") or {}).get("conditions") or []
    minimum = available >= desired - _max_unavailable(deploy, desired)
    available_cond = condition(
        previous, "Available", minimum,
        "MinimumReplicasAvailable" if minimum else "MinimumReplicasUnavailable",
        "Deployment has minimum availability." if minimum else "Deployment does not have minimum availability.",
        now=now, update_time=True,
    )
    if current is None:
        reason, message = "NewReplicaSetCreated", f'Created new replica set "{current_name}"'
    elif updated == desired and available >= desired and replicas == desired:
        reason, message = "NewReplicaSetAvailable", f'ReplicaSet "{current_name}" has successfully progressed.'
    else:
        reason, message = "ReplicaSetUpdated", f'ReplicaSet "{current_name}" is progressing.'
    progressing = condition(previous, "Progressing", True, reason, message, now=now, update_time=True)
    status = {
        "observedGeneration": generation_of(deploy),
        "replicas": replicas,
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": available,
        "unavailableReplicas": max(0, desired - available),
        "conditions": [available_cond, progressing, *_replica_failure(previous, current, replicasets)],
    }
    if "collisionCount" in (deploy.get("status") or {}):
        status["collisionCount"] = deploy["status"]["collisionCount"]
    return without_zeros(status, "replicas", "updatedReplicas", "readyReplicas", "availableReplicas",
                         "unavailableReplicas")


def _replica_failure(previous: Sequence[Mapping[str, Any]], current: Mapping[str, Any] | None,
                     replicasets: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The Deployment's ``ReplicaFailure`` condition: its new ReplicaSet's, else an old one's; kept
    as it was while its status and reason stay the same."""
    for rs in [*([current] if current is not None else []), *replicasets]:
        failure = next((c for c in (rs.get("status") or {}).get("conditions") or [] if c.get("type") == "ReplicaFailure"), None)
        if failure is None:
            continue
        before = next((c for c in previous if c.get("type") == "ReplicaFailure"), None)
        if before is not None and (before.get("status"), before.get("reason")) == (failure.get("status"), failure.get("reason")):
            return [dict(before)]
        return [{"type": "ReplicaFailure", "status": failure.get("status"), "lastUpdateTime": failure.get("lastTransitionTime"),
                 "lastTransitionTime": failure.get("lastTransitionTime"), "reason": failure.get("reason"),
                 "message": failure.get("message")}]  # fmt: skip
    return []


def _rolling(deploy: Mapping[str, Any]) -> Mapping[str, Any] | None:
    strategy = (deploy.get("spec") or {}).get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return None
    rolling: Mapping[str, Any] = strategy.get("rollingUpdate") or {}
    return rolling


def _max_unavailable(deploy: Mapping[str, Any], desired: int) -> int:
    rolling = _rolling(deploy)
    if rolling is None:
        return 0
    value = _scaled_value(rolling.get("maxUnavailable", "25%"), desired, round_up=False)
    return min(value, desired)


def _max_surge(deploy: Mapping[str, Any], desired: int) -> int:
    rolling = _rolling(deploy)
    return 0 if rolling is None else _scaled_value(rolling.get("maxSurge", "25%"), desired, round_up=True)


def _scaled_value(value: Any, total: int, *, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        try:
            fraction = float(value[:-1]) * total / 100
        except ValueError:
            return 0
        return math.ceil(fraction) if round_up else math.floor(fraction)
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def plan_replicaset(rs: Mapping[str, Any], pods: Sequence[Mapping[str, Any]], *, new_name: NameMaker) -> Plan:
    """``pods``: those the ReplicaSet controls."""
    name = rs["metadata"]["name"]
    desired = replicas_of(rs)
    active = [p for p in pods if is_active(p)]
    template = (rs.get("spec") or {}).get("template") or {}
    create = [(PODS, pod_from_template(template, rs, name=new_name(f"{name}-"), generate_name=f"{name}-"))
              for _ in range(max(0, desired - len(active)))]
    surplus = sorted(active, key=lambda p: (is_ready(p), str(p["metadata"].get("creationTimestamp", ""))),
                     reverse=False)[: max(0, len(active) - desired)]
    delete = [(PODS, str(p["metadata"]["name"])) for p in surplus]
    ready = sum(1 for p in active if is_ready(p))
    status: dict[str, Any] = without_zeros({
        "replicas": len(active),
        "fullyLabeledReplicas": len(active),
        "readyReplicas": ready,
        "availableReplicas": ready,
        "observedGeneration": generation_of(rs),
    }, "fullyLabeledReplicas", "readyReplicas", "availableReplicas")
    if (rs.get("status") or {}).get("conditions"):
        status["conditions"] = rs["status"]["conditions"]
    return Plan(create=tuple(create), delete=tuple(delete), status=new_status(rs, status))
