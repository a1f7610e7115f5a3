"""Evaluation failures: missing data waits, real errors are reported on the node, never raised."""

from __future__ import annotations

from kro.api.conditions import InstanceState, NodeState
from kro.graph.model import Graph
from kro.runtime.observed import Snapshot
from kro.runtime.planner import plan_instance

from .graphs import compiled, instance, resource


def cm_graph(data: dict[str, str]) -> Graph:
    return compiled(
        [resource("cm", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": data})],
        spec={"labels": "map[string]string", "zero": "integer | default=0"},
    )


def test_a_missing_key_waits() -> None:
    plan = plan_instance(
        cm_graph({"a": "${schema.spec.labels['team']}"}),
        instance(spec={"labels": {}}),
        Snapshot(),
        kro_version="v",
    )
    assert plan.nodes["cm"].state is NodeState.WAITING_FOR_READINESS
    assert plan.state is InstanceState.IN_PROGRESS
    message = {c["type"]: c["message"] for c in plan.status["conditions"]}["ResourcesReady"]
    assert message.startswith("waiting for cm: cannot resolve yet")


def test_a_real_failure_is_an_error_on_the_node() -> None:
    plan = plan_instance(
        cm_graph({"a": "${string(1 / schema.spec.zero)}"}),
        instance(spec={"zero": 0}),
        Snapshot(),
        kro_version="v",
    )
    assert plan.nodes["cm"].state is NodeState.ERROR
    assert "divide by zero" in plan.nodes["cm"].reason
    assert plan.state is InstanceState.ERROR


def test_removed_node_is_pruned() -> None:
    stale = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "old",
            "namespace": "default",
            "uid": "u1",
            "labels": {"kro.run/instance-id": "uid-demo", "kro.run/node-id": "gone"},
        },
    }
    plan = plan_instance(cm_graph({"a": "b"}), instance(), Snapshot([stale]), kro_version="v")
    assert [(r.uid, r.reason) for r in plan.all_prunes] == [("u1", "node gone is no longer in the graph")]
