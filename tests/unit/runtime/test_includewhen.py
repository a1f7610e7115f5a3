"""includeWhen: skipping, its contagion to dependents, and pruning what a skipped node had created."""

from __future__ import annotations

from typing import Any

from kro.api.conditions import InstanceState, NodeState
from kro.graph.model import Graph
from kro.runtime.observed import Snapshot
from kro.runtime.planner import plan_instance

from .graphs import compiled, instance, resource, with_uids


def app_graph() -> Graph:
    return compiled(
        [
            resource(
                "config",
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "${schema.metadata.name}"}},
            ),
            resource(
                "ingress",
                {
                    "apiVersion": "networking.k8s.io/v1",
                    "kind": "Ingress",
                    "metadata": {
                        "name": "${schema.metadata.name}",
                        "annotations": {"for": "${config.metadata.name}"},
                    },
                },
                include_when=["${schema.spec.enableIngress}"],
            ),
            resource(
                "cert",
                {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "${ingress.metadata.name}-tls"}},
            ),
        ],
        spec={"enableIngress": "boolean | default=false", "labels": "map[string]string"},
    )


def converge(g: Graph, inst: dict[str, Any]) -> list[dict[str, Any]]:
    objs: list[dict[str, Any]] = []
    for _ in range(len(g.nodes)):
        objs = with_uids(
            [dict(d.body) for d in plan_instance(g, inst, Snapshot(objs), kro_version="v").all_applies]
        )
    return objs


def test_false_condition_skips_the_node_and_its_dependents() -> None:
    g = app_graph()
    inst = instance(spec={"enableIngress": False})
    plan = plan_instance(g, inst, Snapshot(converge(g, inst)), kro_version="v")
    assert plan.nodes["ingress"].state is NodeState.SKIPPED
    assert plan.nodes["ingress"].reason == "excluded: includeWhen `${schema.spec.enableIngress}` is false"
    assert plan.nodes["cert"].state is NodeState.SKIPPED
    assert plan.nodes["cert"].reason == "excluded: dependency ingress is skipped"
    assert [d.node_id for d in plan.all_applies] == ["config"]
    assert plan.state is InstanceState.ACTIVE


def test_flipping_to_false_prunes_what_was_created_dependents_first() -> None:
    g = app_graph()
    objs = converge(g, instance(spec={"enableIngress": True}))
    assert sorted(o["kind"] for o in objs) == ["ConfigMap", "Ingress", "Secret"]
    off = plan_instance(g, instance(spec={"enableIngress": False}), Snapshot(objs), kro_version="v")
    assert [[r.uid for r in wave] for wave in off.prunes] == [["u-Secret-demo-tls"], ["u-Ingress-demo"]]
    assert off.all_prunes[0].reason == "node cert is skipped"
    assert [d.node_id for d in off.all_applies] == ["config"]


def test_a_condition_on_schema_alone_excludes_at_once_without_waiting_for_dependencies() -> None:
    # Nothing observed: config is being created, yet ingress (and cert after it) are excluded now.
    plan = plan_instance(app_graph(), instance(spec={"enableIngress": False}), Snapshot([]), kro_version="v")
    assert plan.nodes["config"].state is NodeState.IN_PROGRESS
    assert plan.nodes["ingress"].state is NodeState.SKIPPED
    assert plan.nodes["ingress"].reason == "excluded: includeWhen `${schema.spec.enableIngress}` is false"
    assert plan.nodes["cert"].state is NodeState.SKIPPED


def test_a_true_condition_on_schema_still_waits_for_dependencies() -> None:
    plan = plan_instance(app_graph(), instance(spec={"enableIngress": True}), Snapshot([]), kro_version="v")
    assert plan.nodes["ingress"].state is NodeState.WAITING_FOR_READINESS
    assert plan.nodes["ingress"].reason == "waiting for dependency config"


def flag_graph() -> Graph:
    """``extra`` is included when the ConfigMap ``flags`` (ready once it has ``data.ready``) says so."""
    return compiled(
        [
            resource(
                "flags",
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "flags"},
                    "data": {"on": "no"},
                },
                ready_when=["${has(flags.data.ready)}"],
            ),
            resource(
                "extra",
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "extra"}},
                include_when=["${schema.spec.enabled}", "${flags.data.on == 'yes'}"],
            ),
        ],
        spec={"enabled": "boolean | default=true"},
    )


def test_a_condition_on_a_resource_waits_until_that_resource_is_ready() -> None:
    g = flag_graph()
    inst = instance(spec={"enabled": True})
    observed = with_uids(
        [dict(d.body) for d in plan_instance(g, inst, Snapshot([]), kro_version="v").all_applies]
    )
    waiting = plan_instance(g, inst, Snapshot(observed), kro_version="v")
    assert waiting.nodes["extra"].state is NodeState.WAITING_FOR_READINESS
    assert waiting.nodes["extra"].reason == "waiting for dependency flags"
    ready = [{**o, "data": {"on": "no", "ready": "1"}} for o in observed]
    decided = plan_instance(g, inst, Snapshot(ready), kro_version="v")
    assert decided.nodes["extra"].state is NodeState.SKIPPED
    assert decided.nodes["extra"].reason == "excluded: includeWhen `${flags.data.on == 'yes'}` is false"
    # the schema condition alone is decided before flags is ready
    off = plan_instance(g, instance(spec={"enabled": False}), Snapshot(observed), kro_version="v")
    assert off.nodes["extra"].reason == "excluded: includeWhen `${schema.spec.enabled}` is false"
