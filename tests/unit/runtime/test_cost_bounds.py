"""One instance cannot make an evaluation allocate without bound: expressions whose work grows with
the instance's data stop with an ERROR naming the limit, and the process's memory stays near its
baseline. Memory is measured in a fresh subprocess, through the real compiler and planner: VmRSS
after a warm-up, then the peak (VmHWM, reset at the baseline through ``/proc/self/clear_refs``)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from kro.api.conditions import NodeState
from kro.graph.errors import CompileFailed
from kro.runtime.observed import Snapshot
from kro.runtime.planner import plan_instance

from .graphs import compiled, instance, resource

V = "0.1.0"
NESTED = (
    "${string(lists.range(schema.spec.count).map(a, lists.range(schema.spec.count)"
    ".map(b, a * b).size()).size())}"
)
AMPLIFIERS = [
    NESTED,
    "${lists.range(schema.spec.count).map(i, schema.spec.text).join()}",
    "${lists.range(schema.spec.count).map(i, schema.spec.text + '-').join()}",
    "${string(size(lists.range(schema.spec.count * 1000)))}",
    "${schema.spec.text.replace('x', schema.spec.text)}",
    "${cel.bind(a, schema.spec.text + schema.spec.text, cel.bind(b, a + a, cel.bind(c, b + b, "
    "cel.bind(d, c + c, cel.bind(e, d + d, e + e)))))}",
]

_PROBE = textwrap.dedent(
    """
    import json, sys
    from kro.graph.builder import compile_rgd
    from kro.openapi import BuiltinResolver
    from kro.runtime.observed import Snapshot
    from kro.runtime.planner import plan_instance

    def status_kb(field):
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))

    expressions, counts = json.loads(sys.argv[1]), json.loads(sys.argv[2])
    spec = {"count": "integer", "text": 'string | default=""'}
    resources = [
        {"id": f"cm{i}", "template": {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": f"burn{i}"}, "data": {"v": e}}}
        for i, e in enumerate(expressions)
    ]
    rgd = {"apiVersion": "kro.run/v1alpha1", "kind": "ResourceGraphDefinition", "metadata": {"name": "b"},
           "spec": {"schema": {"apiVersion": "v1alpha1", "kind": "Burn", "spec": spec}, "resources": resources}}
    graph = compile_rgd(rgd, resolver=BuiltinResolver())

    def plan(count):
        inst = {"apiVersion": "kro.run/v1alpha1", "kind": "Burn",
                "metadata": {"name": "b", "namespace": "d", "uid": "u", "generation": 1},
                "spec": {"count": count, "text": "x" * 100_000}}
        return plan_instance(graph, inst, Snapshot(), kro_version="0.1.0")

    plan(10)  # warm up: what every reconcile allocates anyway
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # VmHWM := VmRSS
    baseline = status_kb("VmRSS")
    states = {}
    for count in counts:
        p = plan(count)
        states[count] = {n: [r.state.value, r.reason] for n, r in p.nodes.items()}
    peak = status_kb("VmHWM")
    print(json.dumps({"baseline": baseline, "after": status_kb("VmRSS"), "peak": peak, "states": states}))
    """
)


def test_over_budget_instances_get_error_and_memory_stays_near_baseline() -> None:
    counts = [1000, 2000, 3000]
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(AMPLIFIERS), json.dumps(counts)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    baseline = result["baseline"]
    for count in counts:
        for node, (state, reason) in result["states"][str(count)].items():
            assert state == NodeState.ERROR.value, (count, node, reason)
            assert "limit" in reason or "budget" in reason, reason
    assert result["after"] - baseline < 0.2 * baseline, result
    assert result["peak"] - baseline < 0.2 * baseline, result


def test_the_nested_range_errors_with_a_message_naming_the_limit() -> None:
    g = compiled([resource("cm", _configmap(NESTED))], spec={"count": "integer"})
    plan = plan_instance(g, instance(spec={"count": 1000}), Snapshot(), kro_version=V)
    assert plan.nodes["cm"].state is NodeState.ERROR
    assert "Iteration budget exceeded" in plan.nodes["cm"].reason
    small = plan_instance(g, instance(spec={"count": 20}), Snapshot(), kro_version=V)
    assert [d.body["data"]["v"] for d in small.all_applies] == ["20"]


def test_values_built_past_the_budget_error_with_the_prices() -> None:
    g = compiled(
        [resource("cm", _configmap("${lists.range(schema.spec.count).map(i, schema.spec.text).join()}"))],
        spec={"count": "integer", "text": "string"},
    )
    ok = plan_instance(g, instance(spec={"count": 3, "text": "ab"}), Snapshot(), kro_version=V)
    assert [d.body["data"]["v"] for d in ok.all_applies] == ["ababab"]
    plan = plan_instance(g, instance(spec={"count": 2000, "text": "x" * 10_000}), Snapshot(), kro_version=V)
    assert plan.nodes["cm"].state is NodeState.ERROR
    assert "cost limit" in plan.nodes["cm"].reason and "exceed its budget" in plan.nodes["cm"].reason


def test_range_past_its_bound_is_refused_before_it_is_built() -> None:
    g = compiled(
        [resource("cm", _configmap("${string(size(lists.range(schema.spec.count)))}"))],
        spec={"count": "integer"},
    )
    plan = plan_instance(g, instance(spec={"count": 10**9}), Snapshot(), kro_version=V)
    assert plan.nodes["cm"].state is NodeState.ERROR
    assert "lists.range(1000000000) would build" in plan.nodes["cm"].reason
    negative = plan_instance(g, instance(spec={"count": -5}), Snapshot(), kro_version=V)
    assert [d.body["data"]["v"] for d in negative.all_applies] == ["0"]


@pytest.mark.parametrize(
    ("spec", "expression"),
    [
        (
            {"items": "[]string | maxItems=200"},
            "${string(size(schema.spec.items.map(a, schema.spec.items.map(b, a + b))))}",
        ),
        ({"n": "integer | maximum=20000"}, "${string(size(lists.range(schema.spec.n).map(i, i)))}"),
    ],
)
def test_declared_sizes_past_the_budget_are_refused_at_compile_time(
    spec: dict[str, str], expression: str
) -> None:
    with pytest.raises(CompileFailed, match="estimated cost exceeds the budget"):
        compiled([resource("cm", _configmap(expression))], spec=spec)


def test_declared_sizes_within_the_budget_compile() -> None:
    expression = "${string(size(schema.spec.items.map(a, schema.spec.items.map(b, a + b))))}"
    compiled([resource("cm", _configmap(expression))], spec={"items": "[]string | maxItems=50"})


def _configmap(value: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "burn"}, "data": {"v": value}}
