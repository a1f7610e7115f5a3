"""Which updates of a child can change its instance's reconcile (``kro.runtime.relevance``)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kro.cel.errors import EvaluationError
from kro.graph.model import CompiledExpression, Graph
from kro.runtime.relevance import status_reads

from .graphs import compiled, resource
from .redis import redis_graph, redis_instance

STS_STATUS = {
    "observedGeneration": 1, "replicas": 1, "currentReplicas": 1, "updatedReplicas": 1,
    "currentRevision": "cache-7d9", "updateRevision": "cache-7d9", "collisionCount": 0,
    "availableReplicas": 0,
}  # fmt: skip


def _statefulset(**status: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "cache", "namespace": "default", "resourceVersion": "7", "labels": {"app": "cache"}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "cache"}}},
        "status": {**STS_STATUS, **status},
    }


def _changed(obj: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    node = out
    for name in path[:-1]:
        node = node.setdefault(name, {})
    node[path[-1]] = value
    out["metadata"]["resourceVersion"] = str(int(out["metadata"]["resourceVersion"]) + 1)
    return out


def test_a_statefulset_status_change_nothing_reads_does_not_matter() -> None:
    reads = status_reads(redis_graph())
    old = _statefulset()
    new = _changed(old, ("status", "currentRevision"), "cache-8e1")
    new["metadata"]["managedFields"] = [{"manager": "kube-controller-manager"}]
    assert not reads.change_matters("statefulset", new, old)
    assert not reads.change_matters("statefulset", _changed(old, ("status", "availableReplicas"), 1), old)


def test_a_change_to_what_an_expression_reads_matters() -> None:
    reads = status_reads(redis_graph())
    old = _statefulset()
    assert reads.change_matters("statefulset", _changed(old, ("status", "readyReplicas"), 1), old)
    ready = _statefulset(readyReplicas=1)
    assert reads.change_matters("statefulset", _changed(ready, ("status", "readyReplicas"), 0), ready)


def test_spec_and_metadata_changes_always_matter_drift_is_repaired_from_them() -> None:
    reads = status_reads(redis_graph())
    old = _statefulset()
    assert reads.change_matters("statefulset", _changed(old, ("spec", "replicas"), 3), old)
    assert reads.change_matters("statefulset", _changed(old, ("metadata", "labels"), {"app": "x"}), old)
    assert reads.change_matters("statefulset", _changed(old, ("metadata", "deletionTimestamp"), "t"), old)
    assert reads.change_matters("statefulset", _changed(old, ("metadata", "annotations"), {"a": "b"}), old)
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "resourceVersion": "1"}, "data": {}}
    assert reads.change_matters("config", _changed(config, ("data", "MAXMEMORY"), "1gb"), config)


def test_a_node_unknown_to_the_graph_counts_every_status_change() -> None:
    reads = status_reads(redis_graph())
    old = _statefulset()
    assert reads.change_matters("gone", _changed(old, ("status", "currentRevision"), "x"), old)


DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
    "spec": {"selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "w", "image": "nginx"}]}}},
}  # fmt: skip


def test_an_object_or_a_status_read_whole_makes_every_status_change_matter() -> None:
    for expression in ("${web}", "${web.status}"):
        reads = status_reads(compiled([resource("web", DEPLOYMENT)], status={"seen": expression}))
        old = {**DEPLOYMENT, "metadata": {"resourceVersion": "1"}, "status": {"replicas": 1}}
        assert reads.change_matters("web", _changed(old, ("status", "observedGeneration"), 2), old), expression


def test_a_node_nothing_reads_ignores_its_status() -> None:
    reads = status_reads(compiled([resource("web", DEPLOYMENT)]))  # ready once observed
    old = {**DEPLOYMENT, "metadata": {"resourceVersion": "1"}, "status": {"replicas": 1}}
    assert not reads.change_matters("web", _changed(old, ("status", "availableReplicas"), 1), old)


def _regions(*, ready_when: tuple[str, ...] = (), status: dict[str, Any] | None = None) -> Graph:
    template = copy.deepcopy(DEPLOYMENT)
    template["metadata"] = {"name": "${schema.metadata.name}-${region}"}
    return compiled(
        [resource("webs", template, for_each=[("region", "${schema.spec.regions}")], ready_when=ready_when)],
        spec={"regions": "[]string"},
        status=status,
    )


def test_a_collection_item_counts_what_its_ready_when_reads_as_each() -> None:
    reads = status_reads(_regions(ready_when=("${each.status.availableReplicas >= 1}",)))
    old = {**DEPLOYMENT, "metadata": {"resourceVersion": "1"}, "status": {"replicas": 1}}
    assert reads.change_matters("webs", _changed(old, ("status", "availableReplicas"), 1), old)
    assert not reads.change_matters("webs", _changed(old, ("status", "updatedReplicas"), 1), old)


def test_a_collection_read_as_a_list_counts_every_status_change() -> None:
    reads = status_reads(_regions(status={"count": "${size(webs)}"}))
    old = {**DEPLOYMENT, "metadata": {"resourceVersion": "1"}, "status": {"replicas": 1}}
    assert reads.change_matters("webs", _changed(old, ("status", "updatedReplicas"), 1), old)


def test_a_template_that_sets_status_counts_every_status_change() -> None:
    reads = status_reads(compiled([resource("web", {**DEPLOYMENT, "status": {"replicas": 1}})]))
    old = {**DEPLOYMENT, "metadata": {"resourceVersion": "1"}, "status": {"replicas": 1}}
    assert reads.change_matters("web", _changed(old, ("status", "availableReplicas"), 1), old)


# Soundness: an update that is said not to matter leaves every expression of the graph as it was.

_VALUE = st.one_of(st.none(), st.integers(-2, 3), st.text(max_size=3), st.booleans())
_STATUS = st.dictionaries(
    st.sampled_from([*STS_STATUS, "readyReplicas", "conditions"]), _VALUE, max_size=6
)


def _evaluated(expressions: list[CompiledExpression], bindings: dict[str, Any]) -> list[Any]:
    """Each expression's value, or its evaluation error."""
    out: list[Any] = []
    for expression in expressions:
        try:
            out.append(expression.evaluate(bindings))
        except EvaluationError as e:
            out.append(("error", str(e)))
    return out


def _results(graph: Graph, statefulset: dict[str, Any]) -> list[Any]:
    bindings = {"schema": redis_instance("cache"), "statefulset": statefulset,
                "config": {"metadata": {"name": "cache-config"}}}  # fmt: skip
    expressions: list[CompiledExpression] = [f.expression for f in graph.status_fields]
    for node in graph.nodes.values():
        expressions.extend(node.ready_when)
        expressions.extend(f.expression for f in node.fields)
    return _evaluated(expressions, bindings)


@settings(max_examples=300, deadline=None)
@given(old_status=_STATUS, new_status=_STATUS)
def test_an_update_said_not_to_matter_changes_no_expression(
    old_status: dict[str, Any], new_status: dict[str, Any]
) -> None:
    graph = redis_graph()
    reads = status_reads(graph)
    old, new = _statefulset(), _statefulset()
    old["status"], new["status"] = old_status, new_status
    if not reads.change_matters("statefulset", new, old):
        assert _results(graph, new) == _results(graph, old)


def _deployment_graph() -> Graph:
    return compiled(
        [resource("web", DEPLOYMENT, ready_when=("${has(web.status.readyReplicas) && web.status.readyReplicas > 0}",))],
        status={
            "available": "${web.status.?availableReplicas.orValue(0)}",
            "healthy": "${has(web.status.conditions) && web.status.conditions.exists(c, c.type == 'Available' && c.status == 'True')}",
        },
    )


_CONDITION = st.fixed_dictionaries(
    {"type": st.sampled_from(["Available", "Progressing"]), "status": st.sampled_from(["True", "False"])},
    optional={"reason": st.text(max_size=3)},
)
_DEPLOYMENT_STATUS = st.fixed_dictionaries(
    {},
    optional={
        "replicas": st.integers(0, 3), "readyReplicas": st.integers(0, 3), "availableReplicas": st.integers(0, 3),
        "updatedReplicas": st.integers(0, 3), "observedGeneration": st.integers(1, 3),
        "conditions": st.lists(_CONDITION, max_size=3),
    },
)  # fmt: skip


def _deployment_results(graph: Graph, web: dict[str, Any]) -> list[Any]:
    bindings = {"schema": {"metadata": {"name": "demo"}, "spec": {}}, "web": web}
    return _evaluated([*(f.expression for f in graph.status_fields), *graph.nodes["web"].ready_when], bindings)


@settings(max_examples=300, deadline=None)
@given(old_status=_DEPLOYMENT_STATUS, new_status=_DEPLOYMENT_STATUS)
def test_optional_fields_and_comprehensions_are_read_as_they_are_evaluated(
    old_status: dict[str, Any], new_status: dict[str, Any]
) -> None:
    graph = _deployment_graph()
    reads = status_reads(graph)
    old = {**DEPLOYMENT, "metadata": {"resourceVersion": "1"}, "status": old_status}
    new = {**DEPLOYMENT, "metadata": {"resourceVersion": "2"}, "status": new_status}
    if not reads.change_matters("web", new, old):
        assert _deployment_results(graph, new) == _deployment_results(graph, old)


def test_what_optional_fields_and_comprehensions_read() -> None:
    reads = status_reads(_deployment_graph())
    assert reads.by_node["web"] == {"status": {"availableReplicas": None, "conditions": None, "readyReplicas": None}}


def test_a_number_that_changes_type_matters() -> None:
    reads = status_reads(redis_graph())
    for before, after in ((1, True), (1, 1.0), (0, False), (0, None)):
        old, new = _statefulset(readyReplicas=before), _statefulset(readyReplicas=after)
        assert reads.change_matters("statefulset", new, old), (before, after)


def test_values_json_cannot_hold_are_compared_by_walking() -> None:
    reads = status_reads(redis_graph())
    old = _statefulset(readyReplicas=2**70)  # beyond 64 bits: orjson refuses, the walk compares
    assert not reads.change_matters("statefulset", _statefulset(readyReplicas=2**70), old)
    assert reads.change_matters("statefulset", _statefulset(readyReplicas=2**70 + 1), old)
    assert not reads.change_matters("statefulset", {**_statefulset(), "spec": {1: "x"}}, {**_statefulset(), "spec": {1: "x"}})
