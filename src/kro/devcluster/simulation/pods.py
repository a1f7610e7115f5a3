"""Simulated pods: building a pod from a controller's template, and the status a pod moves through.

Nothing runs. A pod is ``Pending`` (scheduled on the one simulated node) when created, and once the
configured delay has passed it is ``Running`` with every container ready; a pod whose
``restartPolicy`` is ``Never`` or ``OnFailure`` (a Job's) instead ``Succeeded``, its containers
terminated with exit code 0. These are pure functions of the pod, its phase and the time (a
string, RFC 3339), so the timeline is the same in tests and in ``kro dev``.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from typing import Any, Literal

NODE_NAME = "kro-dev-node"
NODE_IP = "10.0.0.10"  # a documentation-only address; nothing is ever sent to it
POD_CIDR_PREFIX = "10.244.0."
SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"

Phase = Literal["Pending", "Running", "Succeeded"]


def owner_reference(owner: Mapping[str, Any]) -> dict[str, Any]:
    """A controller reference to ``owner``, blocking its foreground deletion, as controllers set it."""
    meta = owner["metadata"]
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": meta["name"],
        "uid": meta["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def pod_from_template(
    template: Mapping[str, Any],
    owner: Mapping[str, Any],
    *,
    name: str,
    generate_name: str | None = None,
    extra_labels: Mapping[str, str] | None = None,
    hostname: str | None = None,
    subdomain: str | None = None,
) -> dict[str, Any]:
    """A pod as a workload controller creates it (the scheduler binds it to the node). With
    ``generate_name``, ``name`` is what the plan calls it until the server has named it."""
    tmeta = template.get("metadata") or {}
    labels = {**(tmeta.get("labels") or {}), **(extra_labels or {})}
    meta: dict[str, Any] = {
        "name": name,
        "namespace": owner["metadata"].get("namespace", "default"),
        "labels": labels,
        "ownerReferences": [owner_reference(owner)],
    }
    if generate_name:
        meta["generateName"] = generate_name
    if tmeta.get("annotations"):
        meta["annotations"] = dict(tmeta["annotations"])
    spec = copy.deepcopy(dict(template.get("spec") or {}))
    if hostname:
        spec["hostname"] = hostname
    if subdomain:
        spec["subdomain"] = subdomain
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def runs_to_completion(pod: Mapping[str, Any]) -> bool:
    return (pod.get("spec") or {}).get("restartPolicy") in ("Never", "OnFailure")


def phase_of(pod: Mapping[str, Any]) -> str:
    return str((pod.get("status") or {}).get("phase") or "")


def is_ready(pod: Mapping[str, Any]) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def is_active(pod: Mapping[str, Any]) -> bool:
    meta = pod.get("metadata") or {}
    return not meta.get("deletionTimestamp") and phase_of(pod) not in ("Succeeded", "Failed")


def pod_ip(pod: Mapping[str, Any]) -> str:
    """A stable address for the pod, derived from its uid (data only: nothing listens there)."""
    digest = hashlib.sha256(str((pod.get("metadata") or {}).get("uid", "")).encode()).digest()
    return POD_CIDR_PREFIX + str(2 + digest[0] % 250)


def pod_status(pod: Mapping[str, Any], phase: Phase, *, now: str) -> dict[str, Any]:
    """The pod's status in ``phase``; timestamps already in the pod's status are kept."""
    old = pod.get("status") or {}
    started = str(old.get("startTime") or now)
    containers = list((pod.get("spec") or {}).get("containers") or [])
    ready = phase == "Running"
    status: dict[str, Any] = {
        "phase": phase,
        "hostIP": NODE_IP,
        "hostIPs": [{"ip": NODE_IP}],
        "startTime": started,
        "qosClass": "BestEffort",
        "conditions": _conditions(old, phase, now=now),
    }
    if phase != "Pending":
        ip = pod_ip(pod)
        status["podIP"] = ip
        status["podIPs"] = [{"ip": ip}]
    status["containerStatuses"] = [_container_status(c, phase, ready, now=now, old=old) for c in containers]
    return status


def _conditions(old: Mapping[str, Any], phase: Phase, *, now: str) -> list[dict[str, Any]]:
    previous = {c.get("type"): c for c in old.get("conditions") or []}
    running = phase == "Running"
    wanted = [
        ("PodReadyToStartContainers", phase != "Pending", None),
        ("Initialized", True, "PodCompleted" if phase == "Succeeded" else None),
        ("Ready", running, "PodCompleted" if phase == "Succeeded" else None if running else "ContainersNotReady"),
        ("ContainersReady", running, "PodCompleted" if phase == "Succeeded" else None if running else "ContainersNotReady"),
        ("PodScheduled", True, None),
    ]
    out: list[dict[str, Any]] = []
    for type_, ok, reason in wanted:
        status = "True" if ok else "False"
        before = previous.get(type_) or {}
        cond: dict[str, Any] = {
            "type": type_,
            "status": status,
            "lastProbeTime": None,
            "lastTransitionTime": before.get("lastTransitionTime") if before.get("status") == status else now,
        }
        if reason:
            cond["reason"] = reason
        out.append(cond)
    return out


def _container_status(container: Mapping[str, Any], phase: Phase, ready: bool, *, now: str,
                      old: Mapping[str, Any]) -> dict[str, Any]:
    name = str(container.get("name", ""))
    image = str(container.get("image", ""))
    previous: Mapping[str, Any] = next((c for c in old.get("containerStatuses") or [] if c.get("name") == name), {})
    state: dict[str, Any]
    if phase == "Pending":
        state = {"waiting": {"reason": "ContainerCreating"}}
    elif phase == "Running":
        started = ((previous.get("state") or {}).get("running") or {}).get("startedAt") or now
        state = {"running": {"startedAt": started}}
    else:
        state = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now, "finishedAt": now}}
    out: dict[str, Any] = {
        "name": name,
        "image": image,
        "imageID": f"{image}@sha256:{hashlib.sha256(image.encode()).hexdigest()}" if phase != "Pending" else "",
        "ready": ready,
        "restartCount": 0,
        "started": phase == "Running",
        "state": state,
    }
    if phase != "Pending":
        out["containerID"] = "simulated://" + hashlib.sha256(f"{name}/{now}".encode()).hexdigest()[:32]
        if previous.get("containerID") and phase == "Running" and "running" in (previous.get("state") or {}):
            out["containerID"] = previous["containerID"]
    return out


def safe_encode(text: str) -> str:
    """Kubernetes' name-safe encoding of a string (used for hashes in generated names)."""
    return "".join(SAFE_ALPHABET[b % len(SAFE_ALPHABET)] for b in text.encode())


def template_hash(template: Mapping[str, Any], collision_count: int = 0) -> str:
    """A ``pod-template-hash``-shaped digest of a pod template: FNV-1a over its canonical JSON."""
    data = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    h = 0x811C9DC5
    for byte in data + str(collision_count).encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return safe_encode(str(h))


def node_labels() -> dict[str, str]:
    """The simulated node's labels, as a kubelet sets them."""
    return {
        "kubernetes.io/hostname": NODE_NAME,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kro.run/simulated": "true",
    }


def node_status(now: str) -> dict[str, Any]:
    """The simulated node's status: Ready, with room for a thousand pods."""
    capacity = {"cpu": "32", "memory": "256Gi", "pods": "1000", "ephemeral-storage": "1Ti"}
    return {
        "phase": "Running",
        "capacity": capacity,
        "allocatable": dict(capacity),
        "addresses": [{"type": "InternalIP", "address": NODE_IP}, {"type": "Hostname", "address": NODE_NAME}],
        "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                        "message": "simulated node is ready", "lastHeartbeatTime": now, "lastTransitionTime": now}],
        "nodeInfo": {"kubeletVersion": "v1.32.0-simulated", "operatingSystem": "linux", "architecture": "amd64",
                     "containerRuntimeVersion": "simulated://0", "kernelVersion": "", "osImage": "simulated",
                     "kubeProxyVersion": "", "machineID": "", "systemUUID": "", "bootID": ""},
    }
