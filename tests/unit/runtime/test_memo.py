"""DesiredMemo: plans that reuse earlier desired objects give exactly the plans computed afresh."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kro.runtime.memo import DesiredMemo
from kro.runtime.observed import Snapshot
from kro.runtime.plan import Plan
from kro.runtime.planner import plan_instance

from .graphs import compiled, instance, resource
from .redis import as_created, redis_graph, redis_instance

V = "0.1.0"

# Values where plain equality is too lenient: 1 == 1.0 == True, 0.0 == -0.0, {"a":1,"b":2} in either order.
_tricky = st.sampled_from([1, 1.0, True, 0, 0.0, -0.0, False, None, "1", "true", "", 2**40, 1e16])
_values = st.recursive(
    _tricky | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3)
    ),
    max_leaves=6,
)


def _bodies(plan: Plan) -> list[str]:
    """The apply bodies exactly as they would be sent: key order and types included."""
    return [json.dumps(d.body) for d in plan.all_applies]


def _same_plans(a: Plan, b: Plan) -> None:
    assert _bodies(a) == _bodies(b)
    assert a.nodes == b.nodes
    assert a.status == b.status
    assert a.state is b.state


# A graph whose templates read values whole, nested, from the instance's metadata and from a
# dependency, so every kind of input path is exercised.
_GRAPH = compiled(
    [
        resource(
            "first",
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "${schema.metadata.name}-a", "labels": "${schema.metadata.labels}"},
                "data": {"whole": "${string(schema.spec.value)}", "n": "${schema.metadata.name}"},
            },
        ),
        resource(
            "second",
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "${schema.metadata.name}-b"},
                "data": {"copied": "${first.data.whole}", "json": "${json.marshal(schema.spec.extra)}"},
            },
        ),
    ],
    spec={"value": "string", "extra": "object"},
    status={"extra": "${schema.spec.extra}", "copied": "${first.data.whole}", "n": "${schema.metadata.name}"},
)


@settings(max_examples=150, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["ab", "cd"]),  # the instance's name
            st.dictionaries(st.sampled_from(["x", "y"]), st.sampled_from(["1", "2"]), max_size=2),
            st.text(max_size=3),
            _values,
            st.booleans(),  # the first object observed
            st.sampled_from(["u1", "u2"]),  # the instance's uid
        ),
        min_size=1,
        max_size=5,
    )
)
def test_a_memo_never_changes_a_plan(steps: list[tuple[Any, ...]]) -> None:
    memo = DesiredMemo()
    for name, labels, value, extra, observed, uid in steps:
        inst = instance(name, spec={"value": value, "extra": {"e": extra}})
        inst["metadata"]["labels"] = labels
        inst["metadata"]["uid"] = uid
        seen = Snapshot()
        if observed:
            fresh = plan_instance(_GRAPH, inst, Snapshot(), kro_version=V)
            seen = Snapshot(as_created(fresh))
        _same_plans(
            plan_instance(_GRAPH, inst, seen, kro_version=V, now="t", memo=memo),
            plan_instance(_GRAPH, inst, seen, kro_version=V, now="t"),
        )


@settings(max_examples=100, deadline=None)
@given(
    replicas=st.lists(st.sampled_from([1, 1.0, True, 2, 3]), min_size=1, max_size=4),
    match_labels=st.lists(
        st.sampled_from([{"app": "x"}, {"app": "y"}, {"app": "x", "tier": "a"}, {"tier": "a", "app": "x"}]),
        min_size=1,
        max_size=4,
    ),
    ready=st.lists(
        st.sampled_from(
            [
                {},
                {"readyReplicas": 0},
                {"readyReplicas": 1},
                {"readyReplicas": 1.0},
                {"readyReplicas": True},
                {"readyReplicas": "1"},
                {"readyReplicas": None},
            ]
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_the_redis_rollout_with_a_memo_plans_what_it_plans_without(
    replicas: list[Any], match_labels: list[dict[str, str]], ready: list[dict[str, Any]]
) -> None:
    # the desired objects, the status fields and readiness all go through the memo
    graph, memo = redis_graph(), DesiredMemo()
    objects: list[dict[str, Any]] = []
    for i in range(max(len(replicas), len(match_labels), len(ready))):
        inst = redis_instance(replicas=replicas[i % len(replicas)])
        for o in objects:
            if o["kind"] == "StatefulSet":
                o["spec"]["selector"]["matchLabels"] = dict(match_labels[i % len(match_labels)])
        seen = Snapshot(objects)
        with_memo = plan_instance(graph, inst, seen, kro_version=V, now="t", memo=memo)
        _same_plans(with_memo, plan_instance(graph, inst, seen, kro_version=V, now="t"))
        objects = as_created(with_memo, StatefulSet=ready[i % len(ready)])


def test_a_reused_desired_object_is_the_one_kept_and_a_changed_input_resolves_again() -> None:
    graph, memo = redis_graph(), DesiredMemo()
    first = plan_instance(graph, redis_instance(), Snapshot(), kro_version=V, memo=memo)
    again = plan_instance(graph, redis_instance(), Snapshot(), kro_version=V, memo=memo)
    assert again.all_applies[0] is first.all_applies[0]
    changed = plan_instance(graph, redis_instance(maxMemory="1gb"), Snapshot(), kro_version=V, memo=memo)
    assert changed.all_applies[0].body["data"]["MAXMEMORY"] == "1gb"
    # the instance's status and resourceVersion are not read by the templates: still reused
    busy = {**redis_instance(maxMemory="1gb"), "status": {"state": "IN_PROGRESS"}}
    busy["metadata"]["resourceVersion"] = "42"
    assert (
        plan_instance(graph, busy, Snapshot(), kro_version=V, memo=memo).all_applies[0]
        is changed.all_applies[0]
    )
    assert len(memo) == 1
