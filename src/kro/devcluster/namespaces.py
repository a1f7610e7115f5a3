"""Namespaces: the ones that exist at start, the lifecycle admission check (no new content in a
missing or terminating namespace) and the controller that empties a deleted namespace.

Deleting a namespace sets ``deletionTimestamp`` and ``status.phase: Terminating`` (its
``spec.finalizers`` hold it); the controller then deletes every namespaced object in it, waits for
them to go (their own finalizers may hold them), clears ``spec.finalizers`` and the namespace goes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

from kro.devcluster import errors
from kro.devcluster.cluster import Cluster
from kro.devcluster.objects import DeleteOptions, Operation, WriteOptions
from kro.devcluster.registry import ResourceType
from kro.devcluster.storage import Store

INITIAL_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
NAMESPACE_FINALIZER = "kubernetes"
PROTECTED_NAMESPACES = frozenset({"default", "kube-system", "kube-public"})
_KEY = "namespaces"


def _is_namespace(rt: ResourceType) -> bool:
    return rt.group == "" and rt.kind == "Namespace"


class NamespaceLifecycle:
    """Admission: prepares new namespaces and guards content creation."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def __call__(
        self, op: Operation, rt: ResourceType, obj: dict[str, Any], old: Mapping[str, Any] | None, /, *, name: str
    ) -> None:
        if _is_namespace(rt):
            name = str((obj.get("metadata") or {}).get("name") or "")
            if op == "DELETE" and name in PROTECTED_NAMESPACES:
                raise errors.Forbidden(
                    f'namespaces "{name}" is forbidden: this namespace may not be deleted',
                    details={"name": name, "group": "", "kind": "namespaces"},
                )
            if op == "CREATE":
                obj.setdefault("spec", {}).setdefault("finalizers", [NAMESPACE_FINALIZER])
                obj["status"] = {"phase": "Active"}
            return
        if op != "CREATE" or not rt.namespaced:
            return
        namespace = str((obj.get("metadata") or {}).get("namespace") or "")
        ns = await self._store.get_shared(_KEY, "", namespace)  # read only
        if ns is None:
            raise errors.not_found("namespaces", "", namespace)
        if (ns.get("metadata") or {}).get("deletionTimestamp"):
            raise errors.Forbidden(
                f'{rt.plural}{"." + rt.group if rt.group else ""} "{name}" is forbidden: unable to create new content in '
                f"namespace {namespace} because it is being terminated",
                details={"name": name, "group": rt.group, "kind": rt.plural},
            )


async def ensure_initial_namespaces(cluster: Cluster) -> None:
    rt = cluster.registry.get("", "v1", "namespaces")
    assert rt is not None
    for name in INITIAL_NAMESPACES:
        if await cluster.store.get(_KEY, "", name) is None:
            body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
            await cluster.objects.create(rt, "", body, WriteOptions(manager="kube-apiserver"))


async def run_namespace_controller(cluster: Cluster) -> None:
    """Finish the deletion of terminating namespaces, reacting to every change in the cluster."""
    store = cluster.store
    since = store.resource_version
    await _sweep(cluster)
    watcher = store.watch(None, None, since)
    try:
        while True:
            event = await watcher.next(timeout=5.0)
            if watcher.closed:
                return
            if event is None or event.resource == _KEY or event.type == "DELETED":
                await _sweep(cluster)
    finally:
        watcher.close()


async def _sweep(cluster: Cluster) -> None:
    listed = await cluster.store.list(_KEY, None)
    for ns in listed.items:
        if (ns.get("metadata") or {}).get("deletionTimestamp"):
            with contextlib.suppress(errors.ApiError):
                await _finish(cluster, ns)


async def _finish(cluster: Cluster, ns: dict[str, Any]) -> None:
    name = str(ns["metadata"]["name"])
    remaining = 0
    for key in cluster.store.resources():
        rt = cluster.type_for_key(key)
        if rt is None or not rt.namespaced:
            continue
        for obj in (await cluster.store.list(key, name)).items:
            remaining += 1
            if not (obj.get("metadata") or {}).get("deletionTimestamp"):
                with contextlib.suppress(errors.NotFound, errors.Conflict):
                    await cluster.objects.delete(rt, name, str(obj["metadata"]["name"]), DeleteOptions("Background"))
        await asyncio.sleep(0)
    if remaining:
        return
    ns_rt = cluster.registry.get("", "v1", "namespaces")
    assert ns_rt is not None
    if (ns.get("spec") or {}).get("finalizers"):
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}, "spec": {"finalizers": []}}
        await cluster.objects.update(ns_rt, "", name, body, subresource="finalize")
