"""The write path's cost-saving behaviour: JSON codec fallbacks, store ownership hand-over, and group
commit gathering writes queued over a few event-loop turns into one SQLite transaction."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from kro.devcluster import jsoncodec
from kro.devcluster.storage import MemoryStore
from kro.devcluster.storage.sqlite import SQLiteStore


def configmap(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "d"}, "data": {"k": "v"}}


def test_codec_round_trips_what_the_standard_library_accepts() -> None:
    doc = {"text": "héllo ☃", "n": 2**70, "nested": [1, 2.5, None, True], "neg": -(2**63)}
    assert json.loads(jsoncodec.dumps(doc)) == doc
    assert jsoncodec.loads(b'{"a": NaN}')["a"] != jsoncodec.loads(b'{"a": NaN}')["a"]  # NaN, as json reads it
    assert jsoncodec.loads('{"a": "\\ud800"}') == {"a": "\ud800"}
    assert jsoncodec.loads(b'{"big": 123456789012345678901234567890}') == {"big": 123456789012345678901234567890}
    assert json.loads(jsoncodec.dumps({"a": "\ud800"})) == {"a": "\ud800"}
    with pytest.raises(ValueError):
        jsoncodec.loads(b'{"a": ')


async def test_store_copies_unless_the_object_is_handed_over() -> None:
    store = MemoryStore()
    kept = configmap("kept")
    await store.create("configmaps", kept)
    kept["data"]["k"] = "changed by the caller"
    stored = await store.get("configmaps", "d", "kept")
    assert stored is not None and stored["data"] == {"k": "v"}

    handed = configmap("handed")
    created = await store.create("configmaps", handed, owned=True)
    assert created["metadata"]["resourceVersion"] == "2"
    assert "resourceVersion" not in handed["metadata"]  # the caller's metadata is not stamped


async def test_writes_queued_over_a_few_loop_turns_share_one_commit(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path)
    await store.start()
    try:
        await store.create("configmaps", configmap("first"))
        before = store.commits

        async def late(i: int) -> None:
            for _ in range(i % 3):  # requests that reach the store one or two loop turns later
                await asyncio.sleep(0)
            await store.create("configmaps", configmap(f"cm-{i}"))

        await asyncio.gather(*(late(i) for i in range(12)))
        assert store.commits - before == 1
    finally:
        await store.close()
    again = SQLiteStore(tmp_path)
    await again.start()
    try:
        assert len((await again.list("configmaps", "d")).items) == 13
    finally:
        await again.close()
