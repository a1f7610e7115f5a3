"""Inlining an OpenAPI v3 document's references into one schema per kind."""

from __future__ import annotations

from typing import Any

from kro.api import GVK
from kro.kube.schemas import kinds_in, resolve_schema

REF = "#/components/schemas/"


def definitions() -> dict[str, Any]:
    return {
        "io.k8s.api.apps.v1.Deployment": {
            "type": "object",
            "x-kubernetes-group-version-kind": [{"group": "apps", "kind": "Deployment", "version": "v1"}],
            "properties": {
                "metadata": {
                    "allOf": [{"$ref": REF + "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}],
                    "default": {},
                    "description": "meta",
                },
                "spec": {"$ref": REF + "io.k8s.api.apps.v1.DeploymentSpec"},
            },
        },
        "io.k8s.api.apps.v1.DeploymentSpec": {
            "type": "object",
            "properties": {
                "replicas": {"type": "integer", "format": "int32"},
                "maxSurge": {"allOf": [{"$ref": REF + "io.k8s.apimachinery.pkg.util.intstr.IntOrString"}]},
            },
        },
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {
            "type": "object",
            "properties": {"name": {"type": "string"}},
        },
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": "string", "format": "int-or-string"},
        "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions": {
            "type": "object",
            "x-kubernetes-group-version-kind": [
                {"group": "apps", "kind": "DeleteOptions", "version": "v1"},
                {"group": "", "kind": "DeleteOptions", "version": "v1"},
            ],
        },
        "example.Node": {"type": "object", "properties": {"child": {"$ref": REF + "example.Node"}}},
    }


def test_references_and_allof_wrappers_are_inlined_with_their_siblings() -> None:
    schema = resolve_schema(definitions(), "io.k8s.api.apps.v1.Deployment")
    meta = schema["properties"]["metadata"]
    assert meta["properties"]["name"] == {"type": "string"}
    assert meta["description"] == "meta" and meta["default"] == {}
    assert "allOf" not in meta
    spec = schema["properties"]["spec"]
    assert spec["properties"]["replicas"]["type"] == "integer"
    assert spec["properties"]["maxSurge"] == {"x-kubernetes-int-or-string": True}


def test_recursive_types_stop_at_the_depth_limit() -> None:
    schema = resolve_schema(definitions(), "example.Node", max_depth=3)
    node = schema
    for _ in range(3):  # three levels inlined ...
        node = node["properties"]["child"]
        assert "properties" in node
    node = node["properties"]["child"]  # ... then "any object"
    assert node == {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


def test_kinds_are_found_by_their_gvk_extension() -> None:
    kinds = kinds_in(definitions())
    assert kinds[GVK("apps", "v1", "Deployment")] == "io.k8s.api.apps.v1.Deployment"
    assert kinds[GVK("", "v1", "DeleteOptions")] == "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"
