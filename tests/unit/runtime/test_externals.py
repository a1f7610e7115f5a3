"""External references: read, never written; missing ones make the instance wait."""

from __future__ import annotations

from kro.api.conditions import NodeState
from kro.graph.model import Graph
from kro.runtime.observed import Snapshot
from kro.runtime.planner import plan_instance

from .graphs import compiled, instance, resource


def shared_graph() -> Graph:
    return compiled(
        [
            resource(
                "shared", external={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "platform"}}
            ),
            resource(
                "teams",
                external={
                    "apiVersion": "v1",
                    "kind": "Namespace",
                    "metadata": {"selector": {"matchLabels": {"team": "x"}}},
                },
            ),
            resource(
                "app",
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "${schema.metadata.name}"},
                    "data": {"region": "${shared.data.region}", "teams": "${string(size(teams))}"},
                },
            ),
        ]
    )


PLATFORM = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "platform", "namespace": "default"},
    "data": {"region": "eu"},
}


def ns(name: str, team: str) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": {"team": team}}}


def test_missing_external_waits_and_is_named() -> None:
    plan = plan_instance(shared_graph(), instance(), Snapshot(), kro_version="v")
    assert plan.nodes["shared"].state is NodeState.WAITING_FOR_READINESS
    assert plan.nodes["shared"].reason == "external ConfigMap/default/platform not found"
    assert plan.all_applies == ()


def test_found_external_feeds_dependents_and_is_never_applied() -> None:
    observed = Snapshot([PLATFORM, ns("a", "x"), ns("b", "y"), ns("c", "x")])
    plan = plan_instance(shared_graph(), instance(), observed, kro_version="v")
    assert [d.node_id for d in plan.all_applies] == ["app"]
    assert plan.all_applies[0].body["data"] == {"region": "eu", "teams": "2"}
    assert plan.nodes["shared"].state is NodeState.SYNCED
