"""Resolving each resource's kind (through the :class:`~kro.openapi.SchemaResolver` port) and
applying the namespace rules that depend on the kind's scope."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kro.api.refs import GVK
from kro.graph.document import ResourceSpec
from kro.graph.fieldschema import with_object_meta
from kro.graph.report import Reporter
from kro.openapi import SchemaResolver


@dataclass(frozen=True)
class ChildKind:
    gvk: GVK
    schema: Mapping[str, Any]
    """The whole object's schema, ``metadata`` typed as ObjectMeta."""
    namespaced: bool
    plural: str

    @property
    def label(self) -> str:
        return f"{self.gvk.api_version} {self.gvk.kind}"


def gvk_of(resource: ResourceSpec) -> GVK | None:
    body = resource.body
    api_version, kind = body.get("apiVersion"), body.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str) or not api_version or not kind:
        return None
    if "${" in api_version or "${" in kind:
        return None
    return GVK.from_api_version(api_version, kind)


def resolve_kinds(
    resources: tuple[ResourceSpec, ...], resolver: SchemaResolver, report: Reporter
) -> dict[str, ChildKind]:
    """The kind of every resource the resolver knows; unknown kinds are reported."""
    out: dict[str, ChildKind] = {}
    for r in resources:
        body = r.body
        if "${" in str(body.get("apiVersion", "")) or "${" in str(body.get("kind", "")):
            report.error(
                (*r.path, r.body_key, "kind"),
                "apiVersion and kind must be literal, not expressions",
                resource=r.id,
            )
            continue
        gvk = gvk_of(r)
        if gvk is None:
            continue  # missing apiVersion/kind: reported by the shape checks
        found = resolver.resolve(gvk)
        if found is None:
            report.error(
                (*r.path, r.body_key, "kind"),
                f"unknown kind {gvk.kind!r} in {gvk.api_version!r}; is its CRD installed? "
                "pass CRD files with -f",
                resource=r.id,
            )
            continue
        plural = found.plural or gvk.kind.lower() + "s"
        out[r.id] = ChildKind(gvk, with_object_meta(found.schema), found.namespaced, plural)
    return out


def check_namespaces(
    r: ResourceSpec, kind: ChildKind, *, instance_namespaced: bool, report: Reporter
) -> None:
    """Cluster-scoped children must not set a namespace; namespaced children of a cluster-scoped
    instance must (there is no instance namespace to default to)."""
    metadata = r.body.get("metadata")
    namespace = metadata.get("namespace") if isinstance(metadata, Mapping) else None
    path = (*r.path, r.body_key, "metadata")
    if not kind.namespaced and namespace not in (None, ""):
        report.error(
            (*path, "namespace"),
            f"{kind.gvk.kind} is cluster-scoped: metadata.namespace must not be set",
            resource=r.id,
        )
    if kind.namespaced and not instance_namespaced and namespace in (None, "") and r.template is not None:
        report.error(
            path,
            f"{kind.gvk.kind} is namespaced and the instance is cluster-scoped: set metadata.namespace",
            resource=r.id,
        )
