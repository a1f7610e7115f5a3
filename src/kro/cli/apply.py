"""Apply a list of manifests with server-side apply, the way ``kubectl apply --server-side`` does.

Used by ``kro install`` and by ``kro dev --demo``. CustomResourceDefinitions are waited on
(``Established``) before objects that come after them, so a CRD and its first objects can be applied
in one go.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from kro.api import GVK
from kro.kube import ClusterConfig, KubeClient, NotFound

_CRD_GVK = GVK("apiextensions.k8s.io", "v1", "CustomResourceDefinition")


class ApplyError(Exception):
    """An object could not be applied; the message names it."""


def describe(obj: Mapping[str, Any]) -> str:
    """``kind.group/name`` as kubectl prints it."""
    gvk = GVK.from_api_version(obj.get("apiVersion", ""), obj.get("kind", ""))
    kind = gvk.kind.lower() + (f".{gvk.group}" if gvk.group else "")
    return f"{kind}/{obj.get('metadata', {}).get('name', '')}"


async def apply_with(
    client: KubeClient,
    objs: Sequence[Mapping[str, Any]],
    *,
    field_manager: str,
    default_namespace: str = "default",
    established_timeout: float = 30.0,
) -> AsyncIterator[str]:
    """Apply each object in order, yielding one ``<kind>/<name> serverside-applied`` line each."""
    for obj in objs:
        gvk = GVK.from_api_version(obj.get("apiVersion", ""), obj.get("kind", ""))
        info = await client.resource_for(gvk)
        if info is None:
            raise ApplyError(f'{describe(obj)}: no resource serves kind "{gvk.kind}" in "{gvk.api_version}"')
        namespace = None
        if info.namespaced:
            namespace = obj.get("metadata", {}).get("namespace") or default_namespace
        await client.apply(info.gvr, obj, field_manager=field_manager, force=True, namespace=namespace)
        yield f"{describe(obj)} serverside-applied"
        if gvk == _CRD_GVK:
            await wait_established(client, obj["metadata"]["name"], timeout=established_timeout)


async def wait_established(client: KubeClient, name: str, *, timeout: float) -> None:
    info = await client.resource_for(_CRD_GVK)
    assert info is not None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            crd = await client.get(info.gvr, name)
            conditions = crd.get("status", {}).get("conditions", [])
            if any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions):
                client.discovery.invalidate()
                return
        except NotFound:
            pass
        if loop.time() > deadline:
            raise ApplyError(f"customresourcedefinition/{name} was not Established within {timeout:g}s")
        await asyncio.sleep(0.1)


async def apply_objects(
    objs: Sequence[Mapping[str, Any]], *, kubeconfig: str | None, context: str | None, field_manager: str
) -> AsyncIterator[str]:
    async with KubeClient(ClusterConfig.load(kubeconfig, context=context)) as client:
        async for line in apply_with(client, objs, field_manager=field_manager):
            yield line
