"""``omit()`` behind the ``CELOmitFunction`` feature gate, through the real compiler and planner."""

from __future__ import annotations

from typing import Any

import pytest

from kro.api.conditions import NodeState
from kro.api.features import CEL_OMIT_FUNCTION, FeatureGates
from kro.graph.builder import compile_rgd
from kro.graph.errors import CompileFailed
from kro.openapi import BuiltinResolver
from kro.runtime.observed import Snapshot
from kro.runtime.planner import plan_instance

from .graphs import instance, resource, rgd

V = "0.1.0"
ON = FeatureGates({CEL_OMIT_FUNCTION: True})

DEPLOY = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "${schema.spec.name}",
        "annotations": {"team": "${schema.spec.team != '' ? schema.spec.team : omit()}"},
    },
    "spec": {
        "replicas": "${schema.spec.replicas > 0 ? schema.spec.replicas : omit()}",
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [
                    {
                        "name": "web",
                        "image": "nginx",
                        "args": ["--a", "${schema.spec.debug ? '--v=9' : omit()}"],
                    }
                ]
            },
        },
    },
}
SPEC = {
    "name": "string",
    "replicas": "integer | default=0",
    "team": 'string | default=""',
    "debug": "boolean",
}


def document(template: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return rgd([resource("deploy", template or DEPLOY, **extra)], spec=SPEC)


def test_omitted_fields_are_left_out_of_the_applied_object() -> None:
    g = compile_rgd(document(), resolver=BuiltinResolver(), features=ON)
    plan = plan_instance(
        g,
        instance(spec={"name": "web", "replicas": 0, "team": "", "debug": False}),
        Snapshot(),
        kro_version=V,
    )
    (body,) = [d.body for d in plan.all_applies]
    assert "replicas" not in body["spec"]
    assert "team" not in body["metadata"].get("annotations", {})
    assert body["spec"]["template"]["spec"]["containers"][0]["args"] == ["--a"]
    plan = plan_instance(
        g,
        instance(spec={"name": "web", "replicas": 3, "team": "a", "debug": True}),
        Snapshot(),
        kro_version=V,
    )
    (body,) = [d.body for d in plan.all_applies]
    assert body["spec"]["replicas"] == 3
    assert body["metadata"]["annotations"]["team"] == "a"
    assert body["spec"]["template"]["spec"]["containers"][0]["args"] == ["--a", "--v=9"]


def test_gate_off_refuses_the_rgd_naming_the_gate_at_the_call() -> None:
    at = ("spec", "resources", 0, "template", "spec", "replicas")
    with pytest.raises(CompileFailed) as info:
        compile_rgd(document(), resolver=BuiltinResolver(), positions={at: (20, 17)}, file="rgd.yaml")
    messages = [str(d) for d in info.value.diagnostics]
    assert len(messages) == 3
    assert all("CELOmitFunction" in m and "--feature-gates=CELOmitFunction=true" in m for m in messages)
    replicas = next(d for d in info.value.diagnostics if d.path.endswith("spec.replicas"))
    written = DEPLOY["spec"]["replicas"]
    assert (replicas.file, replicas.line, replicas.column) == ("rgd.yaml", 20, 17 + written.index("omit()"))


@pytest.mark.parametrize(
    ("where", "extra", "template"),
    [
        ("interpolated", {}, {**DEPLOY, "metadata": {"name": "x-${omit()}"}}),
        ("includeWhen", {"include_when": ["${omit() == null}"]}, None),
        ("readyWhen", {"ready_when": ["${deploy.status != omit()}"]}, None),
    ],
)
def test_omit_outside_a_template_value_is_refused(where: str, extra: dict[str, Any], template: Any) -> None:
    with pytest.raises(CompileFailed, match="whole value of a resource template field"):
        compile_rgd(document(template, **extra), resolver=BuiltinResolver(), features=ON)


def test_omit_inside_a_list_value_is_an_error_of_the_node() -> None:
    template = {**DEPLOY, "metadata": {"name": "web", "labels": "${{'a': omit()}}"}}
    g = compile_rgd(document(template), resolver=BuiltinResolver(), features=ON)
    plan = plan_instance(
        g,
        instance(spec={"name": "web", "replicas": 1, "team": "a", "debug": True}),
        Snapshot(),
        kro_version=V,
    )
    assert plan.nodes["deploy"].state is NodeState.ERROR
    assert "whole value" in plan.nodes["deploy"].reason
