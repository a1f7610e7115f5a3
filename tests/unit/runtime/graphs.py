"""Small builders for RGDs, compiled by the real compiler (:func:`kro.graph.builder.compile_rgd`)
against the built-in Kubernetes schemas, so the planner is tested on the graphs it will really get."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kro.graph.builder import compile_rgd
from kro.graph.model import Graph
from kro.openapi import BuiltinResolver

_RESOLVER = BuiltinResolver()


def resource(
    id: str,
    template: Mapping[str, Any] | None = None,
    *,
    ready_when: Sequence[str] = (),
    include_when: Sequence[str] = (),
    for_each: Sequence[tuple[str, str]] = (),
    external: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"id": id}
    if template is not None:
        out["template"] = dict(template)
    if external is not None:
        out["externalRef"] = dict(external)
    if ready_when:
        out["readyWhen"] = list(ready_when)
    if include_when:
        out["includeWhen"] = list(include_when)
    if for_each:
        out["forEach"] = [{name: expr} for name, expr in for_each]
    return out


def rgd(
    resources: Sequence[Mapping[str, Any]],
    *,
    spec: Mapping[str, Any] | None = None,
    status: Mapping[str, Any] | None = None,
    kind: str = "App",
) -> dict[str, Any]:
    schema: dict[str, Any] = {"apiVersion": "v1alpha1", "kind": kind, "spec": dict(spec or {})}
    if status:
        schema["status"] = dict(status)
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": kind.lower()},
        "spec": {"schema": schema, "resources": list(resources)},
    }


def compiled(
    resources: Sequence[Mapping[str, Any]],
    *,
    spec: Mapping[str, Any] | None = None,
    status: Mapping[str, Any] | None = None,
    kind: str = "App",
) -> Graph:
    return compile_rgd(rgd(resources, spec=spec, status=status, kind=kind), resolver=_RESOLVER)


def instance(
    name: str = "demo",
    *,
    namespace: str = "default",
    spec: Mapping[str, Any] | None = None,
    kind: str = "App",
) -> dict[str, Any]:
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace, "uid": f"uid-{name}", "generation": 1},
        "spec": dict(spec or {}),
    }


def with_uids(objects: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``objects`` as the API server would hold them: each with a uid."""
    out = []
    for o in objects:
        meta = dict(o.get("metadata") or {})
        meta["uid"] = f"u-{o.get('kind')}-{meta.get('name')}"
        out.append({**o, "metadata": meta})
    return out
