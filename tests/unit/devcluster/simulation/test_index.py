"""The simulation's index of the store: objects and children from events, template hashes once per
generation, and the simulation's own writes not queueing their object again."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kro.devcluster.simulation.index import Index
from kro.devcluster.simulation.pods import owner_reference, template_hash
from kro.devcluster.storage import WatchEvent
from tests.unit.devcluster.simulation.builders import owner, pod

WATCHED = frozenset({"statefulsets.apps", "pods"})
KEY = ("statefulsets.apps", "default", "db")


def _at(obj: dict[str, Any], rv: int) -> dict[str, Any]:
    return {**obj, "metadata": {**obj["metadata"], "resourceVersion": str(rv)}}


def test_children_are_the_controlled_objects_sorted_by_name() -> None:
    index = Index(WATCHED)
    sts = owner("StatefulSet", "db")
    for name in ("db-1", "db-0"):
        index.observe(WatchEvent("ADDED", "pods", _at(pod(name, sts), 2), 2))
    stray = pod("other", owner("StatefulSet", "x"))
    index.observe(WatchEvent("ADDED", "pods", _at(stray, 3), 3))
    assert [p["metadata"]["name"] for p in index.children("pods", sts)] == ["db-0", "db-1"]
    index.observe(WatchEvent("DELETED", "pods", _at(pod("db-0", sts), 4), 4))
    assert [p["metadata"]["name"] for p in index.children("pods", sts)] == ["db-1"]


def test_own_write_does_not_queue_its_object_but_queues_its_owner() -> None:
    index = Index(WATCHED)
    sts = _at(owner("StatefulSet", "db"), 1)
    assert index.observe(WatchEvent("ADDED", "statefulsets.apps", sts, 1)).reconcile  # type: ignore[union-attr]
    index.wrote(KEY, _at(sts, 5))
    own = index.observe(WatchEvent("MODIFIED", "statefulsets.apps", _at(sts, 5), 5))
    assert own is not None and not own.reconcile
    other = index.observe(WatchEvent("MODIFIED", "statefulsets.apps", _at(sts, 6), 6))
    assert other is not None and other.reconcile  # someone else's change
    child = _at(pod("db-0", sts), 7)
    index.wrote(("pods", "default", "db-0"), child)
    change = index.observe(WatchEvent("ADDED", "pods", child, 7))
    assert change is not None and not change.reconcile and change.owners == (KEY,)


def test_a_write_whose_event_was_already_taken_is_not_remembered() -> None:
    index = Index(WATCHED)
    sts = _at(owner("StatefulSet", "db"), 3)
    index.observe(WatchEvent("MODIFIED", "statefulsets.apps", sts, 3))
    index.wrote(KEY, sts)
    again = index.observe(WatchEvent("MODIFIED", "statefulsets.apps", _at(sts, 3), 3))
    assert again is not None and again.reconcile


templates = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=12,
)


@given(st.lists(st.tuples(st.integers(1, 3), templates, st.integers(0, 2)), min_size=1, max_size=8))
def test_digest_equals_template_hash_for_each_generation(history: list[tuple[int, Any, int]]) -> None:
    index = Index(WATCHED)
    seen: dict[tuple[int, int], Any] = {}
    for generation, template, collisions in history:
        # a generation's template never changes: the first one seen for it stays
        template = seen.setdefault((generation, collisions), template)
        sts = owner("StatefulSet", "db", generation=generation)
        sts["spec"]["template"] = template
        assert index.digest(sts, collisions) == template_hash(template or {}, collisions)  # as planners read it


def test_digest_without_a_generation_is_not_cached() -> None:
    index = Index(WATCHED)
    sts = owner("StatefulSet", "db")
    del sts["metadata"]["generation"]
    first = index.digest(sts)
    sts["spec"]["template"] = {"spec": {"containers": [{"name": "c", "image": "other"}]}}
    assert index.digest(sts) != first == template_hash(owner("StatefulSet", "db")["spec"]["template"])
    assert owner_reference(sts)["uid"] == "uid-db"
