"""The port through which the compiler learns a kind's schema and scope.

A resolver answers for a GVK with a :class:`ResolvedKind` (OpenAPI v3 schema of the whole object,
whether it is namespaced) or ``None`` when it does not know the kind. Implementations: the offline
built-ins (:class:`BuiltinResolver`), CRD documents (:class:`CRDResolver`: files on the command line,
or CRDs generated from other RGDs), a live API server's ``/openapi/v3`` (in :mod:`kro.kube`), and
:class:`ChainResolver` to ask several in turn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from kro.api.keys import Labels
from kro.api.refs import GVK
from kro.openapi.builtin import BuiltinSchemas, builtin_schemas
from kro.openapi.resources import BUILTIN_RESOURCES, builtin_resource_for_kind


@dataclass(frozen=True)
class ResolvedKind:
    gvk: GVK
    schema: Mapping[str, Any]
    namespaced: bool
    plural: str = ""
    source: str = field(default="", compare=False)
    generated_by: str = field(default="", compare=False)
    """The ResourceGraphDefinition whose CRD defines the kind (its instances are kro's), or ``""``."""


def crd_generated_by(crd: Mapping[str, Any]) -> str:
    """The ResourceGraphDefinition that generated ``crd`` (kro labels the CRDs it makes with the
    RGD's name), or ``""`` for any other CRD."""
    labels = (crd.get("metadata") or {}).get("labels") or {}
    if labels.get(Labels.OWNED) != "true":
        return ""
    return str(labels.get(Labels.RGD_NAME) or "")


class SchemaResolver(Protocol):
    def resolve(self, gvk: GVK) -> ResolvedKind | None: ...


@runtime_checkable
class VersionFinder(Protocol):
    """A resolver that can also say which version of a kind to use when none is given: a CRD's
    storage version, a built-in kind's preferred one."""

    def default_version(self, group: str, kind: str) -> str | None: ...


def default_version(resolver: SchemaResolver, group: str, kind: str) -> str | None:
    """The version ``resolver`` prefers for ``group``/``kind``; ``None`` when it cannot tell."""
    return resolver.default_version(group, kind) if isinstance(resolver, VersionFinder) else None


class BuiltinResolver:
    """Built-in kinds, from the shipped definitions. Kinds missing from the resource table are
    assumed namespaced (the common case) unless their schema says otherwise."""

    def __init__(self, schemas: BuiltinSchemas | None = None) -> None:
        self._schemas = schemas or builtin_schemas()

    def resolve(self, gvk: GVK) -> ResolvedKind | None:
        schema = self._schemas.schema_for(gvk)
        if schema is None:
            return None
        info = builtin_resource_for_kind(gvk)
        namespaced = info.namespaced if info else True
        plural = info.plural if info else gvk.kind.lower() + "s"
        return ResolvedKind(gvk, schema, namespaced, plural, "builtin")

    def default_version(self, group: str, kind: str) -> str | None:
        """The built-in resource table's version of the kind (the one the API server prefers)."""
        for info in BUILTIN_RESOURCES:
            if (info.gvk.group, info.gvk.kind) == (group, kind):
                return info.gvk.version
        return None


class CRDResolver:
    """Kinds defined by CustomResourceDefinition documents (``apiextensions.k8s.io/v1``)."""

    def __init__(self, crds: Iterable[Mapping[str, Any]] = ()) -> None:
        self._kinds: dict[GVK, ResolvedKind] = {}
        self._storage: dict[tuple[str, str], str] = {}
        for crd in crds:
            self.add(crd)

    def add(self, crd: Mapping[str, Any]) -> None:
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        group = spec.get("group", "")
        kind = names.get("kind", "")
        namespaced = spec.get("scope", "Namespaced") == "Namespaced"
        name = (crd.get("metadata") or {}).get("name", "")
        rgd = crd_generated_by(crd)
        for v in spec.get("versions") or []:
            schema = ((v.get("schema") or {}).get("openAPIV3Schema")) or {
                "type": "object",
                "x-kubernetes-preserve-unknown-fields": True,
            }
            gvk = GVK(group, v.get("name", ""), kind)
            plural = names.get("plural", "")
            self._kinds[gvk] = ResolvedKind(gvk, schema, namespaced, plural, f"crd/{name}", rgd)
            if v.get("storage"):
                self._storage[(group, kind)] = gvk.version

    def resolve(self, gvk: GVK) -> ResolvedKind | None:
        return self._kinds.get(gvk)

    def default_version(self, group: str, kind: str) -> str | None:
        """The CRD's storage version."""
        return self._storage.get((group, kind))


class ChainResolver:
    """Asks each resolver in turn; the first answer wins."""

    def __init__(self, resolvers: Sequence[SchemaResolver]) -> None:
        self._resolvers = list(resolvers)

    def resolve(self, gvk: GVK) -> ResolvedKind | None:
        for r in self._resolvers:
            found = r.resolve(gvk)
            if found is not None:
                return found
        return None

    def default_version(self, group: str, kind: str) -> str | None:
        for r in self._resolvers:
            found = default_version(r, group, kind)
            if found is not None:
                return found
        return None
