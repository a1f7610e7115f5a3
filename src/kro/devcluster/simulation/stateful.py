"""Simulated StatefulSet and DaemonSet controllers.

A StatefulSet's pods are ``<name>-0`` … ``<name>-<n-1>`` with stable hostnames under
``spec.serviceName``; with the default ``OrderedReady`` policy pod *i* is created only once pods
``0..i-1`` are ready, and scaling down removes the highest ordinals first. Each volume claim template
gets a ``<claim>-<name>-<i>`` PersistentVolumeClaim (kept on scale-down, as the default ``Retain``
policy does). A DaemonSet runs one pod on the single simulated node.
"""

from __future__ import annotations

import copy
from collections.abc import Container, Mapping, Sequence
from typing import Any

from kro.devcluster.simulation.plan import (
    NameMaker,
    Plan,
    generation_of,
    new_status,
    replicas_of,
    without_zeros,
)
from kro.devcluster.simulation.pods import (
    NODE_NAME,
    is_active,
    is_ready,
    owner_reference,
    pod_from_template,
    template_hash,
)

PODS = "pods"
PVCS = "persistentvolumeclaims"
REVISIONS = "controllerrevisions.apps"
_NOT_COPIED = frozenset({"kubectl.kubernetes.io/last-applied-configuration"})


def _number(revision: Mapping[str, Any]) -> int:
    value = revision.get("revision")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def plan_revisions(owner: Mapping[str, Any], revisions: Sequence[Mapping[str, Any]], *, hash_label: str,
                   labels: Mapping[str, str], digest: str | None = None,
                   ) -> tuple[str, list[tuple[str, dict[str, Any]]], list[tuple[str, dict[str, Any]]]]:
    """The ControllerRevision of the owner's current pod template, as kube-controller-manager keeps
    them for StatefulSets and DaemonSets (what ``kubectl rollout history|undo`` reads): a new
    template gets ``<owner>-<hash>`` with the next revision number and the owner's annotations; an
    older template brought back (a rollback) renumbers its revision as the newest. Returns the
    current revision's template hash (``digest``, if already known) and the revisions to create and
    to update."""
    template = (owner.get("spec") or {}).get("template") or {}
    digest = digest or template_hash(template)
    name = f"{owner['metadata']['name']}-{digest}"
    newest = max((_number(r) for r in revisions), default=0)
    current = next((r for r in revisions if r["metadata"]["name"] == name), None)
    if current is None:
        annotations = {k: v for k, v in (owner["metadata"].get("annotations") or {}).items() if k not in _NOT_COPIED}
        created = {
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "metadata": {
                "name": name,
                "namespace": owner["metadata"].get("namespace", "default"),
                "labels": {**labels, hash_label: digest},
                **({"annotations": annotations} if annotations else {}),
                "ownerReferences": [owner_reference(owner)],
            },
            "data": {"spec": {"template": {**copy.deepcopy(dict(template)), "$patch": "replace"}}},
            "revision": newest + 1,
        }
        return digest, [(REVISIONS, created)], []
    if _number(current) < newest:
        return digest, [], [(REVISIONS, {**copy.deepcopy(dict(current)), "revision": newest + 1})]
    return digest, [], []


def _ordinal(sts_name: str, pod: Mapping[str, Any]) -> int | None:
    suffix = str(pod["metadata"]["name"])[len(sts_name) + 1:]
    return int(suffix) if suffix.isdigit() else None


def plan_statefulset(sts: Mapping[str, Any], pods: Sequence[Mapping[str, Any]],
                     claims: Container[str], revisions: Sequence[Mapping[str, Any]] = (), *,
                     digest: str | None = None) -> Plan:
    """``pods``, ``revisions``: those the StatefulSet controls; ``claims``: names of PVCs in its
    namespace; ``digest``: its template's hash, if already known."""
    name = sts["metadata"]["name"]
    spec = sts.get("spec") or {}
    desired = replicas_of(sts)
    ordered = spec.get("podManagementPolicy", "OrderedReady") != "Parallel"
    selector = dict(((spec.get("selector") or {}).get("matchLabels")) or {})
    digest, create, update = plan_revisions(sts, revisions, hash_label="controller.kubernetes.io/hash",
                                            labels=selector, digest=digest)
    revision = f"{name}-{digest}"
    present = {o: p for p in pods if (o := _ordinal(name, p)) is not None}
    by_ordinal = {o: p for o, p in present.items() if is_active(p)}
    for i in range(desired):
        if i in by_ordinal:
            if ordered and not is_ready(by_ordinal[i]):
                break
            continue
        if i in present:  # still terminating: its successor (same name) waits until it is gone
            if ordered:
                break
            continue
        create += [(PVCS, c) for c in _claims_for(sts, i) if c["metadata"]["name"] not in claims]
        create.append((PODS, _stateful_pod(sts, i, revision)))
        if ordered:
            break
    extra = sorted((o for o in by_ordinal if o >= desired), reverse=True)
    # ordered: one at a time, the next once the last is gone (no pod is still terminating)
    condemned = extra if not ordered else [] if len(present) > len(by_ordinal) else extra[:1]
    # a pod that has finished (and is not being deleted) is deleted, to be made again once gone
    finished = [o for o, p in sorted(present.items()) if o < desired and not is_active(p)
                and not (p.get("metadata") or {}).get("deletionTimestamp")]
    delete = [(PODS, f"{name}-{o}") for o in (*finished, *condemned)]
    live = [p for o, p in by_ordinal.items()]
    ready = sum(1 for p in live if is_ready(p))
    status = without_zeros({
        "observedGeneration": generation_of(sts),
        "replicas": len(live),
        "readyReplicas": ready,
        "currentReplicas": len(live),
        "updatedReplicas": len(live),
        "availableReplicas": ready,
        "currentRevision": revision,
        "updateRevision": revision,
        "collisionCount": 0,
    }, "readyReplicas", "currentReplicas", "updatedReplicas")
    return Plan(create=tuple(create), update=tuple(update), delete=tuple(delete), status=new_status(sts, status))


def _stateful_pod(sts: Mapping[str, Any], ordinal: int, revision: str) -> dict[str, Any]:
    name = sts["metadata"]["name"]
    spec = sts.get("spec") or {}
    pod_name = f"{name}-{ordinal}"
    labels = {
        "controller-revision-hash": revision,
        "statefulset.kubernetes.io/pod-name": pod_name,
        "apps.kubernetes.io/pod-index": str(ordinal),
    }
    pod = pod_from_template(spec.get("template") or {}, sts, name=pod_name, extra_labels=labels,
                            hostname=pod_name, subdomain=spec.get("serviceName") or None)
    volumes = pod["spec"].setdefault("volumes", [])
    for template in spec.get("volumeClaimTemplates") or []:
        claim = str((template.get("metadata") or {}).get("name", ""))
        if not any(v.get("name") == claim for v in volumes):
            volumes.append({"name": claim, "persistentVolumeClaim": {"claimName": f"{claim}-{pod_name}"}})
    return pod


def _claims_for(sts: Mapping[str, Any], ordinal: int) -> list[dict[str, Any]]:
    name = sts["metadata"]["name"]
    spec = sts.get("spec") or {}
    labels = dict(((spec.get("selector") or {}).get("matchLabels")) or {})
    out = []
    for template in spec.get("volumeClaimTemplates") or []:
        tmeta = template.get("metadata") or {}
        claim = copy.deepcopy(dict(template))
        claim.pop("status", None)
        claim["apiVersion"], claim["kind"] = "v1", "PersistentVolumeClaim"
        claim["metadata"] = {
            "name": f"{tmeta.get('name', '')}-{name}-{ordinal}",
            "namespace": sts["metadata"].get("namespace", "default"),
            "labels": {**labels, **(tmeta.get("labels") or {})},
        }
        out.append(claim)
    return out


def plan_daemonset(ds: Mapping[str, Any], pods: Sequence[Mapping[str, Any]], *, new_name: NameMaker,
                   revisions: Sequence[Mapping[str, Any]] = (), digest: str | None = None) -> Plan:
    """``pods``, ``revisions``: those the DaemonSet controls. One node, so at most one pod."""
    name = ds["metadata"]["name"]
    spec = ds.get("spec") or {}
    active = [p for p in pods if is_active(p)]
    template_labels = dict(((spec.get("template") or {}).get("metadata") or {}).get("labels") or {})
    revision, create, update = plan_revisions(ds, revisions, hash_label="controller-revision-hash",
                                              labels=template_labels, digest=digest)
    if not pods:  # a pod still on the node, even one terminating, holds the next one back
        pod = pod_from_template(spec.get("template") or {}, ds, name=new_name(f"{name}-"), generate_name=f"{name}-",
                                extra_labels={"controller-revision-hash": revision, "pod-template-generation":
                                              str(generation_of(ds))})
        create.append((PODS, pod))
    finished = [p for p in pods if not is_active(p) and not (p.get("metadata") or {}).get("deletionTimestamp")]
    delete = [(PODS, str(p["metadata"]["name"])) for p in (*finished, *active[1:])]
    scheduled = min(len(active), 1)
    ready = min(sum(1 for p in active if is_ready(p)), 1)
    status = without_zeros({
        "currentNumberScheduled": scheduled,
        "desiredNumberScheduled": 1,
        "numberMisscheduled": 0,
        "numberReady": ready,
        "numberAvailable": ready,
        "numberUnavailable": 1 - ready,
        "updatedNumberScheduled": scheduled,
        "observedGeneration": generation_of(ds),
    }, "numberAvailable", "numberUnavailable", "updatedNumberScheduled")
    return Plan(create=tuple(create), update=tuple(update), delete=tuple(delete), status=new_status(ds, status))


__all__ = ["NODE_NAME", "plan_daemonset", "plan_statefulset"]
