"""Upstream kro's CEL extensions in real RGDs: compiled by the compiler, evaluated by the planner."""

from __future__ import annotations

from kro.api.conditions import NodeState
from kro.runtime.observed import Snapshot
from kro.runtime.planner import plan_instance

from .graphs import compiled, instance, resource

V = "0.1.0"

CONFIG = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {
        "name": "${schema.spec.name}",
        "labels": "${schema.spec.labels.transformMap(k, v, k != 'skip', v.lowerAscii())}",
    },
    "data": {
        "sorted": "${schema.spec.ports.sortBy(p, p).map(p, string(p)).join(',')}",
        "first": "${schema.spec.ports.first().orValue(0) == 80 ? 'http' : 'other'}",
        "last": "${string(schema.spec.ports.last().value())}",
        "pairs": "${schema.spec.ports.transformList(i, p, '%d:%d'.format([i, p])).join(' ')}",
        "bound": "${cel.bind(n, size(schema.spec.ports), string(n * n))}",
        "maybe": "${schema.spec.labels[?'team'].orValue('none')}",
        "range": "${lists.range(3).map(i, string(i)).join('')}",
    },
}


def graph():  # type: ignore[no-untyped-def]
    return compiled(
        [
            resource(
                "config",
                CONFIG,
                include_when=["${schema.spec.labels.all(k, v, v != '')}"],
                ready_when=["${config.data.exists(k, v, k == 'sorted' && v != '')}"],
            )
        ],
        spec={"name": "string", "ports": "[]integer", "labels": "map[string]string"},
        status={"keys": "${config.data.transformList(k, v, k).sort()}"},
    )


def test_upstream_extensions_render_the_template() -> None:
    inst = instance(spec={"name": "web", "ports": [443, 80, 8080], "labels": {"App": "WEB", "skip": "x"}})
    plan = plan_instance(graph(), inst, Snapshot(), kro_version=V)
    (body,) = [d.body for d in plan.all_applies]
    assert body["metadata"]["labels"]["App"] == "web"
    assert "skip" not in body["metadata"]["labels"]
    assert body["data"] == {
        "sorted": "80,443,8080",
        "first": "other",
        "last": "8080",
        "pairs": "0:443 1:80 2:8080",
        "bound": "9",
        "maybe": "none",
        "range": "012",
    }


def test_two_variable_include_when_and_ready_when() -> None:
    g = graph()
    skipped = plan_instance(
        g, instance(spec={"name": "web", "ports": [80], "labels": {"a": ""}}), Snapshot(), kro_version=V
    )
    assert skipped.nodes["config"].state is NodeState.SKIPPED
    inst = instance(spec={"name": "web", "ports": [80], "labels": {"a": "b"}})
    first = plan_instance(g, inst, Snapshot(), kro_version=V)
    observed = [{**d.body, "metadata": {**d.body["metadata"], "uid": "u1"}} for d in first.all_applies]
    plan = plan_instance(g, inst, Snapshot(observed), kro_version=V)
    assert plan.nodes["config"].state is NodeState.SYNCED
    assert plan.status["keys"] == ["bound", "first", "last", "maybe", "pairs", "range", "sorted"]
