"""``kro status KIND/NAME``: an instance's graph in the terminal, each node with its state and what
it waits on.

Node states are not stored anywhere (the instance's CRD schema only has room for ``state`` and
``conditions``): the command recomputes them exactly as the controller does. It reads the instance,
its RGD (from the instance's ``kro.run/resource-graph-definition-name`` label, or the RGD serving the
kind), compiles the RGD against the cluster's CRDs and the built-in schemas, reads the children by
their ``kro.run/instance-id`` label (and the kinds external references name), and runs the same
planner with nothing applied. It changes nothing: the writes the controller still has to make are
sent as dry runs (``dryRun=All``), so that a node whose write the API server refuses shows as
``ERROR`` with the server's answer, as the controller reports it."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import click
from rich.markup import escape
from rich.tree import Tree

from kro import __version__
from kro.api.conditions import NodeState
from kro.cli.output import console_for, print_error, print_tree
from kro.graph.model import Graph
from kro.runtime.plan import Plan

_STYLE = {
    NodeState.SYNCED: "green",
    NodeState.SKIPPED: "dim",
    NodeState.IN_PROGRESS: "yellow",
    NodeState.WAITING_FOR_READINESS: "yellow",
    NodeState.ERROR: "bold red",
    NodeState.DELETING: "magenta",
    NodeState.DELETED: "dim",
}
_STATE_STYLE = {"ACTIVE": "green", "IN_PROGRESS": "yellow", "ERROR": "bold red", "DELETING": "magenta"}


def status_tree(graph: Graph, instance: Mapping[str, Any], plan: Plan | None) -> Tree:
    """The instance at the root; each node under its last dependency in topological order (the one
    that gates it last), so the tree reads top-down in apply order."""
    meta = instance.get("metadata") or {}
    status = instance.get("status") or {}
    state = str(status.get("state", "UNKNOWN"))
    where = f"{meta.get('namespace')}/" if meta.get("namespace") else ""
    root = Tree(
        f"[bold]{escape(str(instance.get('kind')))}/{escape(where + str(meta.get('name')))}[/bold]"
        f"  [{_STATE_STYLE.get(state, 'white')}]{state}[/]" + _ready_suffix(status.get("conditions") or [])
        + _revision_line(status.get("conditions") or [])
    )
    branches: dict[str, Tree] = {}
    order = list(graph.topological_order)
    for node_id in order:
        node = graph.nodes[node_id]
        deps = sorted(node.dependencies, key=order.index)
        parent = branches.get(deps[-1], root) if deps else root
        branches[node_id] = parent.add(_node_line(graph, node_id, plan))
    return root


def _ready_suffix(conditions: Sequence[Mapping[str, Any]]) -> str:
    ready = next((c for c in conditions if c.get("type") == "Ready"), None)
    if ready is None:
        return ""
    text = f"  Ready={ready.get('status')}"
    if ready.get("status") != "True" and ready.get("message"):
        text += f": {ready.get('message')}"
    return f"[dim]{escape(text)}[/dim]"


def _revision_line(conditions: Sequence[Mapping[str, Any]]) -> str:
    """Which graph revision the instance runs (its ``GraphRevisionCurrent`` condition), in yellow
    when it is not its RGD's newest."""
    current = next((c for c in conditions if c.get("type") == "GraphRevisionCurrent"), None)
    if current is None or not current.get("message"):
        return ""
    style = "dim" if current.get("status") == "True" else "yellow"
    return f"\n[{style}]{escape(str(current.get('message')))}[/{style}]"


async def served_spec(client: Any, rgd: Mapping[str, Any]) -> Mapping[str, Any]:
    """The RGD spec instances run: that of the newest graph revision that compiled (the controller
    keeps instances on it when a newer one does not), else the RGD's own (no revisions served)."""
    from kro.api.keys import Labels
    from kro.controller.graphrevisions import GRS, from_object
    from kro.kube.errors import NotFound

    name = str((rgd.get("metadata") or {}).get("name", ""))
    try:
        found = (await client.list_all(GRS, label_selector={Labels.RGD_NAME: name}))["items"]
    except NotFound:
        return rgd.get("spec") or {}
    revisions = sorted((r for r in map(from_object, found) if r is not None), key=lambda r: -r.number)
    good = next((r for r in revisions if r.verified), None)
    return good.spec if good is not None else rgd.get("spec") or {}


def _node_line(graph: Graph, node_id: str, plan: Plan | None) -> str:
    node = graph.nodes[node_id]
    kind = node.gvk.kind + (" (forEach)" if node.is_collection and not node.is_external else "")
    kind += " · external" if node.is_external else ""
    line = f"[bold]{escape(node_id)}[/bold] [dim]{escape(kind)}[/dim]"
    report = plan.nodes.get(node_id) if plan is not None else None
    if report is None:
        return line + "  [dim]unknown[/dim]"
    line += f"  [{_STYLE.get(report.state, 'white')}]{report.state.value}[/]"
    if report.objects:
        names = ", ".join(r.name for r in report.objects[:5]) + (" …" if len(report.objects) > 5 else "")
        line += f"  {escape(names)}"
    if report.reason:
        line += f"\n[dim]{escape(report.reason)}[/dim]"
    return line


class StatusReadError(Exception):
    """The instance, its RGD or the cluster could not be read."""


class NoDefinition(StatusReadError):
    """No RGD defines the kind (it may be a ResourceGraph's root kind)."""


def _matches_kind(rgd: Mapping[str, Any], kind: str) -> bool:
    schema = (rgd.get("spec") or {}).get("schema") or {}
    wanted = kind.lower()
    name = str(schema.get("kind", ""))
    return wanted in (
        name.lower(),
        name.lower() + "s",
        str((rgd.get("metadata") or {}).get("name", "")).lower(),
    )


async def read_status(
    kind: str, name: str, *, namespace: str, kubeconfig: str | None, context: str | None
) -> tuple[Graph, dict[str, Any], Plan]:
    from kro.api import KRO_API_VERSION, RGD_PLURAL, split_api_version
    from kro.api.refs import GVR
    from kro.graph.builder import compile_rgd
    from kro.graph.errors import CompileFailed
    from kro.kube import ClusterConfig, KubeClient
    from kro.kube.errors import KubeError, NotFound
    from kro.openapi import BuiltinResolver, ChainResolver, CRDResolver
    from kro.runtime import Snapshot, plan_instance
    from kro.runtime.planner import with_failures

    group, version = split_api_version(KRO_API_VERSION)
    try:
        config = ClusterConfig.load(kubeconfig, context=context)
        async with KubeClient(config) as client:
            rgds = (await client.list_all(GVR(group, version, RGD_PLURAL)))["items"]
            rgd = next((r for r in rgds if _matches_kind(r, kind)), None)
            if rgd is None:
                raise NoDefinition(f"no ResourceGraphDefinition defines the kind {kind!r}")
            crds = (await client.list_all(GVR("apiextensions.k8s.io", "v1", "customresourcedefinitions")))[
                "items"
            ]
            try:
                served = {**rgd, "spec": await served_spec(client, rgd)}
                graph = compile_rgd(served, resolver=ChainResolver([CRDResolver(crds), BuiltinResolver()]))
            except CompileFailed as e:
                raise StatusReadError(f"RGD {rgd['metadata']['name']} does not compile: {e}") from e
            gvk = graph.instance_gvk
            ns = namespace if graph.instance_namespaced else None
            try:
                inst = await client.get(
                    GVR(gvk.group, gvk.version, graph.instance_plural), name, namespace=ns
                )
            except NotFound as e:
                raise StatusReadError(f"{gvk.kind} {name} not found") from e
            objects = await _observed(client, graph, str(inst["metadata"].get("uid", "")))
            plan = plan_instance(graph, inst, Snapshot(objects), kro_version=__version__)
            refused = await _refused_writes(client, plan)
    except KubeError as e:
        raise StatusReadError(str(e)) from e
    return graph, inst, with_failures(plan, refused, instance=inst)


async def _refused_writes(client: Any, plan: Plan) -> dict[str, str]:
    """Node id -> the API server's answer, for each write still to be made that the server refuses
    (asked as a dry run; a refusal to let this user even try, 401/403, tells nothing and is left out)."""
    from kro.api.keys import FieldManagers
    from kro.api.refs import GVR
    from kro.kube.errors import ApiError, Forbidden, Unauthorized

    refused: dict[str, str] = {}
    for wave in plan.applies:
        for desired in wave:
            report = plan.nodes.get(desired.node_id)
            if report is None or report.state is not NodeState.IN_PROGRESS or desired.node_id in refused:
                continue
            gvr = GVR(desired.gvk.group, desired.gvk.version, desired.plural)
            try:
                await client.apply(gvr, desired.body, field_manager=FieldManagers.APPLYSET, dry_run=True)
            except (Forbidden, Unauthorized):
                continue
            except ApiError as e:
                refused[desired.node_id] = f"applying {desired.ref}: {e}"
    return refused


async def _observed(client: Any, graph: Graph, uid: str) -> list[dict[str, Any]]:
    """The instance's children (by ``kro.run/instance-id``) and every object of the kinds its
    external references read."""
    from kro.api.keys import Labels
    from kro.api.refs import GVR

    objects: list[dict[str, Any]] = []
    seen: set[GVR] = set()
    for node in graph.nodes.values():
        gvr = GVR(node.gvk.group, node.gvk.version, node.plural)
        if gvr in seen:
            continue
        seen.add(gvr)
        selector = None if node.is_external else {Labels.INSTANCE_ID: uid}
        objects.extend((await client.list_all(gvr, label_selector=selector))["items"])
    return objects


@click.command(name="status")
@click.argument("target")
@click.option("-n", "--namespace", default="default", show_default=True, help="The instance's namespace.")
@click.option("--kubeconfig", type=click.Path(dir_okay=False), help="Path to the kubeconfig file.")
@click.option("--context", help="The kubeconfig context to use.")
def status(target: str, namespace: str, kubeconfig: str | None, context: str | None) -> None:
    """Show an instance's graph with each node's state (TARGET is KIND/NAME, e.g. redis/cache).

    For a ResourceGraph's root (servicemesh/service-mesh-01): each child, managed or tracked."""
    kind, sep, name = target.partition("/")
    if not sep or not kind or not name:
        raise click.UsageError("TARGET must be KIND/NAME, e.g. redis/session-cache")
    try:
        graph, instance, plan = asyncio.run(
            read_status(kind, name, namespace=namespace, kubeconfig=kubeconfig, context=context)
        )
    except NoDefinition as e:
        from kro.cli.cmd_rootstatus import show_root_status  # a ResourceGraph's root kind?

        show_root_status(kind, name, namespace=namespace, kubeconfig=kubeconfig, context=context, fallback=str(e))
        return
    except StatusReadError as e:
        print_error(console_for(stderr=True), str(e))
        sys.exit(1)
    print_tree(console_for(), status_tree(graph, instance, plan))
