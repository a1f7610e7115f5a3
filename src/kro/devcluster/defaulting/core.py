"""Defaults of the core group (``pkg/apis/core/v1/defaults.go`` and the generated defaulters), plus
what kube-apiserver's default admission plugins add to a new Pod (service account, priority,
not-ready/unreachable tolerations)."""

from __future__ import annotations

import base64
from typing import Any

from kro.devcluster.defaulting.engine import Obj, StructType, computed, const, each, one, template_meta

TERMINATION_MESSAGE_PATH = "/dev/termination-log"
DEFAULT_FILE_MODE = 420  # 0644
_VOLUME_SOURCE_MODES = ("secret", "configMap", "downwardAPI", "projected")


def image_pull_policy(container: Obj) -> str:
    """``Always`` for a ``:latest`` image or one without tag (Docker's default tag), else
    ``IfNotPresent`` (an image pinned by digest only has no tag)."""
    image = str(container.get("image") or "")
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        tag = last.rsplit(":", 1)[1]
    else:
        tag = "" if "@" in image else "latest"
    return "Always" if tag == "latest" else "IfNotPresent"


def _volume_source(volume: Obj) -> None:
    if not set(volume) - {"name"}:
        volume["emptyDir"] = {}


def _service_affinity(spec: Obj) -> None:
    if spec.get("sessionAffinity") == "None":
        spec.pop("sessionAffinityConfig", None)
    elif spec.get("sessionAffinity") == "ClientIP":
        config = spec.get("sessionAffinityConfig") or {}
        client = config.get("clientIP") or {}
        if client.get("timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": 10800}}


def _service_traffic(spec: Obj) -> None:
    kind = spec.get("type")
    if kind in ("NodePort", "LoadBalancer") and not spec.get("externalTrafficPolicy"):
        spec["externalTrafficPolicy"] = "Cluster"
    if kind in ("NodePort", "LoadBalancer", "ClusterIP") and spec.get("internalTrafficPolicy") is None:
        spec["internalTrafficPolicy"] = "Cluster"
    if kind == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        spec["allocateLoadBalancerNodePorts"] = True


def _service_port(port: Obj) -> None:
    if port.get("targetPort") in (None, 0, "") and "port" in port:
        port["targetPort"] = port["port"]


def _secret(obj: Obj) -> None:
    # stringData is write-only: merged into data (base64), as kube-apiserver's conversion does.
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        data: Obj = obj["data"] if isinstance(obj.get("data"), dict) else {}
        for key, value in string_data.items():
            if isinstance(value, str):
                data[key] = base64.b64encode(value.encode()).decode()
        obj["data"] = data


def _namespace(obj: Obj) -> None:
    meta = obj.setdefault("metadata", {})
    name = meta.get("name")
    if isinstance(name, str) and name:
        labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
        labels["kubernetes.io/metadata.name"] = name
        meta["labels"] = labels


def _requests_from_limits(container: Obj) -> None:
    resources = container.get("resources")
    if isinstance(resources, dict) and isinstance(resources.get("limits"), dict):
        requests = resources.setdefault("requests", {})
        for key, value in resources["limits"].items():
            requests.setdefault(key, value)


def _pod_spec_of_pod(spec: Obj) -> None:
    """SetDefaults_Pod (the admission plugins' defaults are :mod:`kro.devcluster.podadmission`'s)."""
    for key in ("containers", "initContainers"):
        for container in spec.get(key) or []:
            if isinstance(container, dict):
                _requests_from_limits(container)
    if spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True
    if spec.get("hostNetwork") is True:
        for key in ("containers", "initContainers"):
            for container in spec.get(key) or []:
                for port in (container.get("ports") or []) if isinstance(container, dict) else []:
                    if isinstance(port, dict) and not port.get("hostPort"):
                        port["hostPort"] = port.get("containerPort")
    # serviceAccount is the old name of serviceAccountName: either sets both (the new one wins), as
    # the conversion of a v1 Pod does; the default account is the ServiceAccount admission's
    account = spec.get("serviceAccountName") or spec.get("serviceAccount")
    if account:
        spec["serviceAccountName"] = spec["serviceAccount"] = account


def qos_class(spec: Obj | None) -> str:
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
    spec = obj.get("spec")
    if isinstance(spec, dict):
        _pod_spec_of_pod(spec)
    if "status" not in obj:
        # A new Pod starts Pending (its status is the server's: a create's own status was dropped).
        obj["status"] = {"phase": "Pending", "qosClass": qos_class(spec if isinstance(spec, dict) else None)}


def _probe_ints() -> dict[str, Any]:
    return {
        "timeoutSeconds": const(1, zero_unset=True),
        "periodSeconds": const(10, zero_unset=True),
        "successThreshold": const(1, zero_unset=True),
        "failureThreshold": const(3, zero_unset=True),
    }


TYPES: dict[str, StructType] = {
    "PodTemplateSpec": StructType(children={"spec": one("PodSpec")}, hooks=(template_meta,)),
    "PodSpec": StructType(
        defaults={
            "dnsPolicy": const("ClusterFirst"),
            "restartPolicy": const("Always"),
            "securityContext": const({}),
            "terminationGracePeriodSeconds": const(30),
            "schedulerName": const("default-scheduler"),
        },
        children={
            "containers": each("Container"),
            "initContainers": each("Container"),
            "ephemeralContainers": each("Container"),
            "volumes": each("Volume"),
        },
    ),
    "Container": StructType(
        defaults={
            "imagePullPolicy": computed(image_pull_policy),
            "terminationMessagePath": const(TERMINATION_MESSAGE_PATH),
            "terminationMessagePolicy": const("File"),
            "resources": const({}),
        },
        children={
            "ports": each("ContainerPort"),
            "livenessProbe": one("Probe"),
            "readinessProbe": one("Probe"),
            "startupProbe": one("Probe"),
            "lifecycle": one("Lifecycle"),
            "env": each("EnvVar"),
        },
    ),
    "ContainerPort": StructType(defaults={"protocol": const("TCP")}),
    "Probe": StructType(defaults=_probe_ints(), children={"httpGet": one("HTTPGetAction")}),
    "Lifecycle": StructType(children={"postStart": one("LifecycleHandler"), "preStop": one("LifecycleHandler")}),
    "LifecycleHandler": StructType(children={"httpGet": one("HTTPGetAction")}),
    "HTTPGetAction": StructType(defaults={"path": const("/"), "scheme": const("HTTP")}),
    "EnvVar": StructType(children={"valueFrom": one("EnvVarSource")}),
    "EnvVarSource": StructType(children={"fieldRef": one("ObjectFieldSelector")}),
    "ObjectFieldSelector": StructType(defaults={"apiVersion": const("v1")}),
    "Volume": StructType(
        children={
            **{key: one("ModeVolumeSource") for key in _VOLUME_SOURCE_MODES},
            "hostPath": one("HostPathVolumeSource"),
            "ephemeral": one("EphemeralVolumeSource"),
        },
        hooks=(_volume_source,),
    ),
    "ModeVolumeSource": StructType(
        defaults={"defaultMode": const(DEFAULT_FILE_MODE)},
        children={"items": each("DownwardAPIVolumeFile"), "sources": each("VolumeProjection")},
    ),
    "DownwardAPIVolumeFile": StructType(children={"fieldRef": one("ObjectFieldSelector")}),
    "VolumeProjection": StructType(
        children={"downwardAPI": one("DownwardAPIProjection"), "serviceAccountToken": one("ServiceAccountTokenProjection")}
    ),
    "DownwardAPIProjection": StructType(children={"items": each("DownwardAPIVolumeFile")}),
    "ServiceAccountTokenProjection": StructType(defaults={"expirationSeconds": const(3600)}),
    "HostPathVolumeSource": StructType(hooks=(lambda src: src.setdefault("type", ""),)),
    "EphemeralVolumeSource": StructType(children={"volumeClaimTemplate": one("PVCTemplate")}),
    "PVCTemplate": StructType(children={"spec": one("PersistentVolumeClaimSpec")}),
    "PersistentVolumeClaimSpec": StructType(defaults={"volumeMode": const("Filesystem")}),
    # A StatefulSet's volumeClaimTemplates are whole claims, defaulted as such.
    "PersistentVolumeClaim": StructType(
        defaults={"status": const({})},
        children={"spec": one("PersistentVolumeClaimSpec"), "status": one("PersistentVolumeClaimStatus")},
        hooks=(template_meta,),
    ),
    "PersistentVolumeClaimStatus": StructType(defaults={"phase": const("Pending")}),
    # Objects.
    "Pod": StructType(children={"spec": one("PodSpec")}, hooks=(_pod,)),
    "Service": StructType(
        defaults={"status": const({"loadBalancer": {}})},
        children={"spec": one("ServiceSpec")},
    ),
    "ServiceSpec": StructType(
        defaults={"sessionAffinity": const("None"), "type": const("ClusterIP")},
        children={"ports": each("ServicePort")},
        hooks=(_service_affinity, _service_traffic),
    ),
    "ServicePort": StructType(defaults={"protocol": const("TCP")}, hooks=(_service_port,)),
    "Secret": StructType(defaults={"type": const("Opaque")}, hooks=(_secret,)),
    "Namespace": StructType(hooks=(_namespace,)),
    "PersistentVolumeClaimObject": StructType(children={"spec": one("PersistentVolumeClaimSpec")}),
    "PersistentVolume": StructType(children={"spec": one("PersistentVolumeSpec")}),
    "PersistentVolumeSpec": StructType(
        defaults={"persistentVolumeReclaimPolicy": const("Retain"), "volumeMode": const("Filesystem")}
    ),
    "Endpoints": StructType(children={"subsets": each("EndpointSubset")}),
    "EndpointSubset": StructType(children={"ports": each("ContainerPort")}),
}

KINDS: dict[str, str] = {
    "Pod": "Pod",
    "Service": "Service",
    "Secret": "Secret",
    "Namespace": "Namespace",
    "PersistentVolumeClaim": "PersistentVolumeClaimObject",
    "PersistentVolume": "PersistentVolume",
    "Endpoints": "Endpoints",
}
