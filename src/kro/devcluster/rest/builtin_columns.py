"""The columns ``kubectl get`` shows for common built-in kinds, as kube-apiserver's table convertors
print them: the same names, order, types and ``priority`` (1: only with ``-o wide``), with cells
computed from the object. A column's declared type is kube-apiserver's even where its cells are
numbers (a ConfigMap's ``Data`` is a ``string`` column holding a count). Other built-in kinds show Name and Age."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kro.openapi.builtin import load_definitions

# A cell from the object and the time the table is rendered at.
Cell = Callable[[Mapping[str, Any], datetime], Any]


@dataclass(frozen=True)
class Column:
    name: str
    cell: Cell
    type: str = "string"
    priority: int = 0
    format: str = ""
    # The description: literal text, or ``<short definition>#<property>`` naming the API field
    # whose documentation kube-apiserver shows (``core.v1.Pod#status``).
    doc: str = ""


_CONTAINERS = "Names of each container in the template."
_IMAGES = "Images referenced by each container in the template."
_READY_PODS = "Number of the pod with ready state"


def _get(obj: Any, *path: str) -> Any:
    node: Any = obj
    for part in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def _int(obj: Mapping[str, Any], *path: str) -> int:
    value = _get(obj, *path)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _list(obj: Mapping[str, Any], *path: str) -> list[Any]:
    value = _get(obj, *path)
    return value if isinstance(value, list) else []


def _since(value: Any, now: datetime) -> str:
    from kro.devcluster.rest.table import age  # the table module owns time rendering

    return age(value, now) if isinstance(value, str) and value else "<unknown>"


def _age(obj: Mapping[str, Any], now: datetime) -> str:
    return _since(_get(obj, "metadata", "creationTimestamp"), now)


def _param_kind(obj: Mapping[str, Any], _: datetime) -> str:
    kind = _get(obj, "spec", "paramKind")
    return f"{kind.get('apiVersion', '')}/{kind.get('kind', '')}" if isinstance(kind, Mapping) else "<unset>"


def _param_ref(obj: Mapping[str, Any], _: datetime) -> str:
    ref = _get(obj, "spec", "paramRef")
    if not isinstance(ref, Mapping):
        return "<unset>"
    where = ref.get("namespace") or "*"
    return f"{where}/{ref.get('name') or '*'}"


def _created_at(obj: Mapping[str, Any], _: datetime) -> str:
    created = _get(obj, "metadata", "creationTimestamp")
    return str(created) if isinstance(created, str) else "0001-01-01T00:00:00Z"


def _name(obj: Mapping[str, Any], _: datetime) -> str:
    return str(_get(obj, "metadata", "name") or "")


def _text(*path: str, default: str = "<none>") -> Cell:
    def cell(obj: Mapping[str, Any], _: datetime) -> str:
        value = _get(obj, *path)
        return str(value) if value not in (None, "") else default

    return cell


def _count(*path: str) -> Cell:
    return lambda obj, _: _int(obj, *path)


def _ratio(ready: tuple[str, ...], total: tuple[str, ...]) -> Cell:
    def cell(obj: Mapping[str, Any], _: datetime) -> str:
        want = _get(obj, *total)
        return f"{_int(obj, *ready)}/{want if isinstance(want, int) else 1}"

    return cell


def _selector(*path: str) -> Cell:
    def cell(obj: Mapping[str, Any], _: datetime) -> str:
        sel = _get(obj, *path)
        labels = sel.get("matchLabels", sel) if isinstance(sel, Mapping) else {}
        rendered = ",".join(f"{k}={v}" for k, v in sorted(labels.items()) if isinstance(v, str))
        return rendered or "<none>"

    return cell


_MODES = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}


def access_modes(*path: str) -> Cell:
    """Access modes as kubectl abbreviates them (``RWO,ROX``), in kube-apiserver's fixed order."""

    def cell(obj: Mapping[str, Any], _: datetime) -> str:
        present = {str(m) for m in _list(obj, *path)}
        return ",".join(short for mode, short in _MODES.items() if mode in present)

    return cell


def _containers(field: str, *path: str) -> Cell:
    def cell(obj: Mapping[str, Any], _: datetime) -> str:
        return ",".join(str(c.get(field, "")) for c in _list(obj, *path) if isinstance(c, Mapping))

    return cell


def _wide_workload(*pod_spec: str, selector: str = "") -> list[Column]:
    cols = [Column("Containers", _containers("name", *pod_spec, "containers"), priority=1, doc=_CONTAINERS),
            Column("Images", _containers("image", *pod_spec, "containers"), priority=1, doc=_IMAGES)]
    if selector:
        cols.append(Column("Selector", _selector("spec", "selector"), priority=1, doc=f"{selector}#selector"))
    return cols


# Pods ----------------------------------------------------------------------------------------------


def _pod_ready(obj: Mapping[str, Any], _: datetime) -> str:
    ready = sum(1 for s in _list(obj, "status", "containerStatuses") if isinstance(s, Mapping) and s.get("ready"))
    return f"{ready}/{len(_list(obj, 'spec', 'containers'))}"


def _pod_status(obj: Mapping[str, Any], _: datetime) -> str:
    """The STATUS column: the phase, or the reason a container is waiting or terminated."""
    reason = str(_get(obj, "status", "reason") or _get(obj, "status", "phase") or "")
    for status in reversed(_list(obj, "status", "containerStatuses")):
        state = status.get("state") if isinstance(status, Mapping) else None
        waiting, terminated = _get(state, "waiting"), _get(state, "terminated")
        if isinstance(waiting, Mapping) and waiting.get("reason"):
            reason = str(waiting["reason"])
        elif isinstance(terminated, Mapping):
            reason = str(terminated.get("reason") or f"ExitCode:{terminated.get('exitCode', 0)}")
    if _get(obj, "metadata", "deletionTimestamp"):
        reason = "Terminating"
    return reason


def _pod_restarts(obj: Mapping[str, Any], now: datetime) -> str:
    statuses = [s for s in _list(obj, "status", "containerStatuses") if isinstance(s, Mapping)]
    restarts = sum(s["restartCount"] for s in statuses if isinstance(s.get("restartCount"), int))
    finished = [str(f) for s in statuses if (f := _get(s, "lastState", "terminated", "finishedAt"))]
    if restarts and finished:
        return f"{restarts} ({_since(max(finished), now)} ago)"
    return str(restarts)


def _pod_ip(obj: Mapping[str, Any], _: datetime) -> str:
    ips = _list(obj, "status", "podIPs")
    first = ips[0].get("ip") if ips and isinstance(ips[0], Mapping) else _get(obj, "status", "podIP")
    return str(first) if first else "<none>"


def _readiness_gates(obj: Mapping[str, Any], _: datetime) -> str:
    gates = [g.get("conditionType") for g in _list(obj, "spec", "readinessGates") if isinstance(g, Mapping)]
    if not gates:
        return "<none>"
    true = {c.get("type") for c in _list(obj, "status", "conditions") if isinstance(c, Mapping) and c.get("status") == "True"}
    return f"{sum(1 for g in gates if g in true)}/{len(gates)}"


# Services ------------------------------------------------------------------------------------------


def _service_ports(obj: Mapping[str, Any], _: datetime) -> str:
    rendered = [
        f"{p.get('port')}{':' + str(p['nodePort']) if p.get('nodePort') else ''}/{p.get('protocol', 'TCP')}"
        for p in _list(obj, "spec", "ports")
        if isinstance(p, Mapping)
    ]
    return ",".join(rendered) or "<none>"


def _cluster_ip(obj: Mapping[str, Any], _: datetime) -> str:
    ips = _list(obj, "spec", "clusterIPs")
    return str(ips[0]) if ips else "<none>"


def _external_ip(obj: Mapping[str, Any], _: datetime) -> str:
    kind = _get(obj, "spec", "type") or "ClusterIP"
    external = [str(ip) for ip in _list(obj, "spec", "externalIPs")]
    if kind == "ExternalName":
        return str(_get(obj, "spec", "externalName") or "")
    if kind != "LoadBalancer":
        return ",".join(external) or "<none>"
    ingress = sorted({str(i.get("ip") or i.get("hostname")) for i in _list(obj, "status", "loadBalancer", "ingress")
                      if isinstance(i, Mapping) and (i.get("ip") or i.get("hostname"))})
    return ",".join(ingress + external) or "<pending>"


# Jobs and events -----------------------------------------------------------------------------------


def _job_status(obj: Mapping[str, Any], _: datetime) -> str:
    conditions = {c.get("type"): c.get("status") for c in _list(obj, "status", "conditions") if isinstance(c, Mapping)}
    for kind, shown in (("Failed", "Failed"), ("Complete", "Complete"), ("Suspended", "Suspended"),
                        ("FailureTarget", "FailureTarget"), ("SuccessCriteriaMet", "SuccessCriteriaMet")):
        if conditions.get(kind) == "True":
            return shown
    return "Terminating" if _get(obj, "metadata", "deletionTimestamp") else "Running"


def _job_duration(obj: Mapping[str, Any], now: datetime) -> str:
    start, end = _get(obj, "status", "startTime"), _get(obj, "status", "completionTime")
    if not isinstance(start, str):
        return ""
    from kro.devcluster.rest.table import age

    if isinstance(end, str):
        try:
            return age(start, datetime.strptime(end, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=now.tzinfo))
        except ValueError:
            return ""
    return age(start, now)


def _event_last_seen(obj: Mapping[str, Any], now: datetime) -> str:
    seen = _get(obj, "lastTimestamp") or _get(obj, "eventTime") or _get(obj, "metadata", "creationTimestamp")
    return _since(str(seen)[:19] + "Z" if isinstance(seen, str) and len(seen) > 20 else seen, now)


def _event_object(obj: Mapping[str, Any], _: datetime) -> str:
    involved = _get(obj, "involvedObject") or {}
    return f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}"


def _event_source(obj: Mapping[str, Any], _: datetime) -> str:
    component = _get(obj, "source", "component") or _get(obj, "reportingComponent") or ""
    host = _get(obj, "source", "host")
    return f"{component}, {host}" if host else str(component)


def _first_seen(obj: Mapping[str, Any], now: datetime) -> str:
    return _since(_get(obj, "firstTimestamp") or _get(obj, "metadata", "creationTimestamp"), now)


_NAME_DOC = "meta.v1.ObjectMeta#name"
NAME = Column("Name", _name, format="name", doc=_NAME_DOC)
AGE = Column("Age", _age, doc="meta.v1.ObjectMeta#creationTimestamp")


@functools.cache
def describe(doc: str) -> str:
    """A column's description: its literal text, or the documentation of the API field it names."""
    if "#" not in doc:
        return doc
    definition, prop = doc.split("#", 1)
    prefix = "io.k8s.apimachinery.pkg.apis." if definition.startswith("meta.") else "io.k8s.api."
    props = (load_definitions().get(prefix + definition) or {}).get("properties") or {}
    return str((props.get(prop) or {}).get("description") or "")

BUILTIN_COLUMNS: dict[tuple[str, str], list[Column]] = {
    ("", "Pod"): [
        NAME, Column("Ready", _pod_ready, doc="The aggregate readiness state of this pod for accepting traffic."),
        Column("Status", _pod_status, doc="The aggregate status of the containers in this pod."),
        Column("Restarts", _pod_restarts, doc="The number of times the containers in this pod have been restarted "
               "and when the last container in this pod has restarted."), AGE,
        Column("IP", _pod_ip, priority=1, doc="core.v1.PodStatus#podIP"),
        Column("Node", _text("spec", "nodeName"), priority=1, doc="core.v1.PodSpec#nodeName"),
        Column("Nominated Node", _text("status", "nominatedNodeName"), priority=1, doc="core.v1.PodStatus#nominatedNodeName"),
        Column("Readiness Gates", _readiness_gates, priority=1, doc="core.v1.PodSpec#readinessGates"),
    ],
    ("", "Service"): [
        NAME, Column("Type", _text("spec", "type", default="ClusterIP"), doc="core.v1.ServiceSpec#type"),
        Column("Cluster-IP", _cluster_ip, doc="core.v1.ServiceSpec#clusterIP"),
        Column("External-IP", _external_ip, doc="core.v1.ServiceSpec#externalIPs"),
        Column("Port(s)", _service_ports, doc="core.v1.ServiceSpec#ports"), AGE,
        Column("Selector", _selector("spec", "selector"), priority=1, doc="core.v1.ServiceSpec#selector"),
    ],
    ("", "Namespace"): [NAME, Column("Status", _text("status", "phase", default=""), doc="The status of the namespace"), AGE],
    ("", "ConfigMap"): [
        NAME, Column("Data", lambda o, _: len(o.get("data") or {}) + len(o.get("binaryData") or {}), doc="core.v1.ConfigMap#data"), AGE,
    ],
    ("", "Secret"): [
        NAME, Column("Type", _text("type", default=""), doc="core.v1.Secret#type"),
        Column("Data", lambda o, _: len(o.get("data") or {}), doc="core.v1.Secret#data"), AGE,
    ],
    ("", "ServiceAccount"): [NAME, Column("Secrets", lambda o, _: len(o.get("secrets") or []), doc="core.v1.ServiceAccount#secrets"), AGE],
    ("", "PersistentVolumeClaim"): [
        NAME, Column("Status", _text("status", "phase", default="Pending"), doc="core.v1.PersistentVolumeClaimStatus#phase"),
        Column("Volume", _text("spec", "volumeName", default=""), doc="core.v1.PersistentVolumeClaimSpec#volumeName"),
        Column("Capacity", _text("status", "capacity", "storage", default=""), doc="core.v1.PersistentVolumeClaimStatus#capacity"),
        Column("Access Modes", access_modes("status", "accessModes"), doc="core.v1.PersistentVolumeClaimStatus#accessModes"),
        Column("StorageClass", _text("spec", "storageClassName", default="<unset>"), doc="StorageClass of the pvc"),
        Column("VolumeAttributesClass", _text("spec", "volumeAttributesClassName", default="<unset>"),
               doc="VolumeAttributesClass of the pvc"), AGE,
        Column("VolumeMode", _text("spec", "volumeMode", default="Filesystem"), priority=1, doc="core.v1.PersistentVolumeClaimSpec#volumeMode"),
    ],
    ("", "Event"): [
        Column("Last Seen", _event_last_seen, doc="core.v1.Event#lastTimestamp"), Column("Type", _text("type", default=""), doc="core.v1.Event#type"),
        Column("Reason", _text("reason", default=""), doc="core.v1.Event#reason"), Column("Object", _event_object, doc="core.v1.Event#involvedObject"),
        Column("Subobject", _text("involvedObject", "fieldPath", default=""), priority=1, doc="core.v1.ObjectReference#fieldPath"),
        Column("Source", _event_source, priority=1, doc="core.v1.Event#source"),
        Column("Message", _text("message", default=""), doc="core.v1.Event#message"),
        Column("First Seen", _first_seen, priority=1, doc="core.v1.Event#firstTimestamp"),
        Column("Count", _count("count"), priority=1, doc="core.v1.Event#count"),
        Column("Name", _name, priority=1, format="name", doc=_NAME_DOC),
    ],
    ("apps", "Deployment"): [
        NAME, Column("Ready", _ratio(("status", "readyReplicas"), ("spec", "replicas")), doc=_READY_PODS),
        Column("Up-to-date", _count("status", "updatedReplicas"), doc="apps.v1.DeploymentStatus#updatedReplicas"),
        Column("Available", _count("status", "availableReplicas"), doc="apps.v1.DeploymentStatus#availableReplicas"), AGE,
        *_wide_workload("spec", "template", "spec", selector="apps.v1.DeploymentSpec"),
    ],
    ("apps", "ReplicaSet"): [
        NAME, Column("Desired", _count("spec", "replicas"), "integer", doc="apps.v1.ReplicaSetSpec#replicas"),
        Column("Current", _count("status", "replicas"), "integer", doc="apps.v1.ReplicaSetStatus#replicas"),
        Column("Ready", _count("status", "readyReplicas"), "integer", doc="apps.v1.ReplicaSetStatus#readyReplicas"), AGE,
        *_wide_workload("spec", "template", "spec", selector="apps.v1.ReplicaSetSpec"),
    ],
    ("apps", "StatefulSet"): [
        NAME, Column("Ready", _ratio(("status", "readyReplicas"), ("spec", "replicas")), doc=_READY_PODS), AGE,
        *_wide_workload("spec", "template", "spec"),
    ],
    ("apps", "DaemonSet"): [
        NAME, Column("Desired", _count("status", "desiredNumberScheduled"), "integer", doc="apps.v1.DaemonSetStatus#desiredNumberScheduled"),
        Column("Current", _count("status", "currentNumberScheduled"), "integer", doc="apps.v1.DaemonSetStatus#currentNumberScheduled"),
        Column("Ready", _count("status", "numberReady"), "integer", doc="apps.v1.DaemonSetStatus#numberReady"),
        Column("Up-to-date", _count("status", "updatedNumberScheduled"), "integer", doc="apps.v1.DaemonSetStatus#updatedNumberScheduled"),
        Column("Available", _count("status", "numberAvailable"), "integer", doc="apps.v1.DaemonSetStatus#numberAvailable"),
        Column("Node Selector", _selector("spec", "template", "spec", "nodeSelector"), doc="core.v1.PodSpec#nodeSelector"), AGE,
        *_wide_workload("spec", "template", "spec", selector="apps.v1.DaemonSetSpec"),
    ],
    ("batch", "Job"): [
        NAME, Column("Status", _job_status, doc="Status of the job."),
        Column("Completions", _ratio(("status", "succeeded"), ("spec", "completions")), doc="batch.v1.JobStatus#succeeded"),
        Column("Duration", _job_duration, doc="Time required to complete the job."), AGE,
        *_wide_workload("spec", "template", "spec", selector="batch.v1.JobSpec"),
    ],
    # kube-apiserver's default table (no printer of its own): the creation time, not an age.
    ("apiextensions.k8s.io", "CustomResourceDefinition"): [NAME, Column("Created At", _created_at, "date", doc=AGE.doc)],
    ("rbac.authorization.k8s.io", "ClusterRole"): [NAME, Column("Created At", _created_at, "date", doc=AGE.doc)],
    ("rbac.authorization.k8s.io", "Role"): [NAME, Column("Created At", _created_at, "date", doc=AGE.doc)],
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"): [
        NAME, Column("Validations", lambda o, _: len(_list(o, "spec", "validations")), "integer",
                     doc="Validations indicates the number of validation rules defined in this configuration"),
        Column("ParamKind", _param_kind, doc="ParamKind specifies the kind of resources used to parameterize this policy"), AGE,
    ],
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"): [
        NAME, Column("PolicyName", _text("spec", "policyName", default=""),
                     doc="PolicyName indicates the policy definition which the policy binding binded to"),
        Column("ParamRef", _param_ref, doc="ParamRef indicates the param resource which sets the configration param"), AGE,
    ],
}
