"""``kro dev --demo DIR``: apply an example and narrate what kro does with it.

The RGDs in DIR are applied first and waited on until Active (their CRD is served); then every
other object (the instances). The narration follows the instances: each child as kro creates it
(in the order the API server saw them), the node the instance is waiting on, and finally the status
fields kro projected once the instance is ACTIVE.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kro.api import GVK, RGD_KIND, InstanceState, Labels
from kro.cli.apply import ApplyError, apply_with, describe
from kro.kube import KubeClient, KubeError, NotFound

Echo = Callable[[str], None]


class DemoError(Exception):
    """The example did not reach the expected state; the message says where it stopped."""


@dataclass
class _Progress:
    seen_children: set[str] = field(default_factory=set)
    waiting: str = ""
    state: str = ""


def load_directory(directory: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(RGDs, other objects) from the YAML files of ``directory``, files in name order."""
    rgds: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    for path in sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(doc, dict):
                (rgds if doc.get("kind") == RGD_KIND else others).append(doc)
    return rgds, others


async def run_demo(client: KubeClient, directory: Path, *, echo: Echo, timeout: float = 180.0) -> None:
    rgds, others = load_directory(directory)
    if not rgds and not others:
        raise DemoError(f"{directory}: no YAML objects found")
    try:
        if rgds:
            await _wait_served(client, GVK("kro.run", "v1alpha1", RGD_KIND), timeout=60.0)
        async for line in apply_with(client, rgds, field_manager="kubectl"):
            echo(line)
        for rgd in rgds:
            await _wait_rgd_active(client, rgd["metadata"]["name"], echo=echo, timeout=60.0)
        client.discovery.invalidate()
        async for line in apply_with(client, others, field_manager="kubectl"):
            echo(line)
        kinds = _child_kinds(rgds)
        instance_kinds = {(r["spec"]["schema"]["kind"]) for r in rgds}
        for obj in others:
            if obj.get("kind") in instance_kinds:
                await _follow_instance(client, obj, kinds, echo=echo, timeout=timeout)
    except (ApplyError, KubeError) as e:
        raise DemoError(str(e)) from e


async def _wait_served(client: KubeClient, gvk: GVK, *, timeout: float) -> None:
    """The controller registers the RGD CRD as it starts: wait until the API serves the kind."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while await client.resource_for(gvk) is None:
        if loop.time() > deadline:
            raise DemoError(f"{gvk.kind} is not served after {timeout:g}s: is the kro controller running?")
        client.discovery.invalidate()
        await asyncio.sleep(0.2)


async def _wait_rgd_active(client: KubeClient, name: str, *, echo: Echo, timeout: float) -> None:
    info = await client.resource_for(GVK("kro.run", "v1alpha1", RGD_KIND))
    assert info is not None
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        rgd = await client.get(info.gvr, name)
        status = rgd.get("status") or {}
        if status.get("state") == "Active":
            order = " -> ".join(status.get("topologicalOrder", []))
            echo(f"resourcegraphdefinition/{name} Active: CRD served; topological order {order}")
            return
        failed = [c for c in status.get("conditions", []) if c.get("status") == "False"]
        if any(c.get("type") == "GraphAccepted" for c in failed):
            msg = next(c.get("message", "") for c in failed if c.get("type") == "GraphAccepted")
            raise DemoError(f"resourcegraphdefinition/{name} was rejected: {msg}")
        if asyncio.get_running_loop().time() > deadline:
            raise DemoError(f"resourcegraphdefinition/{name} not Active after {timeout:g}s: {status}")
        await asyncio.sleep(0.2)


def _child_kinds(rgds: list[dict[str, Any]]) -> list[GVK]:
    kinds: list[GVK] = []
    for rgd in rgds:
        for res in rgd.get("spec", {}).get("resources", []):
            tpl = res.get("template")
            if isinstance(tpl, Mapping):
                gvk = GVK.from_api_version(str(tpl.get("apiVersion", "")), str(tpl.get("kind", "")))
                if gvk not in kinds:
                    kinds.append(gvk)
    return kinds


async def _children(
    client: KubeClient, kinds: list[GVK], instance: Mapping[str, Any]
) -> list[dict[str, Any]]:
    selector = f"{Labels.INSTANCE_NAME}={instance['metadata']['name']}"
    found: list[dict[str, Any]] = []
    for gvk in kinds:
        info = await client.resource_for(gvk)
        if info is None:
            continue
        listed = await client.list(info.gvr, label_selector=selector)
        for item in listed.get("items", []):
            item.setdefault("apiVersion", gvk.api_version)
            item.setdefault("kind", gvk.kind)
            found.append(item)
    found.sort(key=lambda o: int(o["metadata"].get("resourceVersion", "0")))
    return found


async def _follow_instance(
    client: KubeClient, obj: Mapping[str, Any], kinds: list[GVK], *, echo: Echo, timeout: float
) -> None:
    gvk = GVK.from_api_version(str(obj["apiVersion"]), str(obj["kind"]))
    info = await client.resource_for(gvk)
    if info is None:
        raise DemoError(f"{describe(obj)}: kind not served")
    name = obj["metadata"]["name"]
    namespace = obj["metadata"].get("namespace", "default") if info.namespaced else None
    progress = _Progress()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    echo(f"{gvk.kind.lower()}/{name}: following what kro does")
    while True:
        try:
            instance = await client.get(info.gvr, name, namespace=namespace)
        except NotFound:
            instance = dict(obj)
        for child in await _children(client, kinds, instance):
            ref = describe(child)
            if ref not in progress.seen_children:
                progress.seen_children.add(ref)
                node = child["metadata"].get("labels", {}).get(Labels.NODE_ID, "?")
                echo(f"  {len(progress.seen_children)}. created {ref} (node {node})")
        status = instance.get("status") or {}
        _narrate_conditions(status, progress, echo)
        if status.get("state") == InstanceState.ACTIVE:
            fields = {k: v for k, v in status.items() if k not in ("state", "conditions")}
            echo(f"{gvk.kind.lower()}/{name} is ACTIVE; status: {fields}")
            return
        if loop.time() > deadline:
            raise DemoError(f"{gvk.kind.lower()}/{name} not ACTIVE after {timeout:g}s; status: {status}")
        await asyncio.sleep(0.2)


def _narrate_conditions(status: Mapping[str, Any], progress: _Progress, echo: Echo) -> None:
    state = str(status.get("state", ""))
    if state and state != progress.state:
        progress.state = state
        echo(f"  state: {state}")
    for cond in status.get("conditions", []):
        if cond.get("type") == "ResourcesReady" and cond.get("status") != "True":
            msg = str(cond.get("message", ""))
            if msg and msg != progress.waiting:
                progress.waiting = msg
                # a refused write or a failed expression is an error, not something to wait for
                echo(f"  {'error' if state == InstanceState.ERROR else 'waiting'}: {msg}")
