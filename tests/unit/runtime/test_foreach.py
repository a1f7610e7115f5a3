"""forEach collections: cartesian expansion, labels, limits, readiness and shrink pruning."""

from __future__ import annotations

from kro.api.conditions import InstanceState, NodeState
from kro.graph.model import Graph
from kro.runtime.foreach import CollectionLimits
from kro.runtime.observed import Snapshot
from kro.runtime.outcome import Terminal
from kro.runtime.planner import PlanSettings, plan_instance

from .graphs import compiled, instance, resource, with_uids


def regions_graph(*, ready_when: tuple[str, ...] = ()) -> Graph:
    return compiled(
        [
            resource(
                "cms",
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "${schema.metadata.name}-${region}-${tier}"},
                    "data": {"region": "${region}"},
                },
                for_each=[("region", "${schema.spec.regions}"), ("tier", "${schema.spec.tiers}")],
                ready_when=ready_when,
            ),
            resource(
                "summary",
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "summary"},
                    "data": {"n": "${string(size(cms))}"},
                },
            ),
        ],
        spec={"regions": "[]string", "tiers": "[]string"},
        status={"count": "${size(cms)}"},
    )


def applied(g: Graph, spec: dict[str, object]) -> list[dict[str, object]]:
    return with_uids(
        [dict(d.body) for d in plan_instance(g, instance(spec=spec), Snapshot(), kro_version="v").all_applies]
    )


def test_cartesian_product_with_the_first_dimension_outer() -> None:
    inst = instance(spec={"regions": ["eu", "us"], "tiers": ["a", "b"]})
    plan = plan_instance(regions_graph(), inst, Snapshot(), kro_version="v")
    items = [d.body for d in plan.all_applies]
    assert [i["metadata"]["name"] for i in items] == ["demo-eu-a", "demo-eu-b", "demo-us-a", "demo-us-b"]
    assert [i["metadata"]["labels"]["kro.run/collection-index"] for i in items] == ["0", "1", "2", "3"]
    assert {i["metadata"]["labels"]["kro.run/collection-size"] for i in items} == {"4"}
    assert plan.nodes["cms"].state is NodeState.IN_PROGRESS
    assert plan.nodes["cms"].reason == "0 of 4 items observed"
    assert plan.nodes["summary"].state is NodeState.WAITING_FOR_READINESS


def test_dependents_see_the_collection_as_a_list() -> None:
    g = regions_graph()
    spec: dict[str, object] = {"regions": ["eu", "us"], "tiers": ["a"]}
    plan = plan_instance(g, instance(spec=spec), Snapshot(applied(g, spec)), kro_version="v")
    assert plan.all_applies[-1].body["data"] == {"n": "2"}
    assert plan.status["count"] == 2


def test_an_empty_dimension_gives_zero_items_and_counts_as_ready() -> None:
    plan = plan_instance(
        regions_graph(), instance(spec={"regions": ["eu"], "tiers": []}), Snapshot(), kro_version="v"
    )
    assert [d.node_id for d in plan.all_applies] == ["summary"]
    assert plan.nodes["cms"].state is NodeState.SYNCED


def test_shrinking_prunes_the_items_that_left() -> None:
    g = regions_graph()
    objs = applied(g, {"regions": ["eu", "us", "ap"], "tiers": ["a"]})
    plan = plan_instance(
        g, instance(spec={"regions": ["eu"], "tiers": ["a"]}), Snapshot(objs), kro_version="v"
    )
    assert sorted(r.uid for r in plan.all_prunes) == ["u-ConfigMap-demo-ap-a", "u-ConfigMap-demo-us-a"]
    assert plan.all_prunes[0].reason == "node cms no longer wants it"


def test_every_item_must_pass_ready_when() -> None:
    g = regions_graph(ready_when=("${each.data.region == 'eu'}",))
    spec: dict[str, object] = {"regions": ["eu", "us"], "tiers": ["a"]}
    plan = plan_instance(g, instance(spec=spec), Snapshot(applied(g, spec)), kro_version="v")
    assert plan.nodes["cms"].state is NodeState.WAITING_FOR_READINESS
    assert plan.nodes["cms"].reason == "item 1: readyWhen `${each.data.region == 'eu'}` is false"


def test_duplicate_names_are_an_error_not_a_crash() -> None:
    plan = plan_instance(
        regions_graph(), instance(spec={"regions": ["eu", "eu"], "tiers": ["a"]}), Snapshot(), kro_version="v"
    )
    assert plan.nodes["cms"].state is NodeState.ERROR
    assert "items 0 and 1 both resolve to ConfigMap/default/demo-eu-a" in plan.nodes["cms"].reason
    assert plan.state is InstanceState.ERROR
    assert isinstance(plan.outcome, Terminal)
    resolved = {c["type"]: c for c in plan.status["conditions"]}["GraphResolved"]
    assert (resolved["status"], resolved["reason"]) == ("False", "ResolutionFailed")


def test_size_limit() -> None:
    settings = PlanSettings(limits=CollectionLimits(max_items=3))
    inst = instance(spec={"regions": ["a", "b"], "tiers": ["x", "y"]})
    plan = plan_instance(regions_graph(), inst, Snapshot(), kro_version="v", settings=settings)
    assert plan.nodes["cms"].reason == "forEach expands to 4 items; at most 3 are allowed"
