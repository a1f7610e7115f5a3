"""Small builders for RGD documents, so each test states only what it is about."""

from __future__ import annotations

from typing import Any

from kro.graph.builder import compile_rgd
from kro.graph.errors import CompileFailed, Diagnostic
from kro.graph.model import Graph
from kro.openapi import BuiltinResolver, ChainResolver, CRDResolver

RESOLVER = BuiltinResolver()


def rgd(
    name: str = "demo",
    *,
    resources: list[dict[str, Any]] | None = None,
    spec: dict[str, Any] | None = None,
    status: dict[str, Any] | None = None,
    kind: str = "Demo",
    scope: str | None = None,
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "apiVersion": "v1alpha1",
        "kind": kind,
        "spec": spec or {"name": "string | default=x"},
    }
    if status is not None:
        schema["status"] = status
    if scope is not None:
        schema["scope"] = scope
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": name},
        "spec": {"schema": schema, "resources": resources or []},
    }


def resource(rid: str, template: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": rid}
    if template is not None:
        out["template"] = template
    out.update(extra)
    return out


def obj(api_version: str, kind: str, name: str = "${schema.metadata.name}", **fields: Any) -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}, **fields}


def configmap(name: str = "${schema.metadata.name}", **data: str) -> dict[str, Any]:
    return obj("v1", "ConfigMap", name, data=dict(data)) if data else obj("v1", "ConfigMap", name)


def deployment(
    name: str = "${schema.metadata.name}", replicas: Any = 1, image: str = "nginx"
) -> dict[str, Any]:
    return obj(
        "apps/v1",
        "Deployment",
        name,
        spec={
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "demo"}},
            "template": {
                "metadata": {"labels": {"app": "demo"}},
                "spec": {"containers": [{"name": "main", "image": image}]},
            },
        },
    )


def widget_crd(*, scope: str = "Namespaced", preserve: bool = False) -> dict[str, Any]:
    """A CRD for ``example.com/v1 Widget`` with ``spec.size`` (int) and ``status.phase``."""
    spec_schema: dict[str, Any] = {"type": "object", "properties": {"size": {"type": "integer"}}}
    if preserve:
        spec_schema = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": scope,
            "names": {"kind": "Widget", "plural": "widgets"},
            "versions": [
                {
                    "name": "v1",
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": spec_schema,
                                "status": {"type": "object", "properties": {"phase": {"type": "string"}}},
                            },
                        }
                    },
                }
            ],
        },
    }


def with_crds(*crds: dict[str, Any]) -> ChainResolver:
    return ChainResolver([CRDResolver(crds), RESOLVER])


def compile_ok(doc: dict[str, Any], **kwargs: Any) -> Graph:
    kwargs.setdefault("resolver", RESOLVER)
    return compile_rgd(doc, **kwargs)


def problems(doc: dict[str, Any], **kwargs: Any) -> list[Diagnostic]:
    kwargs.setdefault("resolver", RESOLVER)
    try:
        compile_rgd(doc, **kwargs)
    except CompileFailed as e:
        return list(e.diagnostics)
    raise AssertionError("the RGD compiled, but errors were expected")


def messages(doc: dict[str, Any], **kwargs: Any) -> list[str]:
    return [f"{d.path}: {d.message}" for d in problems(doc, **kwargs)]


def one_problem(doc: dict[str, Any], **kwargs: Any) -> Diagnostic:
    found = problems(doc, **kwargs)
    assert len(found) == 1, [str(d) for d in found]
    return found[0]
