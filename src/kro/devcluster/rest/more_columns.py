"""kube-apiserver's table columns for the remaining built-in kinds the local server serves (cluster
resources, networking, scheduling, RBAC bindings, autoscaling): names, order, types, ``-o wide``
columns and how each cell is printed. Merged into :data:`~kro.devcluster.rest.builtin_columns.BUILTIN_COLUMNS`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from kro.devcluster.rest.builtin_columns import (
    AGE,
    NAME,
    Column,
    _containers,
    _get,
    _list,
    _since,
    _text,
    access_modes,
)


def _bool(*path: str, unset: str = "<unset>") -> Any:
    def cell(obj: Mapping[str, Any], _: datetime) -> str:
        value = _get(obj, *path)
        return ("True" if value else "False") if isinstance(value, bool) else unset

    return cell


def _label_selector(*path: str) -> Any:
    """``metav1.FormatLabelSelector``: ``k=v,k2 in (a,b)``; ``<none>`` when it selects everything."""

    def cell(obj: Mapping[str, Any], _: datetime) -> str:
        sel = _get(obj, *path)
        if not isinstance(sel, Mapping):
            return "<none>"
        parts = [f"{k}={v}" for k, v in sorted((sel.get("matchLabels") or {}).items())]
        ops = {"In": "in", "NotIn": "notin"}
        for e in sel.get("matchExpressions") or []:
            op, key = e.get("operator"), e.get("key")
            if op in ops:
                parts.append(f"{key} {ops[op]} ({','.join(sorted(e.get('values') or []))})")
            else:
                parts.append(str(key) if op == "Exists" else f"!{key}")
        return ",".join(parts) or "<none>"

    return cell


def _cron_last(obj: Mapping[str, Any], now: datetime) -> str:
    last = _get(obj, "status", "lastScheduleTime")
    return _since(last, now) if last else "<none>"


def _ingress_hosts(obj: Mapping[str, Any], _: datetime) -> str:
    hosts = [str(r["host"]) for r in _list(obj, "spec", "rules") if isinstance(r, Mapping) and r.get("host")]
    if not hosts:
        return "*"
    shown = ",".join(hosts[:3])
    return shown + (f" + {len(hosts) - 3} more..." if len(hosts) > 3 else "")


def _lb_address(obj: Mapping[str, Any], _: datetime) -> str:
    found = [str(i.get("ip") or i.get("hostname")) for i in _list(obj, "status", "loadBalancer", "ingress")
             if isinstance(i, Mapping) and (i.get("ip") or i.get("hostname"))]  # fmt: skip
    return ",".join(sorted(set(found)))


def _ingress_ports(obj: Mapping[str, Any], _: datetime) -> str:
    return "80, 443" if _list(obj, "spec", "tls") else "80"


def _class_parameters(obj: Mapping[str, Any], _: datetime) -> str:
    p = _get(obj, "spec", "parameters")
    if not isinstance(p, Mapping):
        return "<none>"
    group = p.get("apiGroup")
    return f"{p.get('kind')}.{group}/{p.get('name')}" if group else f"{p.get('kind')}/{p.get('name')}"


def _hpa_reference(obj: Mapping[str, Any], _: datetime) -> str:
    ref = _get(obj, "spec", "scaleTargetRef") or {}
    return f"{ref.get('kind', '')}/{ref.get('name', '')}"


def _hpa_targets(obj: Mapping[str, Any], _: datetime) -> str:
    specs = [m for m in _list(obj, "spec", "metrics") if isinstance(m, Mapping)]
    if not specs:
        return "<none>"
    shown = []
    for m in specs:
        target = _get(m, "resource", "target") or {}
        name = _get(m, "resource", "name")
        if m.get("type") == "Resource" and isinstance(target, Mapping) and "averageUtilization" in target:
            shown.append(f"{name}: <unknown>/{target['averageUtilization']}%")
        elif m.get("type") == "Resource" and isinstance(target, Mapping) and "averageValue" in target:
            shown.append(f"{name}: <unknown>/{target['averageValue']}")
        else:
            shown.append("<unknown>/<unknown>")
    text = ", ".join(shown[:2])
    return text + (f" + {len(shown) - 2} more..." if len(shown) > 2 else "")


def _int_or_unset(*path: str, unset: str | int = "<unset>") -> Any:
    def cell(obj: Mapping[str, Any], _: datetime) -> Any:
        value = _get(obj, *path)
        return value if isinstance(value, int) and not isinstance(value, bool) else unset

    return cell


def _int(*path: str) -> Any:
    return _int_or_unset(*path, unset=0)


def _pdb(field: str) -> Any:
    def cell(obj: Mapping[str, Any], _: datetime) -> str:
        value = _get(obj, "spec", field)
        return str(value) if value is not None else "N/A"

    return cell


def _role_ref(obj: Mapping[str, Any], _: datetime) -> str:
    ref = obj.get("roleRef") or {}
    return f"{ref.get('kind', '')}/{ref.get('name', '')}"


def _subjects(kind: str) -> Any:
    def cell(obj: Mapping[str, Any], _: datetime) -> str:
        names = []
        for s in _list(obj, "subjects"):
            if isinstance(s, Mapping) and s.get("kind") == kind:
                names.append(f"{s.get('namespace', '')}/{s.get('name', '')}" if kind == "ServiceAccount" else str(s.get("name")))
        return ", ".join(names)

    return cell


def _node_status(obj: Mapping[str, Any], _: datetime) -> str:
    ready = next((c for c in _list(obj, "status", "conditions") if isinstance(c, Mapping) and c.get("type") == "Ready"), None)
    status = "Unknown" if ready is None else ("Ready" if ready.get("status") == "True" else "NotReady")
    return status + (",SchedulingDisabled" if _get(obj, "spec", "unschedulable") else "")


def _node_roles(obj: Mapping[str, Any], _: datetime) -> str:
    labels = _get(obj, "metadata", "labels") or {}
    roles = {k.removeprefix("node-role.kubernetes.io/") for k in labels if k.startswith("node-role.kubernetes.io/")}
    if labels.get("kubernetes.io/role"):
        roles.add(str(labels["kubernetes.io/role"]))
    return ",".join(sorted(r for r in roles if r)) or "<none>"


def _node_address(kind: str) -> Any:
    def cell(obj: Mapping[str, Any], _: datetime) -> str:
        found = [str(a.get("address")) for a in _list(obj, "status", "addresses") if isinstance(a, Mapping) and a.get("type") == kind]
        return found[0] if found else "<none>"

    return cell


def _pv_claim(obj: Mapping[str, Any], _: datetime) -> str:
    ref = _get(obj, "spec", "claimRef")
    return f"{ref.get('namespace', '')}/{ref.get('name', '')}" if isinstance(ref, Mapping) else ""


def _endpoints(obj: Mapping[str, Any], _: datetime) -> str:
    shown: list[str] = []
    total = 0
    for subset in _list(obj, "subsets"):
        ports = [p.get("port") for p in (subset.get("ports") or [])] or [None]
        for address in subset.get("addresses") or []:
            for port in ports:
                total += 1
                if len(shown) < 3:
                    shown.append(f"{address.get('ip')}:{port}" if port is not None else str(address.get("ip")))
    if not total:
        return "<none>"
    return ",".join(shown) + (f" + {total - 3} more..." if total > 3 else "")


def _controller(obj: Mapping[str, Any], _: datetime) -> str:
    """The controlling owner as ``kind.group/name`` (``statefulset.apps/db``)."""
    ref = next((r for r in _list(obj, "metadata", "ownerReferences") if isinstance(r, Mapping) and r.get("controller")), None)
    if ref is None:
        return "<none>"
    group = str(ref.get("apiVersion", "")).rpartition("/")[0]
    kind = str(ref.get("kind", "")).lower()
    return f"{kind}.{group}/{ref.get('name', '')}" if group else f"{kind}/{ref.get('name', '')}"


MORE_COLUMNS: dict[tuple[str, str], list[Column]] = {
    ("apps", "ControllerRevision"): [
        NAME, Column("Controller", _controller, doc="Controller of the object"),
        Column("Revision", _int("revision"), "integer", doc="apps.v1.ControllerRevision#revision"), AGE,
    ],
    ("batch", "CronJob"): [
        NAME, Column("Schedule", _text("spec", "schedule", default=""), doc="batch.v1.CronJobSpec#schedule"),
        Column("Timezone", _text("spec", "timeZone"), doc="batch.v1.CronJobSpec#timeZone"),
        Column("Suspend", _bool("spec", "suspend"), "boolean", doc="batch.v1.CronJobSpec#suspend"),
        Column("Active", lambda o, _: len(_list(o, "status", "active")), "integer", doc="batch.v1.CronJobStatus#active"),
        Column("Last Schedule", _cron_last, doc="batch.v1.CronJobStatus#lastScheduleTime"), AGE,
        Column("Containers", _containers("name", "spec", "jobTemplate", "spec", "template", "spec", "containers"), priority=1,
               doc="Names of each container in the template."),
        Column("Images", _containers("image", "spec", "jobTemplate", "spec", "template", "spec", "containers"), priority=1,
               doc="Images referenced by each container in the template."),
        Column("Selector", _label_selector("spec", "jobTemplate", "spec", "selector"), priority=1, doc="batch.v1.JobSpec#selector"),
    ],
    ("networking.k8s.io", "Ingress"): [
        NAME, Column("Class", _text("spec", "ingressClassName"),
                     doc="The name of the IngressClass resource that should be used for additional configuration"),
        Column("Hosts", _ingress_hosts, doc="Hosts that incoming requests are matched against before the ingress rule"),
        Column("Address", _lb_address, doc="Address is a list containing ingress points for the load-balancer"),
        Column("Ports", _ingress_ports, doc="Ports of TLS configurations that open"), AGE,
    ],
    ("networking.k8s.io", "IngressClass"): [
        NAME, Column("Controller", _text("spec", "controller", default=""), doc="Controller that is responsible for handling this class"),
        Column("Parameters", _class_parameters, doc="A reference to a resource with additional parameters"), AGE,
    ],
    ("networking.k8s.io", "NetworkPolicy"): [
        NAME, Column("Pod-Selector", _label_selector("spec", "podSelector"), doc="networking.v1.NetworkPolicySpec#podSelector"), AGE,
    ],
    ("autoscaling", "HorizontalPodAutoscaler"): [
        NAME, Column("Reference", _hpa_reference, doc="autoscaling.v2.HorizontalPodAutoscalerSpec#scaleTargetRef"),
        Column("Targets", _hpa_targets, doc="autoscaling.v2.HorizontalPodAutoscalerSpec#metrics"),
        Column("MinPods", _int_or_unset("spec", "minReplicas"), doc="autoscaling.v2.HorizontalPodAutoscalerSpec#minReplicas"),
        Column("MaxPods", _int("spec", "maxReplicas"), doc="autoscaling.v2.HorizontalPodAutoscalerSpec#maxReplicas"),
        Column("Replicas", _int("status", "currentReplicas"), doc="autoscaling.v2.HorizontalPodAutoscalerStatus#currentReplicas"), AGE,
    ],
    ("policy", "PodDisruptionBudget"): [
        NAME, Column("Min Available", _pdb("minAvailable"), doc="The minimum number of pods that must be available."),
        Column("Max Unavailable", _pdb("maxUnavailable"), doc="The maximum number of pods that may be unavailable."),
        Column("Allowed Disruptions", _int("status", "disruptionsAllowed"), "integer",
               doc="Calculated number of pods that may be disrupted at this time."), AGE,
    ],
    ("coordination.k8s.io", "Lease"): [NAME, Column("Holder", _text("spec", "holderIdentity", default=""), doc="coordination.v1.LeaseSpec#holderIdentity"), AGE],
    ("scheduling.k8s.io", "PriorityClass"): [
        NAME, Column("Value", _int("value"), "integer", doc="scheduling.v1.PriorityClass#value"),
        Column("Global-Default", lambda o, _: bool(o.get("globalDefault")), "boolean", doc="scheduling.v1.PriorityClass#globalDefault"), AGE,
        Column("PreemptionPolicy", _text("preemptionPolicy", default="PreemptLowerPriority"), doc="scheduling.v1.PriorityClass#preemptionPolicy"),
    ],
    ("storage.k8s.io", "StorageClass"): [
        NAME, Column("Provisioner", _text("provisioner", default=""), doc="storage.v1.StorageClass#provisioner"),
        Column("ReclaimPolicy", _text("reclaimPolicy", default="Delete"), doc="storage.v1.StorageClass#reclaimPolicy"),
        Column("VolumeBindingMode", _text("volumeBindingMode", default="Immediate"), doc="storage.v1.StorageClass#volumeBindingMode"),
        Column("AllowVolumeExpansion", lambda o, _: bool(o.get("allowVolumeExpansion")), doc="storage.v1.StorageClass#allowVolumeExpansion"), AGE,
    ],
    ("", "Node"): [
        NAME, Column("Status", _node_status, doc="The status of the node"), Column("Roles", _node_roles, doc="The roles of the node"), AGE,
        Column("Version", _text("status", "nodeInfo", "kubeletVersion", default=""), doc="core.v1.NodeSystemInfo#kubeletVersion"),
        Column("Internal-IP", _node_address("InternalIP"), priority=1, doc="core.v1.NodeStatus#addresses"),
        Column("External-IP", _node_address("ExternalIP"), priority=1, doc="core.v1.NodeStatus#addresses"),
        Column("OS-Image", _text("status", "nodeInfo", "osImage", default="<unknown>"), priority=1, doc="core.v1.NodeSystemInfo#osImage"),
        Column("Kernel-Version", _text("status", "nodeInfo", "kernelVersion", default="<unknown>"), priority=1,
               doc="core.v1.NodeSystemInfo#kernelVersion"),
        Column("Container-Runtime", _text("status", "nodeInfo", "containerRuntimeVersion", default="<unknown>"), priority=1,
               doc="core.v1.NodeSystemInfo#containerRuntimeVersion"),
    ],
    ("", "PersistentVolume"): [
        NAME, Column("Capacity", _text("spec", "capacity", "storage", default=""), doc="core.v1.PersistentVolumeSpec#capacity"),
        Column("Access Modes", access_modes("spec", "accessModes"), doc="core.v1.PersistentVolumeSpec#accessModes"),
        Column("Reclaim Policy", _text("spec", "persistentVolumeReclaimPolicy", default=""),
               doc="core.v1.PersistentVolumeSpec#persistentVolumeReclaimPolicy"),
        Column("Status", _text("status", "phase", default=""), doc="core.v1.PersistentVolumeStatus#phase"),
        Column("Claim", _pv_claim, doc="core.v1.PersistentVolumeSpec#claimRef"),
        Column("StorageClass", _text("spec", "storageClassName", default=""), doc="StorageClass of the pv"),
        Column("VolumeAttributesClass", _text("spec", "volumeAttributesClassName", default="<unset>"), doc="VolumeAttributesClass of the pv"),
        Column("Reason", _text("status", "reason", default=""), doc="core.v1.PersistentVolumeStatus#reason"), AGE,
        Column("VolumeMode", _text("spec", "volumeMode", default="Filesystem"), priority=1, doc="core.v1.PersistentVolumeSpec#volumeMode"),
    ],
    ("", "Endpoints"): [NAME, Column("Endpoints", _endpoints, doc="core.v1.Endpoints#subsets"), AGE],
}
for _kind in ("RoleBinding", "ClusterRoleBinding"):
    MORE_COLUMNS[("rbac.authorization.k8s.io", _kind)] = [
        NAME, Column("Role", _role_ref, doc=f"rbac.v1.{_kind}#roleRef"), AGE,
        Column("Users", _subjects("User"), priority=1, doc=f"Users in the {_kind[0].lower() + _kind[1:]}"),
        Column("Groups", _subjects("Group"), priority=1, doc=f"Groups in the {_kind[0].lower() + _kind[1:]}"),
        Column("ServiceAccounts", _subjects("ServiceAccount"), priority=1, doc=f"ServiceAccounts in the {_kind[0].lower() + _kind[1:]}"),
    ]
