"""``metadata.generation``: which kinds carry it and which updates move it, as kube-apiserver's
registry strategies decide.

A built-in kind has a generation only when its strategy sets it on create (``PrepareForCreate``);
ConfigMaps, Secrets, Services, Pods (before v1.33), RBAC objects and the like have none. Its
``PrepareForUpdate`` bumps it when the compared parts differ under semantic equality (Go's
``apiequality.Semantic.DeepEqual`` on typed structs: an empty list or map equals an absent one, key
order never matters). Custom resources always have a generation and bump it when anything but
``metadata`` (and ``status``, which updates cannot change) differs. Whatever the kind, marking an
object as deleting bumps a generation it has (``markAsDeleting``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kro.devcluster.registry import ResourceType

# (group, kind) → the parts of the object whose change bumps the generation, as dotted paths.
GENERATION_RULES: dict[tuple[str, str], tuple[str, ...]] = {
    # Annotations too: they are copied from a Deployment to its ReplicaSets.
    ("apps", "Deployment"): ("spec", "metadata.annotations"),
    ("apps", "ReplicaSet"): ("spec",),
    ("apps", "StatefulSet"): ("spec",),
    ("apps", "DaemonSet"): ("spec",),
    ("batch", "Job"): ("spec",),
    ("batch", "CronJob"): ("spec",),
    ("", "ReplicationController"): ("spec",),
    ("networking.k8s.io", "Ingress"): ("spec",),
    ("networking.k8s.io", "IngressClass"): ("spec",),
    ("networking.k8s.io", "NetworkPolicy"): ("spec",),
    ("policy", "PodDisruptionBudget"): ("spec",),
    ("apiextensions.k8s.io", "CustomResourceDefinition"): ("spec",),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): ("webhooks",),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): ("webhooks",),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"): ("spec",),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"): ("spec",),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"): ("spec",),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"): ("spec",),
}


def tracks_generation(rt: ResourceType) -> bool:
    """Whether objects of ``rt`` carry ``metadata.generation``."""
    return rt.is_custom or (rt.group, rt.kind) in GENERATION_RULES


def _dig(obj: Mapping[str, Any], path: str) -> Any:
    node: Any = obj
    for part in path.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _typed(value: Any) -> Any:
    """``value`` as a Go struct would hold it: null, empty lists and empty maps are absent."""
    if isinstance(value, Mapping):
        out = {k: _typed(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None} or None
    if isinstance(value, list):
        return [_typed(v) for v in value] or None
    return value


def semantically_equal(a: Any, b: Any) -> bool:
    """Equality of two built-in objects' parts the way ``apiequality.Semantic.DeepEqual`` sees them."""
    return bool(_typed(a) == _typed(b))


def _custom_content(obj: Mapping[str, Any], *, has_status: bool) -> dict[str, Any]:
    skip = {"metadata", "apiVersion", "kind"} | ({"status"} if has_status else set())
    return {k: v for k, v in obj.items() if k not in skip}


def generation_changed(rt: ResourceType, old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether an update from ``old`` to ``new`` bumps the generation."""
    if rt.is_custom:
        return _custom_content(old, has_status=rt.has_status) != _custom_content(new, has_status=rt.has_status)
    paths = GENERATION_RULES.get((rt.group, rt.kind), ())
    return any(not semantically_equal(_dig(old, p), _dig(new, p)) for p in paths)


def next_generation(rt: ResourceType, old: Mapping[str, Any], new: dict[str, Any]) -> None:
    """Set ``new``'s generation from ``old``'s: kept, bumped, or absent for kinds without one."""
    meta = new.setdefault("metadata", {})
    old_gen = (old.get("metadata") or {}).get("generation")
    if not tracks_generation(rt):
        meta.pop("generation", None)
        return
    base = int(old_gen) if isinstance(old_gen, int) else 1
    meta["generation"] = base + 1 if generation_changed(rt, old, new) else base
