"""RGDs written for upstream kro compile unchanged: bare-key conditions, long interpolated strings,
and generated CRDs stamped with this project's version."""

from __future__ import annotations

from kro import __version__
from kro.api.keys import Labels
from kro.graph.template import parse
from tests.unit.graph.builders import compile_ok, configmap, problems, resource, rgd


def test_upstream_style_condition_with_bare_keys_compiles_and_evaluates() -> None:
    cond = "${runtime.newCondition({type: 'Ready', status: 'True', reason: 'Ok', message: 'fine'})}"
    graph = compile_ok(rgd(status={"conditions": [cond]}))
    (expr,) = graph.status_conditions
    value = expr.evaluate({"schema": {"metadata": {"name": "x"}, "spec": {}}})
    assert value["type"] == "Ready" and value["status"] == "True" and value["message"] == "fine"


def test_generated_crd_carries_this_projects_version() -> None:
    graph = compile_ok(rgd(resources=[resource("cm", configmap())]))
    assert graph.crd["metadata"]["labels"][Labels.KRO_VERSION] == __version__


def test_sixty_part_interpolated_string_compiles_to_a_string() -> None:
    text = "-".join("${schema.spec.name}" for _ in range(30)) + "-end"
    assert len(parse(text).segments) >= 60
    graph = compile_ok(rgd(resources=[resource("cm", configmap(name="x", key=text))]))
    (field,) = [f for f in graph.nodes["cm"].fields if f.path == ("data", "key")]
    bindings = {"schema": {"metadata": {"name": "x"}, "spec": {"name": "ab"}}}
    assert field.expression.evaluate(bindings) == "-".join(["ab"] * 30) + "-end"


def test_error_inside_a_long_interpolated_string_points_at_its_expression() -> None:
    text = "-".join("${schema.spec.name}" for _ in range(30)) + "-${schema.spec.nope}"
    (d,) = problems(rgd(resources=[resource("cm", configmap(name="x", key=text))]))
    assert "nope" in d.message and d.expression == "schema.spec.nope"
