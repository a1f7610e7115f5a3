"""The informer cache: keys, namespace and label indexes, relist differences, managedFields dropped."""

from __future__ import annotations

from typing import Any

from kro.kube.cache import Cache, object_key

INSTANCE = "kro.run/instance-id"


def obj(name: str, namespace: str | None = "default", *, rv: str = "1", **labels: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "resourceVersion": rv, "labels": dict(labels)}
    if namespace:
        meta["namespace"] = namespace
    meta["managedFields"] = [{"manager": "kubectl", "operation": "Apply"}]
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}


def names(objects: list[dict[str, Any]]) -> list[str]:
    return sorted(o["metadata"]["name"] for o in objects)


def label(key: str, value: str) -> dict[str, str]:
    return {key: value}


def test_keys_are_namespace_slash_name_or_name_for_cluster_scoped() -> None:
    assert object_key(obj("a", "ns")) == "ns/a"
    assert object_key(obj("node-1", None)) == "node-1"


def test_managed_fields_are_dropped() -> None:
    cache = Cache()
    cache.upsert(obj("a"))
    stored = cache.get("a", "default")
    assert stored is not None
    assert "managedFields" not in stored["metadata"]


def test_namespace_index_follows_updates_and_deletes() -> None:
    cache = Cache()
    cache.upsert(obj("a", "one"))
    cache.upsert(obj("b", "one"))
    cache.upsert(obj("c", "two"))
    assert names(cache.list("one")) == ["a", "b"]
    assert names(cache.list()) == ["a", "b", "c"]
    cache.remove("one/a")
    assert names(cache.list("one")) == ["b"]
    cache.remove(obj("b", "one"))
    assert cache.list("one") == []
    assert cache.index_values("namespace") == ["two"]


def test_label_index_finds_an_instances_children_and_moves_with_relabels() -> None:
    cache = Cache(label_indexes=[INSTANCE])
    cache.upsert(obj("a", **label(INSTANCE, "u1")))
    cache.upsert(obj("b", "other", **label(INSTANCE, "u1")))
    cache.upsert(obj("c", **label(INSTANCE, "u2")))
    cache.upsert(obj("d"))
    assert names(cache.by_label(INSTANCE, "u1")) == ["a", "b"]
    assert names(cache.by_label(INSTANCE, "u1", namespace="default")) == ["a"]
    cache.upsert(obj("a", rv="2", **label(INSTANCE, "u2")))  # relabelled
    assert names(cache.by_label(INSTANCE, "u1")) == ["b"]
    assert names(cache.by_label(INSTANCE, "u2")) == ["a", "c"]


def test_unindexed_label_lookups_scan_and_late_indexes_file_existing_objects() -> None:
    cache = Cache()
    cache.upsert(obj("a", app="web"))
    cache.upsert(obj("b", app="db"))
    assert names(cache.by_label("app", "web")) == ["a"]
    cache.add_label_index("app")
    assert cache.has_index("label:app")
    assert names(cache.by_index("label:app", "db")) == ["b"]


def test_custom_indexer() -> None:
    cache = Cache(indexers={"kind": lambda o: [o["kind"]]})
    cache.upsert(obj("a"))
    assert names(cache.by_index("kind", "ConfigMap")) == ["a"]


def test_replace_reports_adds_updates_and_deletes() -> None:
    cache = Cache(label_indexes=[INSTANCE])
    cache.upsert(obj("same", rv="1"))
    cache.upsert(obj("changed", rv="1", **label(INSTANCE, "u1")))
    cache.upsert(obj("gone", rv="1", **label(INSTANCE, "u1")))
    diff = cache.replace([obj("same", rv="1"), obj("changed", rv="2"), obj("new", rv="3")])
    assert names(diff.added) == ["new"]
    assert [
        (old["metadata"]["resourceVersion"], new["metadata"]["resourceVersion"]) for old, new in diff.updated
    ] == [("1", "2")]
    assert names(diff.deleted) == ["gone"]
    assert names(cache.list()) == ["changed", "new", "same"]
    assert cache.by_label(INSTANCE, "u1") == []  # both old entries left the index


def test_cached_objects_share_their_spellings() -> None:
    from kro.kube.cache import Cache

    cache = Cache()
    a = {"metadata": {"name": "n-" + "1", "namespace": "default", "labels": {"app": "x" * 3}}}
    b = {"metadata": {"name": "n-" + "2", "namespace": "default", "labels": {"app": "".join("xxx")}}}
    for obj in (a, b):
        cache.upsert(obj)
    stored_a, stored_b = cache.get("n-1", "default"), cache.get("n-2", "default")
    assert stored_a is a and stored_b is b  # the cache's own objects, compacted in place
    assert stored_a["metadata"]["labels"]["app"] is stored_b["metadata"]["labels"]["app"]
    assert next(iter(stored_a)) is next(iter(stored_b))  # "metadata", spelled once
