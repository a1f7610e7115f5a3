"""The store contract, run against both backends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from kro.devcluster.storage import (
    ConflictError,
    InvalidContinueError,
    KeyExistsError,
    KeyNotFoundError,
    LabelSelector,
    ListOptions,
    MemoryStore,
    SQLiteStore,
    Store,
    TooOldError,
)
from kro.devcluster.storage.selectors import FieldSelector


def cm(name: str, ns: str = "default", **labels: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns, "labels": labels}}


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    s: Store = MemoryStore(window=50) if request.param == "memory" else SQLiteStore(tmp_path, window=50)
    await s.start()
    yield s
    await s.close()


async def test_create_assigns_increasing_resource_versions(store: Store) -> None:
    a = await store.create("configmaps", cm("a"))
    b = await store.create("configmaps", cm("b"))
    assert int(b["metadata"]["resourceVersion"]) == int(a["metadata"]["resourceVersion"]) + 1
    assert store.resource_version == int(b["metadata"]["resourceVersion"])


async def test_create_twice_is_refused(store: Store) -> None:
    await store.create("configmaps", cm("a"))
    with pytest.raises(KeyExistsError):
        await store.create("configmaps", cm("a"))
    # Same name in another namespace or resource is a different key.
    await store.create("configmaps", cm("a", "other"))
    await store.create("secrets", cm("a"))


async def test_update_with_stale_resource_version_conflicts(store: Store) -> None:
    a = await store.create("configmaps", cm("a"))
    rv = int(a["metadata"]["resourceVersion"])
    a["data"] = {"k": "1"}
    updated = await store.update("configmaps", a, expected_rv=rv)
    assert updated["data"] == {"k": "1"}
    with pytest.raises(ConflictError):
        await store.update("configmaps", a, expected_rv=rv)
    with pytest.raises(KeyNotFoundError):
        await store.update("configmaps", cm("missing"))


async def test_returned_objects_are_copies(store: Store) -> None:
    a = await store.create("configmaps", cm("a"))
    a["metadata"]["labels"]["x"] = "y"
    got = await store.get("configmaps", "default", "a")
    assert got is not None and "x" not in got["metadata"]["labels"]


async def test_delete_removes_and_reports(store: Store) -> None:
    await store.create("configmaps", cm("a"))
    gone = await store.delete("configmaps", "default", "a")
    assert gone["metadata"]["name"] == "a"
    assert await store.get("configmaps", "default", "a") is None
    with pytest.raises(KeyNotFoundError):
        await store.delete("configmaps", "default", "a")


async def test_list_filters_by_namespace_and_selectors(store: Store) -> None:
    await store.create("configmaps", cm("a", app="web", tier="front"))
    await store.create("configmaps", cm("b", app="db"))
    await store.create("configmaps", cm("c", "other", app="web"))
    every = await store.list("configmaps", None)
    assert [o["metadata"]["name"] for o in every.items] == ["a", "b", "c"]
    in_default = await store.list("configmaps", "default")
    assert len(in_default.items) == 2
    web = await store.list("configmaps", None, ListOptions(label_selector=LabelSelector.parse("app=web")))
    assert [o["metadata"]["name"] for o in web.items] == ["a", "c"]
    by_name = await store.list("configmaps", None, ListOptions(field_selector=FieldSelector.parse("metadata.name=b")))
    assert [o["metadata"]["name"] for o in by_name.items] == ["b"]


async def test_list_pages_with_limit_and_continue(store: Store) -> None:
    for i in range(7):
        await store.create("configmaps", cm(f"n{i}"))
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        page = await store.list("configmaps", None, ListOptions(limit=3, continue_token=token))
        pages += 1
        seen += [o["metadata"]["name"] for o in page.items]
        token = page.continue_token
        if token is None:
            break
        assert page.remaining == 7 - len(seen)
    assert seen == [f"n{i}" for i in range(7)]
    assert pages == 3
    with pytest.raises(InvalidContinueError):
        await store.list("configmaps", None, ListOptions(limit=3, continue_token="garbage!"))


async def test_watch_replays_history_then_streams_live(store: Store) -> None:
    a = await store.create("configmaps", cm("a"))
    start = int(a["metadata"]["resourceVersion"])
    await store.create("configmaps", cm("b"))
    await store.create("secrets", cm("s"))
    w = store.watch("configmaps", None, start)
    first = await w.next(1)
    assert first is not None and first.type == "ADDED" and first.object["metadata"]["name"] == "b"
    await store.delete("configmaps", "default", "a")
    second = await w.next(1)
    assert second is not None and second.type == "DELETED" and second.old is not None
    assert await w.next(0.05) is None
    w.close()
    assert w.closed


async def test_watch_from_before_the_window_is_too_old(store: Store) -> None:
    for i in range(60):
        await store.create("configmaps", cm(f"n{i}"))
    with pytest.raises(TooOldError):
        store.watch("configmaps", None, 1)
    store.watch("configmaps", None, store.resource_version).close()


async def test_concurrent_conflicting_updates_exactly_one_wins(store: Store) -> None:
    a = await store.create("configmaps", cm("a"))
    rv = int(a["metadata"]["resourceVersion"])

    async def attempt(i: int) -> bool:
        try:
            await store.update("configmaps", {**a, "data": {"i": str(i)}}, expected_rv=rv)
            return True
        except ConflictError:
            return False

    results = await asyncio.gather(*(attempt(i) for i in range(10)))
    assert results.count(True) == 1


async def test_sqlite_restart_keeps_objects_and_resource_version(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path)
    await s.start()
    await s.create("configmaps", cm("a"))
    b = await s.create("configmaps", cm("b"))
    await s.delete("configmaps", "default", "a")
    rv = s.resource_version
    await s.close()

    again = SQLiteStore(tmp_path)
    await again.start()
    try:
        assert again.resource_version == rv
        assert await again.get("configmaps", "default", "a") is None
        assert await again.get("configmaps", "default", "b") == b
        c = await again.create("configmaps", cm("c"))
        assert int(c["metadata"]["resourceVersion"]) == rv + 1
        # History from before the restart is gone: the client must re-list.
        with pytest.raises(TooOldError):
            again.watch(None, None, rv - 1)
    finally:
        await again.close()


async def test_list_shared_answers_as_list_does(store: Store) -> None:
    for name in ("b", "a", "c"):
        await store.create("configmaps", cm(name, app="x" if name != "c" else "y"))
    await store.create("configmaps", cm("a", ns="other", app="x"))
    for namespace in (None, "default"):
        for options in (None, ListOptions(label_selector=LabelSelector.parse("app=x")), ListOptions(limit=1)):
            copied = await store.list("configmaps", namespace, options)
            shared = await store.list_shared("configmaps", namespace, options)
            assert shared == copied


async def test_list_shared_hands_out_the_stored_objects_and_list_does_not(store: Store) -> None:
    await store.create("configmaps", cm("a"))
    shared = (await store.list_shared("configmaps", "default")).items[0]
    assert (await store.list_shared("configmaps", "default")).items[0] is shared
    copied = (await store.list("configmaps", "default")).items[0]
    copied["metadata"]["labels"]["mutated"] = "yes"
    assert await store.get("configmaps", "default", "a") == shared
    assert "mutated" not in shared["metadata"]["labels"]


async def test_change_hooks_see_every_write_in_order_and_replay_existing(store: Store) -> None:
    await store.create("configmaps", cm("before"))
    seen: list[tuple[str | None, str | None]] = []

    def hook(old: Any, new: Any) -> None:
        seen.append((old and old["metadata"]["name"], new and new["metadata"]["resourceVersion"]))

    def last() -> tuple[str | None, str | None]:
        return seen[-1]

    store.on_change("configmaps", hook)
    assert seen == [(None, "1")]
    created = await store.create("configmaps", cm("a"))
    # The hook ran before the write returned, with the object as stored.
    assert last() == (None, created["metadata"]["resourceVersion"])
    updated = await store.update("configmaps", {**created, "data": {"k": "v"}})
    assert last() == ("a", updated["metadata"]["resourceVersion"])
    await store.delete("configmaps", "default", "a")
    assert last() == ("a", None)
    await store.create("secrets", cm("s"))
    assert len(seen) == 4  # other resources do not reach the hook


async def test_sqlite_change_hook_registered_before_start_sees_loaded_objects(tmp_path: Path) -> None:
    first = SQLiteStore(tmp_path)
    await first.start()
    await first.create("configmaps", cm("a"))
    await first.create("configmaps", cm("b"))
    await first.close()

    again = SQLiteStore(tmp_path)
    names: list[str] = []
    again.on_change("configmaps", lambda old, new: names.append(new["metadata"]["name"]) if new else None)
    await again.start()
    try:
        assert sorted(names) == ["a", "b"]
    finally:
        await again.close()
