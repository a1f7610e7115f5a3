"""``/openapi/v2`` and ``/openapi/v3`` documents for every served kind, so ``kubectl explain`` works.

Built-in kinds' definitions come from :mod:`kro.openapi` (the shipped Kubernetes definitions); only
their reference syntax is rewritten for the document (``#/definitions/...`` in v2,
``#/components/schemas/...`` in v3). Custom resources get their CRD version's schema, named like
kube-apiserver names them (reversed group, version, kind) and with ``metadata`` pointing at ObjectMeta.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kro.devcluster.codec import openapi as openapi_codec
from kro.devcluster.registry import Registry, ResourceType
from kro.openapi import builtin_schemas

KUBERNETES_VERSION = "v1.32.0"
_OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"


def _ref_target(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _convert(node: Any, prefix: str, refs: set[str]) -> Any:
    if isinstance(node, list):
        return [_convert(x, prefix, refs) for x in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            target = _ref_target(value)
            refs.add(target)
            out[key] = prefix + target
        elif key == "type" and isinstance(value, list):
            kinds = [t for t in value if t != "null"]
            if kinds:
                out["type"] = kinds[0]
        elif key == "oneOf" and isinstance(value, list) and len(value) == 2:
            out["type"] = "string"
            out["format"] = "int-or-string"
        elif key in ("$schema", "$id"):
            continue
        else:
            out[key] = _convert(value, prefix, refs)
    return out


def crd_definition_name(rt: ResourceType) -> str:
    reversed_group = ".".join(reversed(rt.group.split(".")))
    return f"{reversed_group}.{rt.version}.{rt.kind}"


def _crd_schema(rt: ResourceType, prefix: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(json.dumps(rt.schema or {"type": "object", "x-kubernetes-preserve-unknown-fields": True}))
    props = schema.setdefault("properties", {})
    props["apiVersion"] = {"type": "string", "description": "APIVersion defines the versioned schema of this representation of an object."}
    props["kind"] = {"type": "string", "description": "Kind is a string value representing the REST resource this object represents."}
    props["metadata"] = {"$ref": prefix + _OBJECT_META, "description": "Standard object's metadata."}
    schema.setdefault("type", "object")
    schema["x-kubernetes-group-version-kind"] = [{"group": rt.group, "version": rt.version, "kind": rt.kind}]
    return schema


class OpenAPIDocuments:
    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._cache: dict[tuple[str, str, str], tuple[int, bytes]] = {}

    def _definitions(self, types: Iterable[ResourceType], prefix: str) -> dict[str, Any]:
        defs = builtin_schemas().definitions
        out: dict[str, Any] = {}
        todo: list[str] = []
        for rt in types:
            if rt.is_custom:
                refs: set[str] = set()
                out[crd_definition_name(rt)] = _crd_schema(rt, prefix)
                todo.append(_OBJECT_META)
            else:
                name = builtin_schemas().definition_name(rt.gvk)
                if name:
                    todo.append(name)
        while todo:
            name = todo.pop()
            if name in out or name not in defs:
                continue
            refs = set()
            out[name] = _convert(defs[name], prefix, refs)
            todo.extend(r for r in refs if r not in out)
        return out

    def _cached(self, key: tuple[str, str, str], build: Any) -> bytes:
        hit = self._cache.get(key)
        if hit is not None and hit[0] == self._registry.revision:
            return hit[1]
        body = json.dumps(build(), separators=(",", ":")).encode()
        self._cache[key] = (self._registry.revision, body)
        return body

    def v2(self) -> bytes:
        def build() -> dict[str, Any]:
            return {
                "swagger": "2.0",
                "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION},
                "paths": {},
                "definitions": self._definitions(list(self._registry), "#/definitions/"),
            }

        return self._cached(("v2", "", ""), build)

    def v2_etag(self) -> str:
        """kube-openapi's ETag: the SHA-512 of the JSON document, in upper-case hex."""
        return self._cached_bytes(("v2etag", "", ""), lambda: hashlib.sha512(self.v2()).hexdigest().upper().encode()).decode()

    def v2_protobuf(self) -> bytes:
        return self._cached_bytes(("v2pb", "", ""), lambda: openapi_codec.encode_v2(json.loads(self.v2())))

    def v3_group_protobuf(self, group: str, version: str) -> bytes | None:
        doc = self.v3_group(group, version)
        if doc is None:
            return None
        return self._cached_bytes(("v3pb", group, version), lambda: openapi_codec.encode_v3(json.loads(doc)))

    def _cached_bytes(self, key: tuple[str, str, str], build: Callable[[], bytes]) -> bytes:
        hit = self._cache.get(key)
        if hit is not None and hit[0] == self._registry.revision:
            return hit[1]
        body = build()
        self._cache[key] = (self._registry.revision, body)
        return body

    def v3_root(self) -> dict[str, Any]:
        paths: dict[str, Any] = {}
        for group, versions in self._registry.groups().items():
            for version in versions:
                key = f"apis/{group}/{version}" if group else f"api/{version}"
                digest = hashlib.sha256(f"{key}:{self._registry.revision}".encode()).hexdigest()[:32].upper()
                paths[key] = {"serverRelativeURL": f"/openapi/v3/{key}?hash={digest}"}
        return {"paths": paths}

    def v3_group(self, group: str, version: str) -> bytes | None:
        types = [rt for rt in self._registry if rt.group == group and rt.version == version]
        if not types:
            return None

        def build() -> dict[str, Any]:
            return {
                "openapi": "3.0.0",
                "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION},
                "paths": _paths(types),
                "components": {"schemas": self._definitions(types, "#/components/schemas/")},
            }

        return self._cached(("v3", group, version), build)




_WRITE_PARAMS = ("dryRun", "fieldManager", "fieldValidation")


def _query_params(names: Iterable[str]) -> list[dict[str, Any]]:
    return [{"name": n, "in": "query", "schema": {"type": "string", "uniqueItems": True}} for n in names]


def _paths(types: Iterable[ResourceType]) -> dict[str, Any]:
    """Item and collection paths with their operations: clients (kubectl) look here, by the
    operations' GVK extension, for the query parameters an endpoint supports."""
    paths: dict[str, Any] = {}
    for rt in types:
        prefix = f"/apis/{rt.group}/{rt.version}" if rt.group else f"/api/{rt.version}"
        scope = "/namespaces/{namespace}" if rt.namespaced else ""
        gvk = {"group": rt.group, "version": rt.version, "kind": rt.kind}
        ref = crd_definition_name(rt) if rt.is_custom else builtin_schemas().definition_name(rt.gvk)
        body = {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}} if ref else {}

        def op(action: str, params: Iterable[str], *, kind_ext: Mapping[str, str] = gvk, body: Mapping[str, Any] = body) -> dict[str, Any]:
            out: dict[str, Any] = {
                "x-kubernetes-action": action,
                "x-kubernetes-group-version-kind": dict(kind_ext),
                "parameters": _query_params(params),
                "responses": {"200": {"description": "OK", **body}},
            }
            return out

        if not rt.stored:  # a review: only created
            paths[f"{prefix}{scope}/{rt.plural}"] = {"post": op("post", _WRITE_PARAMS)}
            continue
        paths[f"{prefix}{scope}/{rt.plural}"] = {
            "get": op("list", ("labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "watch")),
            "post": op("post", _WRITE_PARAMS),
            "delete": op("deletecollection", ("labelSelector", "fieldSelector", "propagationPolicy", "dryRun")),
        }
        paths[f"{prefix}{scope}/{rt.plural}/{{name}}"] = {
            "get": op("get", ()),
            "put": op("put", _WRITE_PARAMS),
            "patch": op("patch", (*_WRITE_PARAMS, "force")),
            "delete": op("delete", ("propagationPolicy", "dryRun", "gracePeriodSeconds")),
        }
        if rt.has_status:
            paths[f"{prefix}{scope}/{rt.plural}/{{name}}/status"] = {
                "get": op("get", ()),
                "put": op("put", _WRITE_PARAMS),
                "patch": op("patch", (*_WRITE_PARAMS, "force")),
            }
    return paths
