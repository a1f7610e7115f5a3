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


def test_a_plan_lists_what_its_external_references_read_found_or_not() -> None:
    missing = plan_instance(shared_graph(), instance(), Snapshot(), kro_version="v")
    found = plan_instance(shared_graph(), instance(), Snapshot([PLATFORM, ns("a", "x")]), kro_version="v")
    for plan in (missing, found):
        by_name, by_selector = plan.external_reads
        assert (by_name.gvk.kind, by_name.namespace, by_name.name, by_name.selector) == (
            "ConfigMap", "default", "platform", None,
        )  # fmt: skip
        assert (by_selector.gvk.kind, by_selector.namespace, by_selector.selector) == (
            "Namespace", None, {"matchLabels": {"team": "x"}},
        )  # fmt: skip


def test_an_external_reference_waiting_on_a_dependency_reads_nothing() -> None:
    graph = compiled(
        [
            resource("first", external={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "first"}}),
            resource(
                "second",
                external={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "${first.data.next}"}},
            ),
        ]
    )
    plan = plan_instance(graph, instance(), Snapshot(), kro_version="v")
    assert [r.name for r in plan.external_reads] == ["first"]
    first = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "first", "namespace": "default"},
             "data": {"next": "second"}}  # fmt: skip
    plan = plan_instance(graph, instance(), Snapshot([first]), kro_version="v")
    assert [r.name for r in plan.external_reads] == ["first", "second"]
