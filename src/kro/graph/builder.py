"""The graph compiler: an RGD document in, a typed and validated :class:`~kro.graph.model.Graph` out.

:func:`compile_rgd` runs every check and raises one :class:`~kro.graph.errors.CompileFailed` with all
the problems found, each located. The steps:

1. read the document's shape (:mod:`kro.graph.document`) and apply the static rules
   (:mod:`kro.graph.validation`);
2. convert ``spec.schema`` into the instance kind (:mod:`kro.graph.instance`, via :mod:`kro.schema`);
3. resolve every child's kind through the resolver port (:mod:`kro.graph.kinds`) and check each
   template's literal shape against it (:mod:`kro.graph.shape`);
4. declare ``schema`` and every resource id as typed CEL variables and compile every expression
   (:mod:`kro.graph.expressions`), collecting references;
5. order the resources (:mod:`kro.graph.dag`), infer the status schema (:mod:`kro.graph.status`)
   and generate the CRD.

Pure: schemas of other kinds come in through the resolver, positions come in as data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kro import __version__
from kro.api.features import DEFAULT_GATES, FeatureGates
from kro.api.refs import GVK
from kro.cel.types import DYN, CelType
from kro.graph.celenv import TypedEnv, object_type
from kro.graph.crd import build_crd
from kro.graph.dag import DAG
from kro.graph.document import SCHEMA_PATH, ResourceSpec, RGDDocument, read_document
from kro.graph.errors import CycleError
from kro.graph.expressions import (
    CompiledResource,
    ResourceContext,
    check_iterators_in_name,
    compile_conditions,
    compile_fields,
    compile_for_each,
)
from kro.graph.instance import read_instance_kind
from kro.graph.kinds import ChildKind, check_namespaces, resolve_kinds
from kro.graph.model import Graph, Node, NodeKind
from kro.graph.positions import PositionIndex
from kro.graph.pruning import prune, selection_chains
from kro.graph.report import Reporter
from kro.graph.shape import check_shape
from kro.graph.status import compile_status
from kro.graph.template import ExpressionField, walk_template
from kro.graph.validation import (
    check_external_ref_shape,
    check_for_each_shape,
    check_ids,
    check_template_shape,
    valid_id,
)
from kro.openapi import SchemaResolver

DEFAULT_KRO_VERSION = __version__
"""Stamped on generated CRDs (``kro.run/kro-version``); the controller uses the same value."""
CRD_GVK = GVK("apiextensions.k8s.io", "v1", "CustomResourceDefinition")
EACH = "each"


@dataclass(frozen=True)
class RootVariable:
    """How a graph's root appears to its expressions: an RGD's instance is ``schema``, a
    ResourceGraph's root object is ``root``. ``schema`` is the root object's OpenAPI schema (``None``
    when the root kind is unknown: the variable is then ``dyn``)."""

    name: str
    schema: Mapping[str, Any] | None
    namespaced: bool
    prune: bool = False
    """Prune the schema to what expressions read (worth it for another owner's large schema)."""


@dataclass(frozen=True)
class CompiledNodes:
    """What :func:`compile_nodes` returns: the nodes in dependency order and the environment the
    caller compiles anything else in (an RGD's status)."""

    nodes: Mapping[str, Node]
    topological_order: tuple[str, ...]
    env: TypedEnv


def compile_rgd(
    rgd: Mapping[str, Any],
    *,
    resolver: SchemaResolver,
    positions: PositionIndex | None = None,
    file: str | None = None,
    kro_version: str = DEFAULT_KRO_VERSION,
    features: FeatureGates = DEFAULT_GATES,
) -> Graph:
    """Compile one RGD document; raises :class:`~kro.graph.errors.CompileFailed` listing every
    problem (located when ``positions`` is given). ``features``: the feature gates the RGD is
    compiled under (``CELOmitFunction`` allows ``omit()`` in templates)."""
    report = Reporter(positions=positions, file=file)
    doc = read_document(rgd, report)
    instance = read_instance_kind(doc.schema, report) if doc.schema else None
    root = RootVariable(
        "schema", instance.variable_schema() if instance else None, instance.namespaced if instance else True
    )
    compiled = compile_nodes(
        doc.resources,
        root=root,
        sources=_expression_sources(doc),
        resolver=resolver,
        report=report,
        features=features,
    )
    env = compiled.env
    status = compile_status(doc.schema.get("status"), env, conditions_env=env.with_runtime(), report=report)
    crd = build_crd(doc, status, report=report, kro_version=kro_version) if doc.schema else {}
    if instance is None and not report:
        report.error(SCHEMA_PATH, "spec.schema needs a kind and an apiVersion")
    report.raise_if_any()
    assert instance is not None  # every failure above was reported
    return Graph(
        rgd_name=doc.name,
        instance_gvk=instance.gvk,
        instance_plural=str(crd.get("spec", {}).get("names", {}).get("plural", "")),
        instance_namespaced=instance.namespaced,
        nodes=compiled.nodes,
        topological_order=compiled.topological_order,
        status_fields=tuple(status.fields),
        crd=crd,
        status_conditions=tuple(status.conditions),
    )


def compile_nodes(
    resources: tuple[ResourceSpec, ...],
    *,
    root: RootVariable,
    sources: list[str],
    resolver: SchemaResolver,
    report: Reporter,
    features: FeatureGates = DEFAULT_GATES,
) -> CompiledNodes:
    """The part every graph shares, whatever its root: static checks, each resource's kind, every
    expression typed against the root and the other resources, the dependency order. Problems go
    to ``report`` (a graph with a cycle comes back without nodes). ``sources`` is the text of
    every ``${...}`` the graph holds, used to prune each schema to what expressions reach."""
    unique = _unique(resources)
    _static_checks(resources, report)
    kinds = resolve_kinds(unique, resolver, report)
    _kind_checks(unique, kinds, instance_namespaced=root.namespaced, report=report)
    env = TypedEnv(_variables(root, unique, kinds, sources))
    compiled = {r.id: _compile_resource(r, kinds.get(r.id), env, report, features) for r in unique}
    order = _order(unique, compiled, report)
    if order is None:
        return CompiledNodes({}, (), env)
    nodes = {
        r.id: _node(r, kinds[r.id], compiled[r.id], order.dependencies(r.id)) for r in unique if r.id in kinds
    }
    return CompiledNodes(nodes, order.topological_order(), env)


def _kind_checks(
    resources: tuple[ResourceSpec, ...],
    kinds: Mapping[str, ChildKind],
    *,
    instance_namespaced: bool,
    report: Reporter,
) -> None:
    """The rules that need each child's kind: scope and namespace, and the template's fields."""
    for r in resources:
        kind = kinds.get(r.id)
        if kind is None:
            continue
        check_namespaces(r, kind, instance_namespaced=instance_namespaced, report=report)
        if r.template is not None:
            path = (*r.path, "template")
            check_shape(r.template, kind.schema, kind=kind.label, doc_path=path, report=report, resource=r.id)


def _unique(resources: tuple[ResourceSpec, ...]) -> tuple[ResourceSpec, ...]:
    """The first resource of each id (duplicates are reported by :func:`check_ids`)."""
    seen: set[str] = set()
    out = []
    for r in resources:
        if r.id not in seen:
            seen.add(r.id)
            out.append(r)
    return tuple(out)


def _static_checks(resources: tuple[ResourceSpec, ...], report: Reporter) -> None:
    check_ids(resources, report)
    ids = frozenset(r.id for r in resources)
    for r in resources:
        check_template_shape(r, report)
        check_external_ref_shape(r, report)
        check_for_each_shape(r, ids, report)


def _expression_sources(doc: RGDDocument) -> list[str]:
    """The text of every ``${...}`` in the document's resources and status (malformed ones are
    reported later, by the checks that own them)."""
    spec = doc.raw.get("spec") if isinstance(doc.raw, Mapping) else None
    out: list[str] = []
    for found in walk_template(
        [spec.get("resources") if isinstance(spec, Mapping) else None, doc.schema.get("status")]
    ):
        if isinstance(found, ExpressionField):
            out.extend(seg.text for seg in found.parsed.expressions)
    return out


def _variables(
    root: RootVariable,
    resources: tuple[ResourceSpec, ...],
    kinds: Mapping[str, ChildKind],
    sources: list[str],
) -> dict[str, CelType]:
    """The root variable and one per resource; collections are lists. A resource whose kind is
    unknown is declared ``dyn`` so that one unknown kind does not cascade into more errors. Each
    schema is pruned to what the expressions can reach (:mod:`kro.graph.pruning`)."""
    chains = selection_chains(sources, {r.id for r in resources} | {EACH, root.name})
    out: dict[str, CelType] = {root.name: _root_type(root, chains.get(root.name, set()))}
    for r in resources:
        if not valid_id(r.id):
            continue  # reported; a name CEL cannot spell would only add confusing errors
        kind = kinds.get(r.id)
        reach = chains.get(r.id, set()) | (chains.get(EACH, set()) if _is_collection(r) else set())
        item = object_type(prune(kind.schema, reach)) if kind else DYN
        out[r.id] = CelType.list_of(item) if _is_collection(r) else item
    return out


def _root_type(root: RootVariable, reach: Any) -> CelType:
    if root.schema is None:
        return DYN
    return object_type(prune(root.schema, reach) if root.prune else root.schema)


def _is_collection(r: ResourceSpec) -> bool:
    if r.template is not None:
        return bool(r.for_each)
    metadata = (r.external_ref or {}).get("metadata")
    return isinstance(metadata, Mapping) and "selector" in metadata


def _compile_resource(
    r: ResourceSpec, kind: ChildKind | None, env: TypedEnv, report: Reporter, features: FeatureGates
) -> CompiledResource:
    out = CompiledResource()
    ctx = ResourceContext(
        r,
        kind.schema if kind else None,
        kind.label if kind else "",
        report,
        frozenset(n for n, _ in r.for_each),
        metadata_only=kind is not None and kind.gvk == CRD_GVK,
        features=features,
    )
    scoped = compile_for_each(env, ctx, out) if r.for_each and r.template is not None else env
    # an externalRef's metadata is matched schemaless: it only names the object
    compile_fields(scoped, r.body, ctx, out, schemaless=r.template is None)
    out.include_when = compile_conditions(env, ctx, "includeWhen", allowed=None)
    out.references |= {ref for c in out.include_when for ref in c.roots}
    if _is_collection(r):
        declared = env.declared(r.id)
        item = declared.element if isinstance(declared, CelType) else DYN
        ready_env = env.extend({EACH: item})
        out.ready_when = compile_conditions(ready_env, ctx, "readyWhen", allowed=frozenset({EACH}))
    else:
        out.ready_when = compile_conditions(env, ctx, "readyWhen", allowed=frozenset({r.id}))
    check_iterators_in_name(ctx, out)
    return out


def _order(
    resources: tuple[ResourceSpec, ...], compiled: Mapping[str, CompiledResource], report: Reporter
) -> DAG | None:
    dag = DAG([r.id for r in resources])
    ok = True
    for r in resources:
        deps = {ref for ref in compiled[r.id].references if ref in compiled and valid_id(ref)}
        if r.id in deps:
            report.error(r.path, f"resource {r.id!r} references itself", resource=r.id)
            deps.discard(r.id)
            ok = False
        dag.add_dependencies(r.id, deps)
    try:
        dag.topological_order()
    except CycleError as e:
        first = next(r for r in resources if r.id == e.cycle[0])
        report.error(first.path, str(e), resource=first.id)
        return None
    return dag if ok else None


def _node(r: ResourceSpec, kind: ChildKind, compiled: CompiledResource, deps: frozenset[str]) -> Node:
    if r.template is not None:
        node_kind = NodeKind.COLLECTION if r.for_each else NodeKind.RESOURCE
        template: Mapping[str, Any] = r.template
        selector = None
    else:
        ref = r.external_ref or {}
        metadata = ref.get("metadata") or {}
        template = {"apiVersion": ref.get("apiVersion"), "kind": ref.get("kind"), "metadata": metadata}
        selector = metadata.get("selector")
        node_kind = NodeKind.EXTERNAL_COLLECTION if selector is not None else NodeKind.EXTERNAL
    return Node(
        id=r.id,
        index=r.index,
        kind=node_kind,
        gvk=kind.gvk,
        namespaced=kind.namespaced,
        plural=kind.plural,
        template=template,
        fields=tuple(compiled.fields),
        dependencies=deps,
        include_when=tuple(c.expression for c in compiled.include_when),
        ready_when=tuple(c.expression for c in compiled.ready_when),
        for_each=tuple(compiled.for_each),
        external_selector=selector,
    )
