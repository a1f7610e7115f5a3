"""Defaulting of built-in kinds, as kube-apiserver does on every write: the Go defaulters of each
API group (``pkg/apis/<group>/v1/defaults.go`` and the generated ``SetObjectDefaults_*``), the
create-time fields their registry strategies set, and the zero-valued structs Go always writes
(a container's ``resources: {}``, a template's ``creationTimestamp: null``, a workload's status
counters).

Each API group has a module holding its struct types as data (:mod:`.engine`): field defaults,
nested structs, and the few whole-struct rules no field default expresses. ``apply_builtin_defaults``
picks the kind's top-level type and walks the object.
"""

from __future__ import annotations

from collections.abc import Mapping

from kro.devcluster.defaulting import apiextensions, apps, autoscaling, batch, core, networking, rbac, storage
from kro.devcluster.defaulting.engine import Obj, StructType, apply_defaults

TYPES: dict[str, StructType] = {
    **core.TYPES,
    **apps.TYPES,
    **batch.TYPES,
    **networking.TYPES,
    **rbac.TYPES,
    **storage.STORAGE_TYPES,
    **storage.SCHEDULING_TYPES,
    **autoscaling.TYPES,
    **apiextensions.TYPES,
}

# (group, kind) → the struct type the object is.
KINDS: dict[tuple[str, str], str] = {
    **{("", kind): t for kind, t in core.KINDS.items()},
    **{("apps", kind): t for kind, t in apps.KINDS.items()},
    **{("batch", kind): t for kind, t in batch.KINDS.items()},
    **{("networking.k8s.io", kind): t for kind, t in networking.KINDS.items()},
    **{("rbac.authorization.k8s.io", kind): t for kind, t in rbac.KINDS.items()},
    **{("storage.k8s.io", kind): t for kind, t in storage.STORAGE_KINDS.items()},
    **{("scheduling.k8s.io", kind): t for kind, t in storage.SCHEDULING_KINDS.items()},
    **{("autoscaling", kind): t for kind, t in autoscaling.KINDS.items()},
    **{("apiextensions.k8s.io", kind): t for kind, t in apiextensions.KINDS.items()},
}


def apply_builtin_defaults(group: str, kind: str, obj: Obj, *, types: Mapping[str, StructType] = TYPES) -> None:
    """Fill ``obj`` (a built-in kind's object) in place."""
    type_name = KINDS.get((group, kind))
    if type_name is not None:
        apply_defaults(types, type_name, obj)


__all__ = ["KINDS", "TYPES", "apply_builtin_defaults"]
