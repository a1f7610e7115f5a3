"""Applying manifest files straight through the server's object service (``kro dev --demo DIR``):
each YAML document is created, or updated if it exists; a CRD is waited for until it is served, so
the objects that follow it in the same directory can use it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from kro.devcluster import errors
from kro.devcluster.cluster import Cluster
from kro.devcluster.objects import WriteOptions
from kro.devcluster.registry import ResourceType

_CRD_WAIT_SECONDS = 5.0


class ManifestError(Exception):
    """A manifest that cannot be applied, with the file it came from."""


def documents(directory: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every object in the ``*.yaml``/``*.yml`` files of ``directory``, files in name order."""
    files = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    for path in files:
        try:
            docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except yaml.YAMLError as e:
            raise ManifestError(f"{path}: not valid YAML: {e}") from e
        for doc in docs:
            if doc is None:
                continue
            if not isinstance(doc, dict):
                raise ManifestError(f"{path}: every document must be an object")
            items = doc.get("items") if str(doc.get("kind", "")).endswith("List") else None
            for item in items if isinstance(items, list) else [doc]:
                yield path, item


async def apply_object(cluster: Cluster, obj: Mapping[str, Any], *, manager: str = "kro-dev") -> dict[str, Any]:
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    rt = await _wait_for_type(cluster, api_version, kind)
    meta: Mapping[str, Any] = obj.get("metadata") or {}
    namespace = str(meta.get("namespace") or "default") if rt.namespaced else ""
    name = str(meta.get("name") or "")
    try:
        return await cluster.objects.create(rt, namespace, obj, WriteOptions(manager=manager))
    except errors.AlreadyExists:
        current = await cluster.objects.get(rt, namespace, name)
        body = {**obj, "metadata": {**meta, "resourceVersion": current["metadata"]["resourceVersion"]}}
        return await cluster.objects.update(rt, namespace, name, body, WriteOptions(manager=manager))


async def _wait_for_type(cluster: Cluster, api_version: str, kind: str) -> ResourceType:
    deadline = asyncio.get_running_loop().time() + _CRD_WAIT_SECONDS
    while True:
        rt = cluster.registry.for_kind(api_version, kind)
        if rt is not None:
            return rt
        if asyncio.get_running_loop().time() > deadline:
            raise ManifestError(f"the server does not serve {kind} in {api_version}")
        await asyncio.sleep(0.05)


async def apply_directory(cluster: Cluster, directory: Path) -> list[str]:
    """Apply every manifest in ``directory``; returns ``kind/name`` of each applied object."""
    applied: list[str] = []
    for path, obj in documents(directory):
        try:
            stored = await apply_object(cluster, obj)
        except errors.ApiError as e:
            raise ManifestError(f"{path}: {obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}: {e.message}") from e
        applied.append(f"{stored.get('kind')}/{stored['metadata']['name']}")
    return applied
