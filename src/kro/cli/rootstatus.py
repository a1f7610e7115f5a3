"""``kro status KIND/NAME`` for a ResourceGraph's root (``kro status servicemesh/service-mesh-01``).

kro writes nothing on a root (its spec and status belong to its owner), so the command recomputes
what the controller sees: it reads the root, the ResourceGraph it names (``kro.dev/graph``, or the
only graph over its kind), compiles the graph against the cluster's CRDs, reads the managed
children (by the root's UID) and the tracked ones (by ``kro.dev/root``), and plans with nothing
applied. It only reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rich.markup import escape
from rich.tree import Tree

from kro import __version__
from kro.api.conditions import NodeState
from kro.api.keys import Labels
from kro.api.refs import GVR
from kro.api.resourcegraph import RG_GROUP, RG_PLURAL, RG_VERSION
from kro.controller.roots import ChildReport, children_of, graph_of, plan_root, tracked_report
from kro.graph.errors import CompileFailed
from kro.graph.resourcegraph import CompiledResourceGraph, compile_resourcegraph
from kro.openapi import BuiltinResolver, ChainResolver, CRDResolver
from kro.runtime.observed import Snapshot
from kro.schema import pluralize

_CRDS = GVR("apiextensions.k8s.io", "v1", "customresourcedefinitions")
_STYLE = {
    NodeState.SYNCED.value: "green",
    NodeState.SKIPPED.value: "dim",
    NodeState.ERROR.value: "bold red",
}


class RootStatusError(Exception):
    """The root, its ResourceGraph or the cluster could not be read."""


@dataclass(frozen=True)
class RootStatus:
    root: Mapping[str, Any]
    graph: str
    children: list[ChildReport]


def _over(rg: Mapping[str, Any], kind: str) -> bool:
    root_kind = str(((rg.get("spec") or {}).get("root") or {}).get("kind", ""))
    return kind.lower() in (root_kind.lower(), pluralize(root_kind).lower())


async def read_root_status(client: Any, kind: str, name: str, *, namespace: str) -> RootStatus | None:
    """``None`` when no ResourceGraph has ``kind`` as its root kind."""
    graphs = [g for g in (await client.list_all(GVR(RG_GROUP, RG_VERSION, RG_PLURAL)))["items"] if _over(g, kind)]
    if not graphs:
        return None
    crds = (await client.list_all(_CRDS))["items"]
    resolver = ChainResolver([CRDResolver(crds), BuiltinResolver()])
    compiled: dict[str, CompiledResourceGraph | CompileFailed] = {}
    for g in graphs:
        try:
            compiled[g["metadata"]["name"]] = compile_resourcegraph(g, resolver=resolver)
        except CompileFailed as e:
            compiled[g["metadata"]["name"]] = e
    some = next((c for c in compiled.values() if isinstance(c, CompiledResourceGraph)), None)
    if some is None:
        raise RootStatusError(f"no ResourceGraph over {kind!r} compiles: {next(iter(compiled.values()))}")
    gvk = some.root_gvk
    ns = namespace if some.root_namespaced else None
    root = await client.get(GVR(gvk.group, gvk.version, some.root_plural), name, namespace=ns)
    wanted = graph_of(root)
    chosen = compiled.get(wanted) if wanted else None
    if chosen is None:
        attached = f"names ResourceGraph {wanted!r}, which does not exist" if wanted else f"carries no {Labels.GRAPH}"
        raise RootStatusError(f"{gvk.kind} {name} {attached}: kro does not manage it")
    if not isinstance(chosen, CompiledResourceGraph):
        raise RootStatusError(f"ResourceGraph {wanted} does not compile: {chosen}")
    objects = await _observed(client, chosen, root)
    observed = Snapshot(objects)
    plan = plan_root(chosen, root, observed, kro_version=__version__)
    tracked = [tracked_report(t, root, observed) for t in chosen.tracked]
    return RootStatus(root, chosen.name, children_of(plan, chosen, tracked))


async def _observed(client: Any, compiled: CompiledResourceGraph, root: Mapping[str, Any]) -> list[dict[str, Any]]:
    meta = root.get("metadata") or {}
    out: list[dict[str, Any]] = []
    seen: set[GVR] = set()
    for node in compiled.graph.nodes.values():
        gvr = GVR(node.gvk.group, node.gvk.version, node.plural)
        if gvr not in seen:
            seen.add(gvr)
            selector = None if node.is_external else {Labels.INSTANCE_ID: str(meta.get("uid", ""))}
            out.extend((await client.list_all(gvr, label_selector=selector))["items"])
    for t in compiled.tracked:
        gvr = GVR(t.gvk.group, t.gvk.version, t.plural)
        out.extend((await client.list_all(gvr, label_selector={Labels.ROOT: str(meta.get("name", ""))}))["items"])
    return out


def root_tree(status: RootStatus) -> Tree:
    meta = status.root.get("metadata") or {}
    where = f"{meta.get('namespace')}/" if meta.get("namespace") else ""
    states = {c.state for c in status.children}
    overall = (
        "ERROR" if NodeState.ERROR.value in states
        else "SYNCED" if states <= {NodeState.SYNCED.value, NodeState.SKIPPED.value}
        else "IN_PROGRESS"
    )  # fmt: skip
    style = {"SYNCED": "green", "ERROR": "bold red"}.get(overall, "yellow")
    tree = Tree(
        f"[bold]{escape(str(status.root.get('kind')))}/{escape(where + str(meta.get('name')))}[/bold]"
        f"  [{style}]{overall}[/]  [dim]ResourceGraph {escape(status.graph)}[/dim]"
    )
    for c in status.children:
        line = f"[bold]{escape(c.id)}[/bold] [dim]{escape(c.kind)}{' · tracked' if c.tracked else ''}[/dim]"
        line += f"  [{_STYLE.get(c.state, 'yellow')}]{c.state}[/]"
        if c.objects:
            line += "  " + escape(", ".join(o.rsplit("/", 1)[-1] for o in c.objects[:5]))
        if c.reason:
            line += f"\n[dim]{escape(c.reason)}[/dim]"
        tree.add(line)
    return tree
