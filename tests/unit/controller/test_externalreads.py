"""The index of what instances read through external references: an event on an object queues the
instances whose last reconcile read it, by name or by a selector, and no others."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kro.api.refs import GVK, GVR
from kro.controller.externalreads import ExternalReaders
from kro.runtime.observed import matches_selector
from kro.runtime.plan import ExternalRead

CM = GVR("", "v1", "configmaps")
SECRETS = GVR("", "v1", "secrets")
CM_KIND = GVK("", "v1", "ConfigMap")


def by_name(name: str, namespace: str = "default") -> tuple[GVR, ExternalRead]:
    return CM, ExternalRead(CM_KIND, namespace, name)


def by_selector(selector: dict[str, Any], namespace: str | None = "default") -> tuple[GVR, ExternalRead]:
    return CM, ExternalRead(CM_KIND, namespace, selector=selector)


def obj(name: str, namespace: str = "default", **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": namespace, "labels": labels}}


def test_an_object_read_by_name_finds_its_readers_only() -> None:
    index = ExternalReaders()
    index.record(("default", "a"), [by_name("one")])
    index.record(("default", "b"), [by_name("two")])
    index.record(("other", "c"), [by_name("one")])
    assert index.readers(CM, obj("one")) == {("default", "a"), ("other", "c")}
    assert index.readers(CM, obj("two")) == {("default", "b")}
    assert index.readers(CM, obj("one", namespace="elsewhere")) == set()
    assert index.readers(SECRETS, obj("one")) == set()


def test_a_selector_matches_the_labels_now_or_before() -> None:
    index = ExternalReaders()
    index.record(("default", "a"), [by_selector({"matchLabels": {"team": "x"}})])
    index.record(("default", "b"), [by_selector({"matchLabels": {"team": "y"}}, namespace=None)])
    assert index.readers(CM, obj("any", team="x")) == {("default", "a")}
    assert index.readers(CM, obj("any", namespace="kube-system", team="y")) == {("default", "b")}
    assert index.readers(CM, obj("any", namespace="kube-system", team="x")) == set()
    # relabelled from x to z: the selection of a loses it, so a is looked at again
    assert index.readers(CM, obj("any", team="z"), obj("any", team="x")) == {("default", "a")}


def test_a_reconcile_that_planned_replaces_what_the_last_one_read() -> None:
    index = ExternalReaders()
    index.record(("default", "a"), [by_name("old")])
    index.end(("default", "a"))
    # the next reconcile reads another object: from its plan on, both count; after it, only the new one
    index.record(("default", "a"), [by_name("new")])
    assert index.readers(CM, obj("old")) == {("default", "a")}
    assert index.readers(CM, obj("new")) == {("default", "a")}
    index.end(("default", "a"))
    assert index.readers(CM, obj("old")) == set()
    assert index.readers(CM, obj("new")) == {("default", "a")}


def test_a_reconcile_that_did_not_plan_keeps_what_the_last_one_read() -> None:
    index = ExternalReaders()
    index.record(("default", "a"), [by_name("one")])
    index.end(("default", "a"))
    index.end(("default", "a"))  # e.g. suspended, or failed before planning
    assert index.readers(CM, obj("one")) == {("default", "a")}


def test_a_plan_that_reads_nothing_any_more_drops_everything_and_forget_drops_all() -> None:
    index = ExternalReaders()
    index.record(("default", "a"), [by_name("one"), by_selector({"matchLabels": {"t": "x"}})])
    index.record(("default", "b"), [by_name("one")])
    index.end(("default", "a"))
    index.end(("default", "b"))
    index.record(("default", "a"), [])
    index.end(("default", "a"))
    assert index.readers(CM, obj("one", t="x")) == {("default", "b")}
    index.forget(("default", "b"))
    assert index.readers(CM, obj("one", t="x")) == set()
    assert len(index) == 0


NAMES = st.sampled_from(["one", "two", "three"])
NAMESPACES = st.sampled_from(["default", "other"])
SELECTORS = st.sampled_from([{"matchLabels": {"t": "x"}}, {"matchLabels": {"t": "y"}}, {}])
READS = st.one_of(
    st.builds(by_name, NAMES, NAMESPACES),
    st.builds(by_selector, SELECTORS, st.one_of(st.none(), NAMESPACES)),
)
READERS = st.sampled_from([("default", "a"), ("default", "b"), ("other", "a")])
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("record"), READERS, st.lists(READS, max_size=3)),
        st.tuples(st.just("end"), READERS, st.just([])),
        st.tuples(st.just("forget"), READERS, st.just([])),
    ),
    max_size=25,
)
OBJECTS = st.builds(
    lambda name, ns, t: obj(name, ns, **({"t": t} if t else {})),
    NAMES,
    NAMESPACES,
    st.sampled_from(["x", "y", ""]),
)


def _matches(read: ExternalRead, o: dict[str, Any]) -> bool:
    meta = o["metadata"]
    if read.selector is None:
        return (read.namespace, read.name) == (meta["namespace"], meta["name"])
    return (read.namespace is None or read.namespace == meta["namespace"]) and matches_selector(
        meta["labels"], read.selector
    )


@settings(max_examples=300, deadline=None)
@given(STEPS, st.lists(OBJECTS, min_size=1, max_size=4))
def test_the_index_agrees_with_a_plain_model(steps: list[Any], objects: list[dict[str, Any]]) -> None:
    """held: what the last reconcile that planned read; while one runs, its reads count too."""
    index = ExternalReaders()
    held: dict[tuple[str, str], list[ExternalRead]] = {}
    rounds: dict[tuple[str, str], list[ExternalRead]] = {}
    for op, reader, reads in steps:
        if op == "record":
            index.record(reader, reads)
            rounds.setdefault(reader, []).extend(r for _, r in reads)
        elif op == "end":
            index.end(reader)
            if reader in rounds:
                held[reader] = rounds.pop(reader)
        else:
            index.forget(reader)
            held.pop(reader, None)
            rounds.pop(reader, None)
        for o in objects:
            expected = {
                r
                for r in {*held, *rounds}
                if any(_matches(read, o) for read in [*held.get(r, []), *rounds.get(r, [])])
            }
            assert index.readers(CM, o) == expected
