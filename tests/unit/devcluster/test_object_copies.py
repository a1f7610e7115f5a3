"""Copies of stored objects: the fast JSON-based deep copy against a plain recursive one, and who owns
what the store and the object service hand out (stored objects are never changed in place)."""

from __future__ import annotations

import copy
import datetime
import sqlite3
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kro.devcluster import jsoncodec
from kro.devcluster.jsoncodec import snapshot, thaw
from kro.devcluster.objects import ObjectService, WriteOptions
from kro.devcluster.registry import Registry, ResourceType
from kro.devcluster.schemas import SchemaSource
from kro.devcluster.storage import MemoryStore, SQLiteStore, clone
from kro.devcluster.storage.sqlite import DB_FILE

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=40,
)
# What JSON cannot hold exactly: these take the walking copy, which keeps them as they are.
_odd = st.sampled_from([2**70, -(2**65), datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC), "\ud800"])
_with_odd = st.recursive(
    _scalars | _odd,
    lambda inner: st.lists(inner, max_size=5)
    | st.dictionaries(st.text(max_size=8) | st.integers(0, 9), inner, max_size=5),
    max_leaves=40,
)


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same types everywhere and the same key order (what serialising would show)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) and (not isinstance(a, float) or str(a) == str(b))  # -0.0 stays -0.0


def _containers(value: Any) -> list[int]:
    if isinstance(value, dict):
        return [id(value), *(i for v in value.values() for i in _containers(v))]
    if isinstance(value, list):
        return [id(value), *(i for v in value for i in _containers(v))]
    return []


@settings(max_examples=300)
@given(_json | _with_odd)
def test_clone_is_a_deep_copy_equal_to_the_original_in_type_and_order(value: Any) -> None:
    reference = copy.deepcopy(value)
    out = clone(value)
    assert _same(out, reference)
    assert not set(_containers(out)) & set(_containers(value))  # nothing shared
    assert _same(value, reference)  # the original is untouched


@settings(max_examples=200)
@given(_json | _with_odd)
def test_a_snapshot_is_the_json_the_server_writes_or_an_exact_copy(value: Any) -> None:
    frozen = snapshot(value)
    if isinstance(frozen, bytes):
        assert frozen == jsoncodec.dumps(value)  # what a SQLite row, a response or a watch event holds
    assert _same(thaw(frozen), value)


def _deployment(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "d", "labels": {"app": name}},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
        },
    }


async def _snapshot(store: MemoryStore, rt: ResourceType, name: str) -> dict[str, Any]:
    """A private copy of the object the store holds now."""
    held = await store.get_shared(rt.storage_key, "d", name)
    assert held is not None
    return copy.deepcopy(dict(held))


def _rt() -> ResourceType:
    rt = Registry().get("apps", "v1", "deployments")
    assert rt is not None
    return rt


async def test_no_write_path_changes_an_object_the_store_already_holds() -> None:
    store = MemoryStore()
    objects = ObjectService(store, SchemaSource())
    rt = _rt()
    opts = WriteOptions(manager="test")
    created = await objects.create(rt, "d", _deployment("web"), opts)
    held = [await _snapshot(store, rt, "web")]
    watch = store.watch(rt.storage_key, None, int(created["metadata"]["resourceVersion"]))

    status_body = dict(created, status={"replicas": 1, "conditions": [{"type": "Available", "status": "True"}]})
    await objects.update(rt, "d", "web", status_body, WriteOptions(manager="status"), subresource="status")
    held.append(await _snapshot(store, rt, "web"))
    current = await objects.get(rt, "d", "web")
    current["spec"]["replicas"] = 3
    current["metadata"]["labels"]["tier"] = "front"
    await objects.update(rt, "d", "web", current, opts)  # the status is taken from the stored object
    held.append(await _snapshot(store, rt, "web"))
    latest = await objects.get(rt, "d", "web")
    latest["spec"]["replicas"] = 5
    dry = await objects.update(rt, "d", "web", latest, WriteOptions(manager="test", dry_run=True))
    dry["status"]["replicas"] = 99  # what a dry run answers belongs to the caller
    dry["metadata"]["managedFields"].clear()

    events = [await watch.next(timeout=1) for _ in range(2)]
    assert [e.old for e in events if e is not None] == held[:2]  # each previous version, as it was stored
    assert [e.object for e in events if e is not None] == held[1:]
    assert await store.get_shared(rt.storage_key, "d", "web") == held[2]
    assert held[2]["status"]["replicas"] == 1 and held[2]["spec"]["replicas"] == 3


async def test_what_a_write_or_a_read_answers_belongs_to_the_caller() -> None:
    store = MemoryStore()
    objects = ObjectService(store, SchemaSource())
    rt = _rt()
    created = await objects.create(rt, "d", _deployment("web"), WriteOptions(manager="test"))
    stored = await _snapshot(store, rt, "web")
    created["spec"]["template"]["spec"]["containers"][0]["image"] = "changed"
    got = await objects.get(rt, "d", "web")
    got["metadata"]["labels"]["x"] = "y"
    watch = store.watch(rt.storage_key, None, int(stored["metadata"]["resourceVersion"]))
    gone = await objects.delete(rt, "d", "web")
    gone["metadata"]["labels"]["z"] = "z"
    event = await watch.next(timeout=1)
    assert event is not None and event.type == "DELETED"
    assert event.old == stored
    assert dict(event.object, metadata=stored["metadata"]) == stored
    assert event.object["metadata"] == dict(stored["metadata"], resourceVersion=str(event.resource_version))


def _widgets(*, status_default: bool) -> ResourceType:
    phase: dict[str, Any] = {"type": "string"}
    if status_default:
        phase["default"] = "Pending"
    schema = {
        "type": "object",
        "properties": {
            "spec": {"type": "object", "properties": {"size": {"type": "integer"}}},
            "status": {"type": "object", "properties": {"ready": {"type": "boolean"}, "phase": phase}},
        },
    }
    return ResourceType("example.com", "v1", "Widget", "widgets", True, has_status=True, schema=schema,
                        crd_name="widgets.example.com")  # fmt: skip


async def test_defaults_a_changed_schema_adds_on_update_do_not_reach_the_previous_version() -> None:
    store = MemoryStore()
    objects = ObjectService(store, SchemaSource())
    before, after = _widgets(status_default=False), _widgets(status_default=True)
    body = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 1}}
    created = await objects.create(before, "d", body, WriteOptions(manager="test"))
    await objects.update(before, "d", "w", dict(created, status={"ready": True}), subresource="status")
    held = await _snapshot(store, before, "w")
    watch = store.watch(before.storage_key, None, int(held["metadata"]["resourceVersion"]))

    current = await objects.get(after, "d", "w")
    current["spec"]["size"] = 2
    updated = await objects.update(after, "d", "w", current, WriteOptions(manager="test"))

    assert updated["status"] == {"ready": True, "phase": "Pending"}  # defaulted in the new version only
    event = await watch.next(timeout=1)
    assert event is not None and event.old == held


async def test_sqlite_rows_hold_the_objects_json_whichever_way_it_was_copied(tmp_path: Path) -> None:
    plain = {"metadata": {"name": "plain", "namespace": "d"}, "data": {"k": "v", "n": 2**63}}
    big = {"metadata": {"name": "big", "namespace": "d"}, "data": {"n": 2**70}}  # beyond what orjson holds
    store = SQLiteStore(tmp_path)
    await store.start()
    try:
        written = [await store.create("things", plain), await store.create("things", big)]
        written[0] = await store.update("things", dict(written[0], data={"k": "w"}), owned=True)
    finally:
        await store.close()
    with sqlite3.connect(tmp_path / DB_FILE) as db:
        rows = dict(db.execute("SELECT name, data FROM objects"))
    assert rows == {str(o["metadata"]["name"]): jsoncodec.dumps_str(o) for o in written}
    again = SQLiteStore(tmp_path)
    await again.start()
    try:
        assert [await again.get("things", "d", n) for n in ("plain", "big")] == written
    finally:
        await again.close()


@given(_json)
@settings(max_examples=300, deadline=None)
def test_apply_copies_the_live_object_exactly_as_the_store_copies_it(value: Any) -> None:
    from kro.devcluster.patch import server_side_apply
    from tests.unit.devcluster.patch.builders import T0, schema_of

    live = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "d"}, "extra": value}
    before = copy.deepcopy(live)
    applied = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "labels": {"a": "b"}}}
    result = server_side_apply(live, applied, schema=schema_of("v1", "ConfigMap"), manager="m", now=T0).object
    assert _same(result["extra"], clone(live)["extra"])
    assert not set(_containers(result)) & set(_containers(live))  # nothing shared
    assert _same(live, before)


async def test_a_status_write_keeps_nothing_of_its_body_but_copies() -> None:
    store = MemoryStore()
    objects = ObjectService(store, SchemaSource())
    rt = _rt()
    created = await objects.create(rt, "d", _deployment("web"), WriteOptions(manager="test"))
    body = dict(created, status={"replicas": 1, "conditions": [{"type": "Available", "status": "True"}]})
    body["metadata"] = dict(body["metadata"], annotations={"deployment.kubernetes.io/revision": "1"})
    await objects.update(rt, "d", "web", body, WriteOptions(manager="status"), subresource="status")
    held = await _snapshot(store, rt, "web")
    assert held["metadata"]["annotations"] == {"deployment.kubernetes.io/revision": "1"}

    body["status"]["conditions"][0]["status"] = "False"
    body["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "2"
    body["metadata"]["labels"]["changed"] = "yes"
    body["spec"]["template"]["spec"]["containers"][0]["image"] = "changed"
    assert await store.get_shared(rt.storage_key, "d", "web") == held


async def test_a_shared_read_answers_the_stored_object_in_the_endpoints_form_without_changing_it() -> None:
    store = MemoryStore()
    objects = ObjectService(store, SchemaSource())
    events = Registry().get("events.k8s.io", "v1", "events")
    core = Registry().get("", "v1", "events")
    assert events is not None and core is not None
    body = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}, "involvedObject": {"name": "x"},
            "reason": "R", "message": "m"}
    await objects.create(core, "d", body, WriteOptions(manager="test"))
    held = await _snapshot(store, core, "e")
    seen = await objects.get_shared(events, "d", "e")
    assert seen["apiVersion"] == "events.k8s.io/v1" and seen["note"] == "m"
    assert await store.get_shared(core.storage_key, "d", "e") == held
