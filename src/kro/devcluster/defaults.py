"""Defaulting and normalisation kube-apiserver applies to common built-in kinds on every write.

Only fields other code reads back are filled: a Secret's ``stringData`` is merged into ``data``
(base64) and dropped, a Secret's ``type``; a Service's ``type``, ``sessionAffinity`` and each port's
``protocol`` and ``targetPort``; a workload's ``replicas``, ``revisionHistoryLimit``,
``progressDeadlineSeconds`` and update strategy; a pod template's ``restartPolicy``,
``dnsPolicy``, ``terminationGracePeriodSeconds``, ``schedulerName`` and each container's
``imagePullPolicy`` and port ``protocol``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

Obj = dict[str, Any]


def _dict(parent: Obj, key: str) -> Obj | None:
    value = parent.get(key)
    return value if isinstance(value, dict) else None


def _secret(obj: Obj) -> None:
    obj.setdefault("type", "Opaque")
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        data: Obj = _dict(obj, "data") or {}
        for key, value in string_data.items():
            if isinstance(value, str):
                data[key] = base64.b64encode(value.encode()).decode()
        obj["data"] = data


def _ports(ports: Any, *, target: bool) -> None:
    for port in ports if isinstance(ports, list) else []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            if target and "port" in port:
                port.setdefault("targetPort", port["port"])


def _service(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    if spec is None:
        return
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    _ports(spec.get("ports"), target=True)


def _image_pull_policy(image: Any) -> str:
    name = str(image or "").rsplit("/", 1)[-1]
    if "@" in name:
        return "IfNotPresent"
    return "Always" if ":" not in name or name.endswith(":latest") else "IfNotPresent"


def _pod_spec(spec: Obj | None, *, restart: str = "Always") -> None:
    if spec is None:
        return
    spec.setdefault("restartPolicy", restart)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("schedulerName", "default-scheduler")
    for key in ("containers", "initContainers"):
        containers = spec.get(key)
        for c in containers if isinstance(containers, list) else []:
            if isinstance(c, dict):
                c.setdefault("imagePullPolicy", _image_pull_policy(c.get("image")))
                _ports(c.get("ports"), target=False)


def _template(spec: Obj, *, restart: str = "Always") -> None:
    template = _dict(spec, "template")
    if template is not None:
        _pod_spec(_dict(template, "spec"), restart=restart)


def _deployment(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    if spec is None:
        return
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    strategy = spec.get("strategy")
    if not isinstance(strategy, dict):
        strategy = spec["strategy"] = {}
    strategy.setdefault("type", "RollingUpdate")  # an empty strategy ({} from typed clients) too
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if not isinstance(rolling, dict):
            rolling = strategy["rollingUpdate"] = {}
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    _template(spec)


def _statefulset(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    if spec is None:
        return
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    update = spec.get("updateStrategy")
    if not isinstance(update, dict):
        update = spec["updateStrategy"] = {}
    update.setdefault("type", "RollingUpdate")
    if update["type"] == "RollingUpdate":
        rolling = update.get("rollingUpdate")
        if not isinstance(rolling, dict):
            rolling = update["rollingUpdate"] = {}
        rolling.setdefault("partition", 0)
    _template(spec)


def _daemonset(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    if spec is None:
        return
    spec.setdefault("revisionHistoryLimit", 10)
    update = spec.get("updateStrategy")
    if not isinstance(update, dict):
        update = spec["updateStrategy"] = {}
    update.setdefault("type", "RollingUpdate")
    if update["type"] == "RollingUpdate":
        rolling = update.get("rollingUpdate")
        if not isinstance(rolling, dict):
            rolling = update["rollingUpdate"] = {}
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    _template(spec)


def _replicaset(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    if spec is not None:
        spec.setdefault("replicas", 1)
        _template(spec)


def _job(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    if spec is not None:
        spec.setdefault("backoffLimit", 6)
        spec.setdefault("completions", 1)
        spec.setdefault("parallelism", 1)
        _template(spec, restart="Never")


def _qos_class(spec: Obj | None) -> str:
    """The Pod's QoS class, from its containers' requests and limits (as kube-apiserver sets it)."""
    containers = [c for key in ("containers", "initContainers") for c in (spec or {}).get(key) or [] if isinstance(c, dict)]
    resources: list[dict[str, Any]] = [r if isinstance(r := c.get("resources"), dict) else {} for c in containers]
    if not any(r.get("requests") or r.get("limits") for r in resources):
        return "BestEffort"
    for r in resources:
        limits, requests = r.get("limits") or {}, r.get("requests") or {}
        if any(limits.get(k) is None or requests.get(k, limits[k]) != limits[k] for k in ("cpu", "memory")):
            return "Burstable"
    return "Guaranteed"


def _pod(obj: Obj) -> None:
    spec = _dict(obj, "spec")
    _pod_spec(spec)
    if "status" not in obj:
        # A new Pod starts Pending (its status is the server's: a create's own status was dropped).
        obj["status"] = {"phase": "Pending", "qosClass": _qos_class(spec)}


def _namespace(obj: Obj) -> None:
    meta = obj.setdefault("metadata", {})
    name = meta.get("name")
    if isinstance(name, str) and name:
        labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
        labels["kubernetes.io/metadata.name"] = name
        meta["labels"] = labels


def _hpa(obj: Obj) -> None:
    """autoscaling/v2: ``minReplicas`` 1 and, with no metrics, 80% average CPU utilization."""
    spec = _dict(obj, "spec")
    if spec is None:
        return
    spec.setdefault("minReplicas", 1)
    if not spec.get("metrics"):
        spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]


_DEFAULTERS: dict[tuple[str, str], Callable[[Obj], None]] = {
    ("", "Namespace"): _namespace,
    ("", "Secret"): _secret,
    ("", "Service"): _service,
    ("", "Pod"): _pod,
    ("apps", "Deployment"): _deployment,
    ("apps", "StatefulSet"): _statefulset,
    ("apps", "ReplicaSet"): _replicaset,
    ("apps", "DaemonSet"): _daemonset,
    ("batch", "Job"): _job,
    ("autoscaling", "HorizontalPodAutoscaler"): _hpa,
}


def apply_builtin_defaults(group: str, kind: str, obj: Obj) -> None:
    """Fill ``obj`` (a built-in kind's object) in place."""
    defaulter = _DEFAULTERS.get((group, kind))
    if defaulter is not None:
        defaulter(obj)
