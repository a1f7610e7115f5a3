"""Compiling a ResourceGraph: the root's kind comes from its CRD, expressions call it ``root`` and
are typed against its schema; managed children compile as an RGD's resources do, tracked children
resolve to a kind."""

from __future__ import annotations

from typing import Any

import pytest

from kro.api.refs import GVK
from kro.graph.errors import CompileFailed
from kro.graph.resourcegraph import compile_resourcegraph
from kro.openapi import BuiltinResolver, ChainResolver, CRDResolver

_STR = {"type": "string"}


def _crd(group: str, kind: str, *, versions: tuple[tuple[str, bool], ...] = (("v1", True),),
         spec: dict[str, Any] | None = None, scope: str = "Namespaced") -> dict[str, Any]:
    plural = kind.lower() + ("es" if kind.endswith("h") else "s")
    schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": spec or {}}}}
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {"group": group, "scope": scope, "names": {"kind": kind, "plural": plural},
                 "versions": [{"name": v, "served": True, "storage": s, "schema": {"openAPIV3Schema": schema}}
                              for v, s in versions]},
    }


MESH = _crd("networking.example.com", "ServiceMesh", versions=(("v1alpha1", False), ("v1beta1", True)),
            spec={"hosts": {"type": "array", "items": _STR}, "backend": _STR})
GATEWAY = _crd("networking.istio.io", "Gateway", spec={"servers": {"type": "array", "items": _STR}})
VS = _crd("networking.istio.io", "VirtualService", spec={"hosts": {"type": "array", "items": _STR},
                                                         "gateways": {"type": "array", "items": _STR}})
RESOLVER = ChainResolver([CRDResolver([MESH, GATEWAY, VS]), BuiltinResolver()])


def rg(children: list[dict[str, Any]], *, root: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "kro.dev/v1alpha1", "kind": "ResourceGraph", "metadata": {"name": "mesh"},
        "spec": {"root": root or {"apiGroup": "networking.example.com", "kind": "ServiceMesh"},
                 "children": children, **spec},
    }


def gateway(**spec: Any) -> dict[str, Any]:
    return {"id": "gateway", "template": {"apiVersion": "networking.istio.io/v1", "kind": "Gateway",
                                          "metadata": {"name": "${root.metadata.name}-gw"},
                                          "spec": spec or {"servers": "${root.spec.hosts}"}}}


def errors(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(CompileFailed) as e:
        compile_resourcegraph(doc, resolver=RESOLVER)
    return [str(d) for d in e.value.diagnostics]


def test_root_kind_at_its_storage_version_when_none_is_given() -> None:
    compiled = compile_resourcegraph(rg([gateway()]), resolver=RESOLVER)
    assert compiled.root_gvk == GVK("networking.example.com", "v1beta1", "ServiceMesh")
    assert compiled.root_plural == "servicemeshes" and compiled.root_namespaced
    assert compiled.graph.root_variable == "root"
    assert compiled.release_policy == "Delete"


def test_managed_children_in_dependency_order_and_tracked_children_resolved() -> None:
    vs = {"id": "vs", "template": {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
                                   "metadata": {"name": "${root.metadata.name}"},
                                   "spec": {"gateways": ["${gateway.metadata.name}"]}}}
    compiled = compile_resourcegraph(
        rg([vs, gateway(), {"apiGroup": "networking.istio.io", "kind": "Gateway"}], releasePolicy="Orphan"),
        resolver=RESOLVER,
    )
    assert compiled.graph.topological_order == ("gateway", "vs")
    assert compiled.graph.nodes["vs"].dependencies == frozenset({"gateway"})
    assert [(t.index, t.gvk.kind, t.plural) for t in compiled.tracked] == [(2, "Gateway", "gateways")]
    assert compiled.release_policy == "Orphan"


def test_an_unknown_root_field_is_a_located_type_error() -> None:
    assert errors(rg([gateway(servers="${root.spec.nope}")])) == [
        "resource 'gateway': spec.children[0].template.spec.servers: undefined field 'nope': "
        "root.spec has no such field"
    ]


def test_the_root_is_root_not_schema() -> None:
    (message,) = errors(rg([gateway(servers="${schema.spec.hosts}")]))
    assert "schema" in message and "spec.children[0].template.spec.servers" in message


def test_an_unknown_root_kind_says_to_pass_its_crd() -> None:
    assert errors(rg([], root={"apiGroup": "networking.example.com", "kind": "Mesh"})) == [
        "spec.root.kind: unknown root kind 'Mesh' in group 'networking.example.com'; is its CRD installed? "
        "pass CRD files with -f"
    ]
    assert "at version 'v9'" in errors(
        rg([], root={"apiGroup": "networking.example.com", "kind": "ServiceMesh", "version": "v9"})
    )[0]


def test_an_unknown_tracked_kind_is_located() -> None:
    assert errors(rg([{"apiGroup": "networking.istio.io", "kind": "Sidecar"}])) == [
        "spec.children[0].kind: unknown kind 'Sidecar' in group 'networking.istio.io'; is its CRD installed? "
        "pass CRD files with -f"
    ]


def test_a_cycle_is_reported() -> None:
    a = gateway(servers=["${b.metadata.name}"])
    b = {"id": "b", "template": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "${gateway.metadata.name}"}}}
    (message,) = errors(rg([a, b]))
    assert "cycle" in message and message.startswith("resource 'gateway': spec.children[0]")


def test_a_child_mixing_managed_and_tracked_fields_is_rejected() -> None:
    child = {**gateway(), "kind": "Gateway"}
    assert errors(rg([child])) == [
        "spec.children[0].kind: 'kind' belongs to a tracked child; a managed child names its kind in its template"
    ]
    assert errors(rg([{"apiGroup": "networking.istio.io"}])) == [
        "spec.children[0]: a child needs either an id and a template (managed) or a kind (tracked)"
    ]


def test_spec_fields_are_checked() -> None:
    assert errors(rg([], releasePolicy="Keep")) == ["spec.releasePolicy: releasePolicy must be Delete or Orphan"]
    assert errors({"apiVersion": "kro.dev/v1alpha1", "kind": "ResourceGraph", "metadata": {"name": "x"},
                   "spec": {"children": []}}) == [
        "spec.root: spec.root is required: the existing kind's apiGroup and kind"
    ]


def test_a_builtin_kind_can_be_the_root() -> None:
    compiled = compile_resourcegraph(rg([], root={"apiGroup": "apps", "kind": "Deployment"}), resolver=RESOLVER)
    assert compiled.root_gvk == GVK("apps", "v1", "Deployment")
