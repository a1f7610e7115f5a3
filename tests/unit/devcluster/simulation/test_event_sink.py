"""The simulation's Events are written in the background, in the order recorded, like a controller's
event recorder: recording never waits for the API, and a full queue drops rather than blocks."""

from __future__ import annotations

from typing import Any

from kro.devcluster.objects import ObjectService
from kro.devcluster.registry import Registry
from kro.devcluster.schemas import SchemaSource
from kro.devcluster.simulation.events import EventSink, Happening
from kro.devcluster.storage import MemoryStore

NOW = "2026-12-05T06:00:00Z"
STS = {"apiVersion": "apps/v1", "kind": "StatefulSet",
       "metadata": {"name": "db", "namespace": "default", "uid": "u-1", "resourceVersion": "5"}}  # fmt: skip


async def _events(store: MemoryStore) -> list[dict[str, Any]]:
    return list((await store.list("events", "default")).items)


async def test_recording_returns_at_once_and_the_events_follow_in_order() -> None:
    store = MemoryStore()
    sink = EventSink(ObjectService(store, SchemaSource()), Registry())
    happenings = [Happening("SuccessfulCreate", f"create Pod db-{i} in StatefulSet db successful") for i in range(3)]
    sink.record(STS, happenings, component="statefulset-controller", now=NOW)
    assert await _events(store) == []  # nothing written yet: the caller went on at once
    await sink.flush()
    written = sorted(await _events(store), key=lambda e: int(e["metadata"]["resourceVersion"]))
    assert [e["message"] for e in written] == [h.message for h in happenings]
    assert {e["involvedObject"]["resourceVersion"] for e in written} == {"5"}  # as it was when recorded
    assert {e["source"]["component"] for e in written} == {"statefulset-controller"}
    await sink.close()


async def test_a_full_queue_drops_what_does_not_fit() -> None:
    store = MemoryStore()
    sink = EventSink(ObjectService(store, SchemaSource()), Registry(), limit=2)
    sink.record(STS, [Happening("SuccessfulCreate", f"pod {i}") for i in range(5)], component="statefulset-controller",
                now=NOW)  # fmt: skip
    await sink.flush()
    assert sorted(e["message"] for e in await _events(store)) == ["pod 0", "pod 1"]
    sink.record(STS, [Happening("SuccessfulDelete", "pod 0")], component="statefulset-controller", now=NOW)
    await sink.flush()  # room again once written
    assert len(await _events(store)) == 3
    await sink.close()


async def test_closing_stops_the_writers_and_drops_what_waits() -> None:
    store = MemoryStore()
    sink = EventSink(ObjectService(store, SchemaSource()), Registry())
    sink.record(STS, [Happening("SuccessfulCreate", "pod 0")], component="statefulset-controller", now=NOW)
    await sink.close()
    assert await _events(store) == []
    await sink.flush()  # nothing left to wait for
