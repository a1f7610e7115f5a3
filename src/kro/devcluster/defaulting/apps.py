"""Defaults of the apps group (``pkg/apis/apps/v1/defaults.go``), and the zero status a new
workload is answered with (Go writes the status struct's non-omitempty counters)."""

from __future__ import annotations

from kro.devcluster.defaulting.engine import Obj, StructType, const, each, one


def _deployment_strategy(strategy: Obj) -> None:
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        given = strategy.get("rollingUpdate")
        rolling: Obj = given if isinstance(given, dict) else {}
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
        strategy["rollingUpdate"] = rolling


def _daemonset_strategy(strategy: Obj) -> None:
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        given = strategy.get("rollingUpdate")
        rolling: Obj = given if isinstance(given, dict) else {}
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
        strategy["rollingUpdate"] = rolling


def _statefulset_strategy(strategy: Obj) -> None:
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
        if strategy.get("rollingUpdate") is None:
            strategy["rollingUpdate"] = {}
    rolling = strategy.get("rollingUpdate")
    if strategy["type"] == "RollingUpdate" and isinstance(rolling, dict) and rolling.get("partition") is None:
        rolling["partition"] = 0


TYPES: dict[str, StructType] = {
    "Deployment": StructType(defaults={"status": const({})}, children={"spec": one("DeploymentSpec")}),
    "DeploymentSpec": StructType(
        defaults={
            "replicas": const(1),
            "revisionHistoryLimit": const(10),
            "progressDeadlineSeconds": const(600),
            "strategy": const({}),
        },
        children={"strategy": one("DeploymentStrategy"), "template": one("PodTemplateSpec")},
    ),
    "DeploymentStrategy": StructType(hooks=(_deployment_strategy,)),
    "ReplicaSet": StructType(defaults={"status": const({"replicas": 0})}, children={"spec": one("ReplicaSetSpec")}),
    "ReplicaSetSpec": StructType(defaults={"replicas": const(1)}, children={"template": one("PodTemplateSpec")}),
    "StatefulSet": StructType(
        defaults={"status": const({"replicas": 0, "availableReplicas": 0})}, children={"spec": one("StatefulSetSpec")}
    ),
    "StatefulSetSpec": StructType(
        defaults={
            "replicas": const(1),
            "revisionHistoryLimit": const(10),
            "podManagementPolicy": const("OrderedReady"),
            "updateStrategy": const({}),
            "persistentVolumeClaimRetentionPolicy": const({}),
        },
        children={
            "updateStrategy": one("StatefulSetUpdateStrategy"),
            "persistentVolumeClaimRetentionPolicy": one("PVCRetentionPolicy"),
            "template": one("PodTemplateSpec"),
            "volumeClaimTemplates": each("PersistentVolumeClaim"),
        },
    ),
    "StatefulSetUpdateStrategy": StructType(hooks=(_statefulset_strategy,)),
    "PVCRetentionPolicy": StructType(defaults={"whenDeleted": const("Retain"), "whenScaled": const("Retain")}),
    "DaemonSet": StructType(
        defaults={
            "status": const({"currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0, "numberReady": 0})
        },
        children={"spec": one("DaemonSetSpec")},
    ),
    "DaemonSetSpec": StructType(
        defaults={"revisionHistoryLimit": const(10), "updateStrategy": const({})},
        children={"updateStrategy": one("DaemonSetUpdateStrategy"), "template": one("PodTemplateSpec")},
    ),
    "DaemonSetUpdateStrategy": StructType(hooks=(_daemonset_strategy,)),
}

KINDS: dict[str, str] = {kind: kind for kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")}
