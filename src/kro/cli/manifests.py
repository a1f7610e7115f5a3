"""The Kubernetes objects that install the kro controller, built in one place.

``kro install`` prints or applies them; ``config/base`` (Kustomize) is generated from them by
``kro install --write-kustomize config/base``; the Helm chart renders the same objects from its
templates, and the test suite checks the three agree. The CRDs (ResourceGraphDefinition,
GraphRevision, ResourceGraph) come from :func:`kro.api.crdgen.kro_crds`, generated from the API
types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from kro import __version__
from kro.api import KRO_GROUP, Labels
from kro.api.crdgen import kro_crds
from kro.api.features import DEFAULT_GATES, FeatureGates
from kro.api.internal_v1alpha1 import GRAPH_REVISION_PLURAL, INTERNAL_GROUP
from kro.api.resourcegraph import RG_GROUP

RBACMode = Literal["unrestricted", "aggregation"]
NAME = "kro"
IMAGE = "ghcr.io/kro-python/kro"


@dataclass(frozen=True)
class InstallSettings:
    namespace: str = "kro-system"
    image: str = f"{IMAGE}:{__version__}"
    replicas: int = 2
    rbac_mode: RBACMode = "unrestricted"
    leader_elect: bool = True
    allow_crd_deletion: bool = False
    log_format: str = "json"
    metrics_port: int = 8078
    health_port: int = 8079
    concurrent_reconciles: int = 16
    client_qps: float = 0.0
    client_burst: int = 150
    feature_gates: FeatureGates = DEFAULT_GATES
    """Written out in full (every gate, defaults included) so an overlay has one line to change."""
    max_graph_revisions: int = 5
    extra_args: tuple[str, ...] = field(default_factory=tuple)


def common_labels() -> dict[str, str]:
    return {
        "app.kubernetes.io/name": NAME,
        "app.kubernetes.io/instance": NAME,
        "app.kubernetes.io/version": __version__,
        "app.kubernetes.io/part-of": NAME,
    }


def selector_labels() -> dict[str, str]:
    return {"app.kubernetes.io/name": NAME, "app": "kro-controller"}


def _meta(name: str, namespace: str | None = None, **extra_labels: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": {**common_labels(), **extra_labels}}
    if namespace is not None:
        meta["namespace"] = namespace
    return meta


def controller_args(s: InstallSettings) -> list[str]:
    args = [
        f"--metrics-bind-address=:{s.metrics_port}",
        f"--health-probe-bind-address=:{s.health_port}",
        f"--log-format={s.log_format}",
        f"--concurrent-reconciles={s.concurrent_reconciles}",
        f"--client-qps={s.client_qps:g}",
        f"--client-burst={s.client_burst}",
        f"--feature-gates={s.feature_gates}",
        f"--rgd-max-graph-revisions={s.max_graph_revisions}",
    ]
    if s.leader_elect:
        args += ["--leader-elect", f"--leader-election-namespace={s.namespace}"]
    if s.allow_crd_deletion:
        args.append("--allow-crd-deletion")
    return [*args, *s.extra_args]


def cluster_roles(s: InstallSettings) -> list[dict[str, Any]]:
    """``unrestricted``: one role over everything. ``aggregation``: kro's own needs, plus an aggregated
    role that picks up every ClusterRole labelled ``rbac.kro.run/aggregate-to-controller: "true"``, so
    an administrator grants exactly the kinds RGDs may manage."""
    core_rules = [
        {"apiGroups": [KRO_GROUP, RG_GROUP], "resources": ["*"], "verbs": ["*"]},
        {
            "apiGroups": [INTERNAL_GROUP],
            "resources": [GRAPH_REVISION_PLURAL, f"{GRAPH_REVISION_PLURAL}/status"],
            "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"],
        },
        {
            "apiGroups": ["apiextensions.k8s.io"],
            "resources": ["customresourcedefinitions"],
            "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"],
        },
        {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"]},
        {"apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": ["create", "patch"]},
        {
            "apiGroups": ["coordination.k8s.io"],
            "resources": ["leases"],
            "verbs": ["get", "list", "watch", "create", "update", "patch"],
        },
    ]
    if s.rbac_mode == "unrestricted":
        rules = [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]
        return [
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole",
                "metadata": _meta(f"{NAME}-controller"),
                "rules": rules,
            }
        ]
    aggregated = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": _meta(f"{NAME}-controller"),
        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {Labels.RBAC_AGGREGATE: "true"}}]},
        "rules": [],
    }
    own = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": _meta(f"{NAME}-controller-core", **{Labels.RBAC_AGGREGATE: "true"}),
        "rules": core_rules,
    }
    return [aggregated, own]


def manifests(s: InstallSettings | None = None, *, include_namespace: bool = True) -> list[dict[str, Any]]:
    """Every object of an installation, CRDs first, in the order they should be applied."""
    s = s or InstallSettings()
    sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(f"{NAME}-controller", s.namespace)}
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": _meta(f"{NAME}-controller"),
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": f"{NAME}-controller",
        },
        "subjects": [{"kind": "ServiceAccount", "name": f"{NAME}-controller", "namespace": s.namespace}],
    }
    objs: list[dict[str, Any]] = kro_crds()
    if include_namespace:
        objs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(s.namespace)})
    objs += [sa, *cluster_roles(s), binding, deployment(s), metrics_service(s)]
    return objs


def deployment(s: InstallSettings) -> dict[str, Any]:
    probe = {"httpGet": {"path": "/healthz", "port": "health"}, "initialDelaySeconds": 5, "periodSeconds": 10}
    ready = {"httpGet": {"path": "/readyz", "port": "health"}, "initialDelaySeconds": 5, "periodSeconds": 10}
    container = {
        "name": "controller",
        "image": s.image,
        "imagePullPolicy": "IfNotPresent",
        "args": ["controller", *controller_args(s)],
        "ports": [
            {"name": "metrics", "containerPort": s.metrics_port, "protocol": "TCP"},
            {"name": "health", "containerPort": s.health_port, "protocol": "TCP"},
        ],
        "livenessProbe": probe,
        "readinessProbe": ready,
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(f"{NAME}-controller", s.namespace, app="kro-controller"),
        "spec": {
            "replicas": s.replicas,
            "selector": {"matchLabels": selector_labels()},
            "template": {
                "metadata": {"labels": {**common_labels(), **selector_labels()}},
                "spec": {
                    "serviceAccountName": f"{NAME}-controller",
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 65532,
                        "runAsGroup": 65532,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [container],
                    "volumes": [{"name": "tmp", "emptyDir": {}}],
                    "terminationGracePeriodSeconds": 60,
                },
            },
        },
    }


def metrics_service(s: InstallSettings) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(f"{NAME}-controller-metrics", s.namespace),
        "spec": {
            "selector": selector_labels(),
            "ports": [
                {"name": "metrics", "port": s.metrics_port, "targetPort": "metrics", "protocol": "TCP"}
            ],
        },
    }
