"""The columns ``kubectl get`` shows for common built-in kinds (as kube-apiserver's table
convertors print them), computed from the object; other built-in kinds show Name and Age."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Cell = Callable[[Mapping[str, Any]], Any]
Column = tuple[str, str, Cell]  # name, type, cell function


def _get(obj: Mapping[str, Any], *path: str) -> Any:
    node: Any = obj
    for part in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def _int(obj: Mapping[str, Any], *path: str) -> int:
    value = _get(obj, *path)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _ratio(ready: tuple[str, ...], total: tuple[str, ...], default_total: int = 1) -> Cell:
    def cell(obj: Mapping[str, Any]) -> str:
        want = _get(obj, *total)
        return f"{_int(obj, *ready)}/{want if isinstance(want, int) else default_total}"

    return cell


def _pod_ready(obj: Mapping[str, Any]) -> str:
    statuses = _get(obj, "status", "containerStatuses") or []
    containers = _get(obj, "spec", "containers") or []
    ready = sum(1 for s in statuses if isinstance(s, Mapping) and s.get("ready"))
    return f"{ready}/{len(containers)}"


def _pod_restarts(obj: Mapping[str, Any]) -> int:
    statuses = _get(obj, "status", "containerStatuses") or []
    return sum(s.get("restartCount", 0) for s in statuses if isinstance(s, Mapping) and isinstance(s.get("restartCount"), int))


def _service_ports(obj: Mapping[str, Any]) -> str:
    ports = _get(obj, "spec", "ports") or []
    rendered = [
        f"{p.get('port')}{':' + str(p['nodePort']) if p.get('nodePort') else ''}/{p.get('protocol', 'TCP')}"
        for p in ports
        if isinstance(p, Mapping)
    ]
    return ",".join(rendered) or "<none>"


def _external_ip(obj: Mapping[str, Any]) -> str:
    ingress = _get(obj, "status", "loadBalancer", "ingress") or []
    ips = [str(i.get("ip") or i.get("hostname")) for i in ingress if isinstance(i, Mapping)]
    return ",".join(ips) or ("<pending>" if _get(obj, "spec", "type") == "LoadBalancer" else "<none>")


def _text(*path: str, default: str = "<none>") -> Cell:
    def cell(obj: Mapping[str, Any]) -> str:
        value = _get(obj, *path)
        return str(value) if value not in (None, "") else default

    return cell


def _count(*path: str) -> Cell:
    return lambda obj: _int(obj, *path)


BUILTIN_COLUMNS: dict[tuple[str, str], list[Column]] = {
    ("", "Namespace"): [("Status", "string", _text("status", "phase", default=""))],
    ("", "Pod"): [
        ("Ready", "string", _pod_ready),
        ("Status", "string", _text("status", "phase", default="Pending")),
        ("Restarts", "integer", _pod_restarts),
    ],
    ("", "Service"): [
        ("Type", "string", _text("spec", "type", default="ClusterIP")),
        ("Cluster-IP", "string", _text("spec", "clusterIP")),
        ("External-IP", "string", _external_ip),
        ("Port(s)", "string", _service_ports),
    ],
    ("", "PersistentVolumeClaim"): [("Status", "string", _text("status", "phase", default="Pending"))],
    ("apps", "Deployment"): [
        ("Ready", "string", _ratio(("status", "readyReplicas"), ("spec", "replicas"))),
        ("Up-to-date", "integer", _count("status", "updatedReplicas")),
        ("Available", "integer", _count("status", "availableReplicas")),
    ],
    ("apps", "ReplicaSet"): [
        ("Desired", "integer", lambda o: _get(o, "spec", "replicas") if isinstance(_get(o, "spec", "replicas"), int) else 1),
        ("Current", "integer", _count("status", "replicas")),
        ("Ready", "integer", _count("status", "readyReplicas")),
    ],
    ("apps", "StatefulSet"): [("Ready", "string", _ratio(("status", "readyReplicas"), ("spec", "replicas")))],
    ("apps", "DaemonSet"): [
        ("Desired", "integer", _count("status", "desiredNumberScheduled")),
        ("Ready", "integer", _count("status", "numberReady")),
    ],
    ("batch", "Job"): [("Completions", "string", _ratio(("status", "succeeded"), ("spec", "completions")))],
}
