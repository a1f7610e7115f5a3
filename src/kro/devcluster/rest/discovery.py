"""Discovery documents: legacy (``/api``, ``/apis``, ``/api/v1``, ``/apis/{g}``, ``/apis/{g}/{v}``)
and aggregated (``apidiscovery.k8s.io/v2`` ``APIGroupDiscoveryList``, which kubectl asks for first),
built from the live :class:`~kro.devcluster.registry.Registry`, so CRDs appear as soon as they are
established."""

from __future__ import annotations

import hashlib
from typing import Any

from kro.devcluster.registry import Registry, ResourceType

AGGREGATED_MEDIA = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
_STATUS_VERBS = ["get", "patch", "update"]


def wants_aggregated(accept: str) -> bool:
    for part in accept.split(","):
        p = part.replace(" ", "")
        if "g=apidiscovery.k8s.io" in p and "as=APIGroupDiscoveryList" in p and "v=v2" in p and "v=v2beta1" not in p:
            return True
    return False


def _storage_hash(rt: ResourceType) -> str:
    import base64

    digest = hashlib.sha256(f"{rt.group}/{rt.version}/{rt.kind}".encode()).digest()
    return base64.b64encode(digest[:8]).decode()


def _group_version(group: str, version: str) -> dict[str, str]:
    return {"groupVersion": f"{group}/{version}" if group else version, "version": version}


def api_versions(server_address: str) -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def api_group(registry: Registry, group: str) -> dict[str, Any] | None:
    versions = registry.groups().get(group)
    if not versions or not group:
        return None
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": group,
        "versions": [_group_version(group, v) for v in versions],
        "preferredVersion": _group_version(group, versions[0]),
    }


def api_group_list(registry: Registry) -> dict[str, Any]:
    groups = []
    for group in sorted(g for g in registry.groups() if g):
        doc = api_group(registry, group)
        assert doc is not None
        doc.pop("kind")
        doc.pop("apiVersion")
        groups.append(doc)
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_resource_list(registry: Registry, group: str, version: str) -> dict[str, Any] | None:
    types = [rt for rt in registry if rt.group == group and rt.version == version]
    if not types:
        return None
    resources: list[dict[str, Any]] = []
    for rt in types:
        entry: dict[str, Any] = {
            "name": rt.plural,
            "singularName": rt.singular,
            "namespaced": rt.namespaced,
            "kind": rt.kind,
            "verbs": list(rt.verbs),
        }
        if rt.stored:  # a review has no storage, so no hash of it
            entry["storageVersionHash"] = _storage_hash(rt)
        if rt.short_names:
            entry["shortNames"] = list(rt.short_names)
        if rt.categories:
            entry["categories"] = list(rt.categories)
        resources.append(entry)
        if rt.has_status:
            resources.append(
                {"name": f"{rt.plural}/status", "singularName": "", "namespaced": rt.namespaced, "kind": rt.kind, "verbs": _STATUS_VERBS}
            )
        if rt.scale is not None:
            resources.append(
                {"name": f"{rt.plural}/scale", "singularName": "", "namespaced": rt.namespaced, "group": "autoscaling",
                 "version": "v1", "kind": "Scale", "verbs": _STATUS_VERBS}
            )
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": resources,
    }


def _aggregated_resource(rt: ResourceType) -> dict[str, Any]:
    kind = {"group": rt.group, "version": rt.version, "kind": rt.kind}
    out: dict[str, Any] = {
        "resource": rt.plural,
        "responseKind": kind,
        "scope": "Namespaced" if rt.namespaced else "Cluster",
        "singularResource": rt.singular,
        "verbs": list(rt.verbs),
    }
    if rt.short_names:
        out["shortNames"] = list(rt.short_names)
    if rt.categories:
        out["categories"] = list(rt.categories)
    subresources = []
    if rt.has_status:
        subresources.append({"subresource": "status", "responseKind": kind, "verbs": _STATUS_VERBS})
    if rt.scale is not None:
        scale_kind = {"group": "autoscaling", "version": "v1", "kind": "Scale"}
        subresources.append({"subresource": "scale", "responseKind": scale_kind, "verbs": _STATUS_VERBS})
    if subresources:
        out["subresources"] = subresources
    return out


def aggregated(registry: Registry, *, core: bool) -> dict[str, Any]:
    """``/api`` (core only) or ``/apis`` (every named group) as an ``APIGroupDiscoveryList``."""
    items = []
    for group, versions in sorted(registry.groups().items()):
        if (group == "") != core:
            continue
        version_docs = []
        for version in versions:
            resources = [_aggregated_resource(rt) for rt in registry if rt.group == group and rt.version == version]
            version_docs.append({"version": version, "resources": resources, "freshness": "Current"})
        items.append({"metadata": {"name": group} if group else {}, "versions": version_docs})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items}
