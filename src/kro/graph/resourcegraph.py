"""Compiling a ResourceGraph (``kro.dev/v1alpha1``): the same graph builder as an RGD's, with the
root taken from an existing kind instead of a generated one.

What differs from :func:`kro.graph.builder.compile_rgd` is only the root: its kind is looked up
through the same :class:`~kro.openapi.SchemaResolver` port (its storage version when
``spec.root.version`` is omitted), expressions call it ``root`` and are typed against its schema
(so ``${root.spec.nope}`` is a located type error), and no CRD is generated. Managed children
(``id`` + ``template``/``externalRef``) become the graph's nodes exactly as an RGD's resources do;
tracked children (``apiGroup``/``kind`` only) are resolved to a kind and carried alongside.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kro.api.features import DEFAULT_GATES, FeatureGates
from kro.api.refs import GVK
from kro.api.resourcegraph import RELEASE_DELETE, RELEASE_ORPHAN, RG_API_VERSION, RG_KIND
from kro.graph.builder import RootVariable, compile_nodes
from kro.graph.document import ResourceSpec, read_resource
from kro.graph.fieldschema import with_object_meta
from kro.graph.model import FieldPath, Graph
from kro.graph.positions import PositionIndex
from kro.graph.report import Reporter
from kro.graph.template import ExpressionField, walk_template
from kro.openapi import ResolvedKind, SchemaResolver, default_version

ROOT_VARIABLE = "root"
ROOT_PATH: FieldPath = ("spec", "root")
CHILDREN_PATH: FieldPath = ("spec", "children")
_SPEC_FIELDS = ("root", "children", "releasePolicy")
_MANAGED_KEYS = frozenset({"id", "template", "externalRef", "readyWhen", "includeWhen", "forEach"})
_TRACKED_KEYS = frozenset({"apiGroup", "kind", "version"})


@dataclass(frozen=True)
class TrackedChild:
    """A child kro does not create: objects of ``gvk`` labelled ``kro.dev/root: <root name>``."""

    index: int
    gvk: GVK
    plural: str
    namespaced: bool

    @property
    def id(self) -> str:
        """How status and ``kro status`` name it: the kind, lower-case (``virtualservice``)."""
        return self.gvk.kind.lower()


@dataclass(frozen=True)
class CompiledResourceGraph:
    name: str
    graph: Graph
    """The managed children, with ``root`` as the root variable."""
    tracked: tuple[TrackedChild, ...]
    release_policy: str
    root_plural: str

    @property
    def root_gvk(self) -> GVK:
        return self.graph.instance_gvk

    @property
    def root_namespaced(self) -> bool:
        return self.graph.instance_namespaced


@dataclass(frozen=True)
class _Document:
    name: str
    root: Mapping[str, Any]
    managed: tuple[ResourceSpec, ...]
    tracked: tuple[tuple[int, Mapping[str, Any]], ...]
    release_policy: str
    children_raw: Any


def compile_resourcegraph(
    rg: Mapping[str, Any],
    *,
    resolver: SchemaResolver,
    positions: PositionIndex | None = None,
    file: str | None = None,
    features: FeatureGates = DEFAULT_GATES,
) -> CompiledResourceGraph:
    """Compile one ResourceGraph; raises :class:`~kro.graph.errors.CompileFailed` with every
    problem, located when ``positions`` is given; ``features`` as for an RGD."""
    report = Reporter(positions=positions, file=file)
    doc = _read(rg, report)
    root = _resolve_root(doc.root, resolver, report)
    variable = RootVariable(
        ROOT_VARIABLE, _root_schema(root) if root else None, root.namespaced if root else True, prune=True
    )
    compiled = compile_nodes(
        doc.managed,
        root=variable,
        sources=_sources(doc.children_raw),
        resolver=resolver,
        report=report,
        features=features,
    )
    tracked = tuple(_resolve_tracked(i, raw, resolver, report) for i, raw in doc.tracked)
    report.raise_if_any()
    assert root is not None  # reported otherwise
    graph = Graph(
        rgd_name=doc.name,
        instance_gvk=root.gvk,
        instance_plural=root.plural or root.gvk.kind.lower() + "s",
        instance_namespaced=root.namespaced,
        nodes=compiled.nodes,
        topological_order=compiled.topological_order,
        root_variable=ROOT_VARIABLE,
    )
    return CompiledResourceGraph(
        doc.name, graph, tuple(t for t in tracked if t is not None), doc.release_policy, graph.instance_plural
    )


def _read(rg: Mapping[str, Any], report: Reporter) -> _Document:
    if not isinstance(rg, Mapping):
        report.error((), "a ResourceGraph document must be a YAML/JSON object")
        return _Document("", {}, (), (), RELEASE_DELETE, None)
    if rg.get("apiVersion") != RG_API_VERSION or rg.get("kind") != RG_KIND:
        report.error(("kind",), f"not a {RG_KIND} (expected apiVersion {RG_API_VERSION}, kind {RG_KIND})")
    metadata = rg.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    if not isinstance(name, str) or not name:
        report.error(("metadata",), "metadata.name is required")
        name = ""
    spec = rg.get("spec")
    if not isinstance(spec, Mapping):
        report.error(("spec",), "spec is required and must be an object")
        return _Document(name, {}, (), (), RELEASE_DELETE, None)
    for key in spec:
        if key not in _SPEC_FIELDS:
            report.error(("spec", key), f"unknown field {key!r}; spec has {', '.join(_SPEC_FIELDS)}", at_key=True)
    root = spec.get("root")
    if not isinstance(root, Mapping):
        report.error(ROOT_PATH, "spec.root is required: the existing kind's apiGroup and kind")
        root = {}
    policy = spec.get("releasePolicy", RELEASE_DELETE)
    if policy not in (RELEASE_DELETE, RELEASE_ORPHAN):
        report.error(("spec", "releasePolicy"), f"releasePolicy must be {RELEASE_DELETE} or {RELEASE_ORPHAN}")
        policy = RELEASE_DELETE
    managed, tracked = _read_children(spec.get("children"), report)
    return _Document(name, root, managed, tracked, str(policy), spec.get("children"))


def _read_children(
    raw: Any, report: Reporter
) -> tuple[tuple[ResourceSpec, ...], tuple[tuple[int, Mapping[str, Any]], ...]]:
    if raw is None:
        return (), ()
    if not isinstance(raw, list):
        report.error(CHILDREN_PATH, "spec.children must be a list")
        return (), ()
    managed: list[ResourceSpec] = []
    tracked: list[tuple[int, Mapping[str, Any]]] = []
    for i, child in enumerate(raw):
        if isinstance(child, Mapping) and not (_MANAGED_KEYS & child.keys()):
            _check_tracked_keys(i, child, report)
            tracked.append((i, child))
            continue
        if isinstance(child, Mapping):
            for key in _TRACKED_KEYS & child.keys():
                report.error(
                    (*CHILDREN_PATH, i, key),
                    f"{key!r} belongs to a tracked child; a managed child names its kind in its template",
                    at_key=True,
                )
            child = {k: v for k, v in child.items() if k not in _TRACKED_KEYS}
        spec = read_resource(i, child, report, base=CHILDREN_PATH)
        if spec is not None:
            managed.append(spec)
    return tuple(managed), tuple(tracked)


def _check_tracked_keys(index: int, child: Mapping[str, Any], report: Reporter) -> None:
    for key in child:
        if key not in _TRACKED_KEYS:
            report.error(
                (*CHILDREN_PATH, index, key),
                f"unknown field {key!r}; a tracked child has apiGroup, kind and version",
                at_key=True,
            )
    if not isinstance(child.get("kind"), str) or not child.get("kind"):
        report.error((*CHILDREN_PATH, index), "a child needs either an id and a template (managed) or a kind (tracked)")


def _resolve_root(root: Mapping[str, Any], resolver: SchemaResolver, report: Reporter) -> ResolvedKind | None:
    kind = root.get("kind")
    if not root:
        return None  # reported
    if not isinstance(kind, str) or not kind:
        report.error((*ROOT_PATH, "kind"), "spec.root.kind is required")
        return None
    found = _resolve_kind(root, resolver, report, path=ROOT_PATH, what="root kind")
    if found is not None and found.generated_by:
        report.error(
            (*ROOT_PATH, "kind"),
            f"root kind {found.gvk.kind} ({found.gvk.group}) belongs to ResourceGraphDefinition "
            f"{found.generated_by!r} (kro generated its CRD): kro manages every {found.gvk.kind} as an "
            f"instance of that RGD, and a ResourceGraph over it would have two controllers fight over "
            f"the same objects; add these children to the RGD's resources instead",
        )
    return found


def _resolve_tracked(
    index: int, raw: Mapping[str, Any], resolver: SchemaResolver, report: Reporter
) -> TrackedChild | None:
    if not isinstance(raw.get("kind"), str) or not raw.get("kind"):
        return None  # reported
    found = _resolve_kind(raw, resolver, report, path=(*CHILDREN_PATH, index), what="kind")
    if found is None:
        return None
    return TrackedChild(index, found.gvk, found.plural or found.gvk.kind.lower() + "s", found.namespaced)


def _resolve_kind(
    ref: Mapping[str, Any], resolver: SchemaResolver, report: Reporter, *, path: FieldPath, what: str
) -> ResolvedKind | None:
    group, kind, version = ref.get("apiGroup") or "", str(ref.get("kind")), ref.get("version")
    if not isinstance(group, str):
        report.error((*path, "apiGroup"), "apiGroup must be a string")
        return None
    shown = f"{kind!r} in group {group!r}" if group else f"{kind!r} in the core group"
    if version is None:
        version = default_version(resolver, group, kind)
        if version is None:
            report.error((*path, "kind"), f"unknown {what} {shown}; is its CRD installed? pass CRD files with -f")
            return None
    found = resolver.resolve(GVK(group, str(version), kind))
    if found is None:
        report.error(
            (*path, "kind"),
            f"unknown {what} {shown} at version {version!r}; is its CRD installed? pass CRD files with -f",
        )
    return found


def _root_schema(root: ResolvedKind) -> Mapping[str, Any]:
    """The root's schema as expressions see it: ObjectMeta-typed metadata, no status (it belongs
    to the root's owner, and kro reacts to changes of the spec)."""
    schema = with_object_meta(root.schema)
    props = {k: v for k, v in (schema.get("properties") or {}).items() if k != "status"}
    return {**schema, "properties": props}


def _sources(children: Any) -> list[str]:
    out: list[str] = []
    for found in walk_template([children]):
        if isinstance(found, ExpressionField):
            out.extend(seg.text for seg in found.parsed.expressions)
    return out
