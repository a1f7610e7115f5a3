"""Every example in ``examples/`` reaches ACTIVE on the local API server, whose built-in objects
come back as kube-apiserver writes them; then a restarted controller finds every child as it wants
it and writes nothing (no apply, no status, no Event): restart is free whatever the templates hold."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml

from kro.kube import KubeClient
from kro.schema.plural import pluralize

from ..conftest import ApiClient
from .conftest import SETTINGS, eventually, start_controller
from .helpers import RGDS, create, get, reconciles, rgd_active

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
# (example, files applied first in order, instance file)
CASES = [
    ("redis", ["rgd.yaml"], "instance.yaml"),
    ("first-app", ["rgd.yaml"], "instance.yaml"),
    ("text", ["rgd.yaml"], "instance.yaml"),
    ("webapp", ["rgd.yaml"], "instance.yaml"),
    ("microservice", ["rgd.yaml"], "instance.yaml"),
    ("sharded-redis", ["rgd.yaml"], "instance.yaml"),
    ("job", ["rgd.yaml"], "instance.yaml"),
    ("appconfig", ["platform-defaults.yaml", "rgd.yaml"], "instance.yaml"),
    ("database-application", ["database-rgd.yaml", "rgd.yaml"], "instance.yaml"),
]


def _docs(path: Path, namespace: str) -> list[dict[str, Any]]:
    """The file's documents, namespaced ones moved to ``namespace`` (examples reuse names)."""
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    for doc in docs:
        if doc["kind"] != "ResourceGraphDefinition":
            doc.setdefault("metadata", {})["namespace"] = namespace
    return docs


def _path(doc: dict[str, Any]) -> str:
    group_version, kind = doc["apiVersion"], doc["kind"]
    namespace = (doc.get("metadata") or {}).get("namespace") or "default"
    if kind == "ResourceGraphDefinition":
        return RGDS
    base = f"/api/{group_version}" if "/" not in group_version else f"/apis/{group_version}"
    return f"{base}/namespaces/{namespace}/{pluralize(kind.lower())}"


async def _state(kapi: ApiClient, path: str) -> str:
    obj = await get(kapi, path)
    return str(((obj or {}).get("status") or {}).get("state", ""))


async def test_every_example_becomes_active_and_a_restart_writes_nothing(kapi: ApiClient, kube: KubeClient) -> None:
    instances: list[str] = []
    _, finish = await start_controller(kube, SETTINGS)
    try:
        for example, first, instance_file in CASES:
            namespace = f"ex-{example}"
            await create(kapi, "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
            for name in first:
                for doc in _docs(EXAMPLES / example / name, namespace):
                    await create(kapi, _path(doc), doc)
                    if doc["kind"] == "ResourceGraphDefinition":
                        await eventually(lambda n=doc["metadata"]["name"]: rgd_active(kapi, n), timeout=20)
            for doc in _docs(EXAMPLES / example / instance_file, namespace):
                await create(kapi, _path(doc), doc)
                instances.append(f"{_path(doc)}/{doc['metadata']['name']}")
        for path in instances:

            async def active(p: str = path) -> bool:
                return await _state(kapi, p) == "ACTIVE"

            await eventually(active, timeout=60)
        # and settled: a status that still follows its children (a Deployment's availableReplicas
        # after its pod's 2 s) would rightly be written by the next controller
        last: list[str] = []
        for _ in range(30):
            now = [str(((await get(kapi, p)) or {}).get("metadata", {}).get("resourceVersion")) for p in instances]
            if now == last:
                break
            last = now
            await asyncio.sleep(1.5)
    finally:
        await finish()

    kube.stats.reset()
    ctrl, finish = await start_controller(kube, SETTINGS)
    try:

        async def all_looked_at() -> bool:
            return reconciles(ctrl, controller="instance") >= len(instances)

        await eventually(all_looked_at, timeout=30)
        await asyncio.sleep(1.0)
        writes = {k: n for k, n in kube.stats.by_resource.items() if k[0] not in ("get", "list", "watch", "discovery")}
        assert writes == {}, writes
        for path in instances:
            assert await _state(kapi, path) == "ACTIVE", path
    finally:
        await finish()
