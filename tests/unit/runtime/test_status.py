"""Instance status: computed fields, author conditions next to kro's, and the Ready aggregate."""

from __future__ import annotations

from kro.runtime.conditions import Condition, aggregate_ready
from kro.runtime.observed import Snapshot
from kro.runtime.planner import plan_instance

from .graphs import compiled, instance, resource

CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "default"}}


def checked_graph():  # type: ignore[no-untyped-def]
    return compiled(
        [
            resource(
                "cm",
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "x"},
                    "data": {"a": "${schema.spec.t}"},
                },
            )
        ],
        spec={"t": "string"},
        status={
            "value": "${cm.data.a}",
            "conditions": [
                "${runtime.newCondition({'type': 'Checked', 'status': cm.data.a == 'ok' ? 'True' : 'False',"
                " 'reason': 'Looked', 'message': 'data is ' + cm.data.a})}"
            ],
        },
    )


def test_author_conditions_follow_kros_own() -> None:
    observed = Snapshot([{**CM, "data": {"a": "bad"}}])
    plan = plan_instance(checked_graph(), instance(spec={"t": "bad"}), observed, kro_version="v")
    conditions = {c["type"]: c for c in plan.status["conditions"]}
    assert list(conditions) == ["InstanceManaged", "GraphResolved", "ResourcesReady", "Ready", "Checked"]
    assert (conditions["Checked"]["status"], conditions["Checked"]["message"]) == ("False", "data is bad")
    assert plan.status["value"] == "bad"


def test_unresolvable_fields_and_conditions_are_left_out() -> None:
    plan = plan_instance(checked_graph(), instance(spec={"t": "ok"}), Snapshot(), kro_version="v")
    assert "value" not in plan.status
    assert [c["type"] for c in plan.status["conditions"]] == [
        "InstanceManaged",
        "GraphResolved",
        "ResourcesReady",
        "Ready",
    ]


def test_ready_takes_the_worst_part_false_beating_unknown() -> None:
    parts = [
        Condition("A", "True", "Fine"),
        Condition("B", "Unknown", "Pending", "b pending"),
        Condition("C", "False", "Broken", "c broken"),
    ]
    ready = aggregate_ready(parts)
    assert (ready.type, ready.status, ready.reason, ready.message) == ("Ready", "False", "Broken", "c broken")
    assert aggregate_ready(parts[:2]).reason == "Pending"
    assert aggregate_ready(parts[:1]).reason == "Ready"
