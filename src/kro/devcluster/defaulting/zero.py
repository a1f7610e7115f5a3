"""The structs a built-in kind's zero value already holds: Go writes a non-pointer struct field
even when it is empty (``spec``, a Deployment's ``spec.strategy`` and ``spec.template``...), so a
create does not "add" them and its manager's managedFields carry no ``"."`` entry for them, while
pointer structs and maps it fills in (``rollingUpdate``, ``labels``, ``data``) get one. Custom
resources have no zero value: everything a create sets is added."""

from __future__ import annotations

_TEMPLATE = ("template", "template.metadata", "template.spec")


def _under(prefix: str, paths: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{prefix}.{p}" for p in paths)


# (group, kind) → dotted paths of the non-pointer structs inside the kind's zero value.
ZERO_STRUCTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("apps", "Deployment"): ("spec", "spec.strategy", *_under("spec", _TEMPLATE), "status"),
    ("apps", "StatefulSet"): ("spec", "spec.updateStrategy", *_under("spec", _TEMPLATE), "status"),
    ("apps", "DaemonSet"): ("spec", "spec.updateStrategy", *_under("spec", _TEMPLATE), "status"),
    ("apps", "ReplicaSet"): ("spec", *_under("spec", _TEMPLATE), "status"),
    ("batch", "Job"): ("spec", *_under("spec", _TEMPLATE), "status"),
    ("batch", "CronJob"): (
        "spec", "spec.jobTemplate", "spec.jobTemplate.metadata", "spec.jobTemplate.spec",
        *_under("spec.jobTemplate.spec", _TEMPLATE), "status",
    ),
    ("", "Pod"): ("spec", "status"),
    ("", "Service"): ("spec", "status", "status.loadBalancer"),
    ("", "Namespace"): ("spec", "status"),
    ("", "PersistentVolumeClaim"): ("spec", "spec.resources", "status"),
    ("", "PersistentVolume"): ("spec", "status"),
    ("", "Node"): ("spec", "status", "status.daemonEndpoints", "status.daemonEndpoints.kubeletEndpoint", "status.nodeInfo"),
    ("", "ResourceQuota"): ("spec", "status"),
    ("", "LimitRange"): ("spec",),
    ("", "Event"): ("involvedObject", "source"),
    ("events.k8s.io", "Event"): ("regarding",),
    ("networking.k8s.io", "Ingress"): ("spec", "status", "status.loadBalancer"),
    ("networking.k8s.io", "IngressClass"): ("spec",),
    ("networking.k8s.io", "NetworkPolicy"): ("spec", "spec.podSelector"),
    ("policy", "PodDisruptionBudget"): ("spec", "status"),
    ("autoscaling", "HorizontalPodAutoscaler"): ("spec", "spec.scaleTargetRef", "status"),
    ("rbac.authorization.k8s.io", "RoleBinding"): ("roleRef",),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): ("roleRef",),
    ("coordination.k8s.io", "Lease"): ("spec",),
    ("apiextensions.k8s.io", "CustomResourceDefinition"): ("spec", "spec.names", "status", "status.acceptedNames"),
}
