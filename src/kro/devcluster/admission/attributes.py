"""What admission knows about one write: the request's attributes, and the CEL ``request`` variable
built from them (an ``admission.k8s.io/v1`` AdmissionRequest, as kube-apiserver hands to policies)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from kro.devcluster.registry import ResourceType

Operation = Literal["CREATE", "UPDATE", "DELETE"]

# The one identity of the local server: its bearer token is the cluster's admin.
USERNAME = "kro-dev-admin"
GROUPS = ("system:masters", "system:authenticated")
_OPTIONS_KIND = {"CREATE": "CreateOptions", "UPDATE": "UpdateOptions", "DELETE": "DeleteOptions"}


@dataclass(frozen=True)
class Attributes:
    """One write as admission sees it. ``obj`` is None on DELETE, ``old`` None on CREATE."""

    operation: Operation
    rt: ResourceType
    namespace: str
    name: str
    obj: Mapping[str, Any] | None
    old: Mapping[str, Any] | None
    subresource: str = ""
    dry_run: bool = False

    @classmethod
    def of(
        cls, op: Operation, rt: ResourceType, obj: Mapping[str, Any], old: Mapping[str, Any] | None, *,
        subresource: str = "", dry_run: bool = False,
    ) -> Attributes:  # fmt: skip
        """A write's attributes: on DELETE ``obj`` is the object being deleted (sent as ``oldObject``)."""
        meta = (old if op == "DELETE" and old is not None else obj).get("metadata")
        meta = meta if isinstance(meta, Mapping) else {}
        namespace, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
        if rt.group == "" and rt.kind == "Namespace":
            namespace = name  # kube-apiserver's attributes give a Namespace itself as its namespace
        return cls(op, rt, namespace, name, None if op == "DELETE" else obj, old, subresource, dry_run)

    @property
    def labels(self) -> tuple[Mapping[str, Any], ...]:
        """The labels of the object and of the old object (either may match an objectSelector)."""
        out = []
        for o in (self.obj, self.old):
            if o is not None:
                meta = o.get("metadata")
                labels = meta.get("labels") if isinstance(meta, Mapping) else None
                out.append(labels if isinstance(labels, Mapping) else {})
        return tuple(out)

    @property
    def is_namespace(self) -> bool:
        return self.rt.group == "" and self.rt.kind == "Namespace"

    def shown_name(self) -> str:
        """The name a denial names: the request's, else the object's name or generateName."""
        if self.name:
            return self.name
        meta = (self.obj or {}).get("metadata")
        if isinstance(meta, Mapping):
            return str(meta.get("name") or meta.get("generateName") or "Unknown")
        return "Unknown"

    def request(self) -> dict[str, Any]:
        """The ``request`` variable of a policy's expressions."""
        rt = self.rt
        kind = {"group": rt.group, "version": rt.version, "kind": rt.kind}
        resource = {"group": rt.group, "version": rt.version, "resource": rt.plural}
        return {
            "uid": str(uuid.uuid4()),
            "kind": kind,
            "resource": resource,
            "subResource": self.subresource,
            "requestKind": dict(kind),
            "requestResource": dict(resource),
            "requestSubResource": self.subresource,
            "name": self.name,
            "namespace": self.namespace,
            "operation": self.operation,
            "userInfo": {"username": USERNAME, "uid": "", "groups": list(GROUPS), "extra": {}},
            "dryRun": self.dry_run,
            "options": {"kind": _OPTIONS_KIND[self.operation], "apiVersion": "meta.k8s.io/v1"},
        }


def namespace_object(namespace: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The ``namespaceObject`` variable: the namespace's spec, status and the identifying part of its
    metadata (no managedFields, no ownerReferences), as kube-apiserver exposes it."""
    if namespace is None:
        return None
    meta = namespace.get("metadata") if isinstance(namespace.get("metadata"), Mapping) else {}
    assert isinstance(meta, Mapping)
    keep = ("name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
            "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "finalizers")
    out: dict[str, Any] = {"metadata": {k: meta[k] for k in keep if k in meta}}
    for part in ("spec", "status"):
        if part in namespace:
            out[part] = namespace[part]
    return out
