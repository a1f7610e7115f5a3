"""Compiling several RGDs together, so that one RGD may use a kind another one defines.

:func:`compile_many` orders the RGDs by the kinds they use (an RGD whose kind another RGD's
resource uses goes first), compiles each, and adds each generated CRD to a :class:`CRDResolver`
that later RGDs resolve kinds through. An RGD that fails still contributes a CRD with an open
status (when its schema allows one), so its dependents are checked rather than drowned in
"unknown kind" errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kro.api import KRO_GROUP
from kro.api.features import DEFAULT_GATES, FeatureGates
from kro.api.refs import GVK
from kro.graph.builder import DEFAULT_KRO_VERSION, compile_rgd
from kro.graph.dag import DAG
from kro.graph.document import SCHEMA_PATH
from kro.graph.errors import CompileFailed, CycleError, Diagnostic
from kro.graph.model import FieldPath, Graph
from kro.graph.positions import PositionIndex
from kro.graph.report import Reporter
from kro.openapi import ChainResolver, CRDResolver, SchemaResolver
from kro.schema import SchemaError, crd_from_rgd_schema

_OPEN_STATUS: dict[str, Any] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


@dataclass(frozen=True)
class RGDSource:
    """One RGD document and where it came from."""

    document: Mapping[str, Any]
    positions: PositionIndex | None = None
    file: str | None = None


@dataclass(frozen=True)
class CompileResult:
    source: RGDSource
    name: str
    graph: Graph | None
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def ok(self) -> bool:
        return self.graph is not None


def compile_many(
    sources: Sequence[RGDSource],
    *,
    resolver: SchemaResolver,
    kro_version: str = DEFAULT_KRO_VERSION,
    features: FeatureGates = DEFAULT_GATES,
) -> list[CompileResult]:
    """Compile every RGD, in an order that lets each use the kinds of the others; results come
    back in input order. ``features``: the feature gates they are compiled under."""
    crds = CRDResolver()
    chained = ChainResolver([crds, resolver])
    defined = [_instance_gvk(s.document) for s in sources]
    order, cyclic = _order(sources, defined)
    results: dict[int, CompileResult] = {}
    for i in order:
        src = sources[i]
        name = _name(src.document)
        problems = _duplicate_kind(i, defined, src)
        if i in cyclic:
            problems.append(_located(src, f"RGDs use each other's kinds in a cycle: {cyclic[i]}"))
        try:
            graph = compile_rgd(
                src.document,
                resolver=chained,
                positions=src.positions,
                file=src.file,
                kro_version=kro_version,
                features=features,
            )
        except CompileFailed as e:
            results[i] = CompileResult(src, name, None, (*problems, *e.diagnostics))
            fallback = _fallback_crd(src.document, kro_version)
            if fallback:
                crds.add(fallback)
            continue
        crds.add(graph.crd)
        results[i] = CompileResult(src, name, None if problems else graph, tuple(problems))
    return [results[i] for i in range(len(sources))]


def _name(doc: Mapping[str, Any]) -> str:
    metadata = doc.get("metadata") if isinstance(doc, Mapping) else None
    return str(metadata.get("name", "")) if isinstance(metadata, Mapping) else ""


def _schema(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    spec = doc.get("spec") if isinstance(doc, Mapping) else None
    schema = spec.get("schema") if isinstance(spec, Mapping) else None
    return schema if isinstance(schema, Mapping) else {}


def _instance_gvk(doc: Mapping[str, Any]) -> GVK | None:
    schema = _schema(doc)
    kind, version = schema.get("kind"), schema.get("apiVersion")
    if not isinstance(kind, str) or not isinstance(version, str):
        return None
    return GVK(str(schema.get("group") or KRO_GROUP), version, kind)


def _used_gvks(doc: Mapping[str, Any]) -> set[GVK]:
    spec = doc.get("spec") if isinstance(doc, Mapping) else None
    resources = spec.get("resources") if isinstance(spec, Mapping) else None
    out: set[GVK] = set()
    for r in resources if isinstance(resources, list) else []:
        body = (r.get("template") or r.get("externalRef")) if isinstance(r, Mapping) else None
        if (
            isinstance(body, Mapping)
            and isinstance(body.get("apiVersion"), str)
            and isinstance(body.get("kind"), str)
        ):
            out.add(GVK.from_api_version(body["apiVersion"], body["kind"]))
    return out


def _order(sources: Sequence[RGDSource], defined: Sequence[GVK | None]) -> tuple[list[int], dict[int, str]]:
    """Indexes in compile order, and for RGDs caught in a cycle of kinds, the cycle's text."""
    by_gvk = {gvk: i for i, gvk in reversed(list(enumerate(defined))) if gvk is not None}
    dag = DAG([str(i) for i in range(len(sources))])
    for i, src in enumerate(sources):
        deps = {str(by_gvk[g]) for g in _used_gvks(src.document) if g in by_gvk and by_gvk[g] != i}
        dag.add_dependencies(str(i), deps)
    cyclic: dict[int, str] = {}
    while True:
        try:
            return [int(v) for v in dag.topological_order()], cyclic
        except CycleError as e:
            text = " -> ".join(_name(sources[int(v)].document) or v for v in e.cycle)
            for v in e.cycle:
                cyclic[int(v)] = text
            dag = _without_edges_among(dag, set(e.cycle))


def _without_edges_among(dag: DAG, members: set[str]) -> DAG:
    out = DAG(list(dag.vertices))
    for v in dag.vertices:
        deps = dag.dependencies(v)
        out.add_dependencies(v, deps - members if v in members else deps)
    return out


def _duplicate_kind(i: int, defined: Sequence[GVK | None], src: RGDSource) -> list[Diagnostic]:
    gvk = defined[i]
    first = defined.index(gvk) if gvk is not None else i
    if first == i:
        return []
    assert gvk is not None
    return [
        _located(
            src,
            f"kind {gvk.kind} ({gvk.api_version}) is already defined by another RGD",
            path=(*SCHEMA_PATH, "kind"),
        )
    ]


def _located(src: RGDSource, message: str, path: FieldPath = ("metadata", "name")) -> Diagnostic:
    report = Reporter(positions=src.positions, file=src.file)
    report.error(path, message)
    return report.diagnostics[0]


def _fallback_crd(doc: Mapping[str, Any], kro_version: str) -> dict[str, Any] | None:
    try:
        return crd_from_rgd_schema(
            _schema(doc), rgd_name=_name(doc), status_schema=_OPEN_STATUS, kro_version=kro_version
        )
    except SchemaError:
        return None
