"""The resource types the server serves: the built-in table plus every established CRD version.

A :class:`ResourceType` is everything the REST layer needs to serve one group/version/resource:
names, scope, verbs, whether ``/status`` exists, the OpenAPI schema objects are checked against and
the printer columns ``kubectl get`` shows. :class:`Registry` indexes them by path, by kind and by the
storage key objects live under (one key per group-resource, whatever the version).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from kro.api.refs import GVK, GVR
from kro.openapi import BUILTIN_RESOURCES, ResourceInfo

_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class PrinterColumn:
    name: str
    type: str
    json_path: str
    description: str = ""
    format: str = ""
    priority: int = 0


@dataclass(frozen=True)
class ScaleSpec:
    """Where a ``/scale`` subresource reads and writes replicas (JSON paths like ``.spec.replicas``)."""

    spec_replicas_path: str = ".spec.replicas"
    status_replicas_path: str = ".status.replicas"
    label_selector_path: str = ""  # empty: the label selector is ``spec.selector`` (built-in kinds)


# Resources served in another group too, stored under the other's key (Events: core v1 and
# events.k8s.io/v1 are one resource, stored in the core form; see kro.devcluster.versions).
SHARED_STORAGE = {"events.events.k8s.io": "events"}

# Built-in kinds with a /scale subresource.
BUILTIN_SCALE = frozenset({("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "StatefulSet")})


@dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    singular: str = ""
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    has_status: bool = False
    verbs: tuple[str, ...] = _VERBS
    # False for a review (SelfSubjectAccessReview, ...): created to be answered, never stored
    stored: bool = True
    list_kind: str = ""
    # For CRDs: the version's openAPIV3Schema (structural); built-ins are checked by kind schema.
    schema: Mapping[str, Any] | None = field(default=None, compare=False)
    printer_columns: tuple[PrinterColumn, ...] = ()
    crd_name: str = ""  # set for custom resources
    storage_version: bool = True
    scale: ScaleSpec | None = None
    selectable_fields: tuple[str, ...] = ()  # a CRD version's selectableFields (JSON paths)

    @property
    def gvk(self) -> GVK:
        return GVK(self.group, self.version, self.kind)

    @property
    def gvr(self) -> GVR:
        return GVR(self.group, self.version, self.plural)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def storage_key(self) -> str:
        """The group-resource string objects are stored under (``"deployments.apps"``)."""
        key = f"{self.plural}.{self.group}" if self.group else self.plural
        return SHARED_STORAGE.get(key, key)

    @property
    def is_custom(self) -> bool:
        return bool(self.crd_name)

    @classmethod
    def from_builtin(cls, info: ResourceInfo) -> ResourceType:
        return cls(
            group=info.gvk.group,
            version=info.gvk.version,
            kind=info.gvk.kind,
            plural=info.plural,
            namespaced=info.namespaced,
            singular=info.singular,
            short_names=info.short_names,
            categories=info.categories,
            has_status=info.has_status,
            verbs=info.verbs,
            list_kind=info.gvk.kind + "List",
            scale=ScaleSpec() if (info.gvk.group, info.gvk.kind) in BUILTIN_SCALE else None,
            storage_version=f"{info.plural}.{info.gvk.group}" not in SHARED_STORAGE,
        )


def _review(group: str, kind: str) -> ResourceType:
    return ResourceType(group=group, version="v1", kind=kind, plural=kind.lower() + "s", namespaced=False,
                        singular=kind.lower(), verbs=("create",), list_kind="", stored=False)


# The reviews served (kube-apiserver answers them from its authenticator and authorizer).
REVIEWS = (_review("authentication.k8s.io", "SelfSubjectReview"), _review("authorization.k8s.io", "SelfSubjectAccessReview"))


class Registry:
    def __init__(self) -> None:
        self._by_gvr: dict[GVR, ResourceType] = {}
        # Bumped on every change, so documents built from the registry know when to rebuild.
        self.revision = 0
        for info in BUILTIN_RESOURCES:
            self.add(ResourceType.from_builtin(info))
        for review in REVIEWS:
            self.add(review)

    def add(self, rt: ResourceType) -> None:
        self._by_gvr[rt.gvr] = rt
        self.revision += 1

    def remove_crd(self, crd_name: str) -> list[ResourceType]:
        gone = [rt for rt in self._by_gvr.values() if rt.crd_name == crd_name]
        for rt in gone:
            del self._by_gvr[rt.gvr]
        self.revision += 1
        return gone

    def get(self, group: str, version: str, plural: str) -> ResourceType | None:
        return self._by_gvr.get(GVR(group, version, plural))

    def for_kind(self, api_version: str, kind: str) -> ResourceType | None:
        gvk = GVK.from_api_version(api_version, kind)
        for rt in self._by_gvr.values():
            if rt.gvk == gvk:
                return rt
        return None

    def for_storage_key(self, key: str) -> ResourceType | None:
        """The storage version's type for objects stored under ``key``."""
        fallback = None
        for rt in self._by_gvr.values():
            if rt.storage_key == key:
                if rt.storage_version:
                    return rt
                fallback = rt
        return fallback

    def crd_types(self, crd_name: str) -> list[ResourceType]:
        return [rt for rt in self._by_gvr.values() if rt.crd_name == crd_name]

    def __iter__(self) -> Iterator[ResourceType]:
        return iter(sorted(self._by_gvr.values(), key=lambda r: (r.group, r.version, r.plural)))

    def groups(self) -> dict[str, list[str]]:
        """Group name → served versions (preferred first), core group as ``""``."""
        out: dict[str, list[str]] = {}
        for rt in self:
            versions = out.setdefault(rt.group, [])
            if rt.version not in versions:
                versions.append(rt.version)
        for versions in out.values():
            versions.sort(key=version_priority)
        return out


def version_priority(version: str) -> tuple[int, int, int]:
    """Kubernetes version ordering, highest first: GA > beta > alpha, then by numbers."""
    m = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not m:
        return (3, 0, 0)
    major = int(m.group(1))
    stage = {"": 0, None: 0, "beta": 1, "alpha": 2}[m.group(2)]
    minor = int(m.group(3) or 0)
    return (stage, -major, -minor)
