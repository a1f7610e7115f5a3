"""The built-in REST resources kro users compose, with the facts discovery publishes about them.

Schemas are not here (see :mod:`kro.openapi.builtin`); this table holds what an OpenAPI document does
not say: plural name, scope, short names, categories and whether a status subresource exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from kro.api.refs import GVK, GVR

_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class ResourceInfo:
    gvk: GVK
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    has_status: bool = True
    verbs: tuple[str, ...] = _VERBS

    @property
    def gvr(self) -> GVR:
        return GVR(self.gvk.group, self.gvk.version, self.plural)

    @property
    def singular(self) -> str:
        return self.gvk.kind.lower()


def _r(
    api_version: str,
    kind: str,
    plural: str,
    namespaced: bool = True,
    short: tuple[str, ...] = (),
    categories: tuple[str, ...] = ("all",),
    status: bool = True,
) -> ResourceInfo:
    return ResourceInfo(GVK.from_api_version(api_version, kind), plural, namespaced, short, categories, status)


BUILTIN_RESOURCES: tuple[ResourceInfo, ...] = (
    _r("v1", "Namespace", "namespaces", False, ("ns",), ()),
    _r("v1", "ConfigMap", "configmaps", short=("cm",), categories=(), status=False),
    _r("v1", "Secret", "secrets", categories=(), status=False),
    _r("v1", "Service", "services", short=("svc",)),
    _r("v1", "ServiceAccount", "serviceaccounts", short=("sa",), categories=(), status=False),
    _r("v1", "Pod", "pods", short=("po",)),
    _r("v1", "Event", "events", short=("ev",), categories=(), status=False),
    _r("v1", "PersistentVolumeClaim", "persistentvolumeclaims", short=("pvc",), categories=()),
    _r("v1", "PersistentVolume", "persistentvolumes", False, ("pv",), ()),
    _r("v1", "Endpoints", "endpoints", short=("ep",), categories=(), status=False),
    _r("v1", "Node", "nodes", False, ("no",), ()),
    _r("v1", "LimitRange", "limitranges", short=("limits",), categories=(), status=False),
    _r("v1", "ResourceQuota", "resourcequotas", short=("quota",), categories=()),
    _r("apps/v1", "Deployment", "deployments", short=("deploy",)),
    _r("apps/v1", "ReplicaSet", "replicasets", short=("rs",)),
    _r("apps/v1", "StatefulSet", "statefulsets", short=("sts",)),
    _r("apps/v1", "DaemonSet", "daemonsets", short=("ds",)),
    _r("apps/v1", "ControllerRevision", "controllerrevisions", categories=(), status=False),
    _r("batch/v1", "Job", "jobs"),
    _r("batch/v1", "CronJob", "cronjobs", short=("cj",)),
    _r("networking.k8s.io/v1", "Ingress", "ingresses", short=("ing",), categories=()),
    _r("networking.k8s.io/v1", "IngressClass", "ingressclasses", False, categories=(), status=False),
    _r("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", short=("netpol",), categories=(), status=False),
    _r("autoscaling/v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", short=("hpa",)),
    _r("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", short=("pdb",), categories=()),
    _r("rbac.authorization.k8s.io/v1", "Role", "roles", categories=(), status=False),
    _r("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", categories=(), status=False),
    _r("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", False, categories=(), status=False),
    _r("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", False, categories=(), status=False),
    _r("coordination.k8s.io/v1", "Lease", "leases", categories=(), status=False),
    _r("events.k8s.io/v1", "Event", "events", short=("ev",), categories=(), status=False),
    _r("storage.k8s.io/v1", "StorageClass", "storageclasses", False, ("sc",), (), False),
    _r("scheduling.k8s.io/v1", "PriorityClass", "priorityclasses", False, ("pc",), (), False),
    _r("apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", False, ("crd", "crds"), ()),
    _r("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", "validatingadmissionpolicies", False,
       categories=("api-extensions",)),
    _r("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings", False,
       categories=("api-extensions",), status=False),
)

_BY_KIND = {r.gvk: r for r in BUILTIN_RESOURCES}


def builtin_resource_for_kind(gvk: GVK) -> ResourceInfo | None:
    return _BY_KIND.get(gvk)
