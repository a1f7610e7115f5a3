"""The default environment: the engine's extensions plus kro's libraries, typed and evaluated the
same way, with the guards the engine needs around Python-implemented functions."""

from __future__ import annotations

from typing import Any

import pytest

from kro.cel import CELEnvironment, CompileError, Kind, UnknownFunctionError

from .conftest import INSTANCE_SCHEMA

BINDINGS: dict[str, Any] = {
    "schema": {
        "metadata": {"name": "demo", "labels": {"app": "demo"}},
        "spec": {"name": "demo", "replicas": 2, "regions": ["us", "eu"], "values": {"mem": "256Mi"}},
    }
}


@pytest.fixture(scope="module")
def default_env() -> CELEnvironment:
    return CELEnvironment({"schema": INSTANCE_SCHEMA})


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("lists.range(3)", [0, 1, 2]),
        ("random.seededString(6, schema.spec.name) == random.seededString(6, schema.spec.name)", True),
        ("size(random.seededString(6, schema.spec.name))", 6),
        ('json.marshal({"n": schema.spec.replicas})', '{"n":2}'),
        ('schema.metadata.labels.merge({"tier": "web"})', {"app": "demo", "tier": "web"}),
        ("schema.spec.name.upperAscii()", "DEMO"),
        ("quantity(schema.spec.values.mem).isGreaterThan(quantity('100Mi'))", True),
        ("quantity(schema.spec.values.mem) == quantity('256Mi')", True),
    ],
)
def test_library_functions_compile_and_evaluate(
    default_env: CELEnvironment, expression: str, expected: Any
) -> None:
    assert default_env.compile(expression).evaluate(BINDINGS) == expected


def test_library_values_have_an_openapi_shape(default_env: CELEnvironment) -> None:
    out = default_env.compile("quantity(schema.spec.values.mem)").output_type
    assert out.kind == Kind.OPAQUE
    assert out.to_openapi() == {"type": "string"}


def test_library_functions_are_type_checked(default_env: CELEnvironment) -> None:
    with pytest.raises(CompileError):
        default_env.compile("lists.range(schema.spec.name)")


def test_math_is_not_registered(default_env: CELEnvironment) -> None:
    with pytest.raises(UnknownFunctionError):
        default_env.compile("math.greatest(1, 2)")


@pytest.mark.parametrize(
    "expression",
    [
        "json.marshal(schema.?spec.?name)",
        "json.marshal([schema.?spec.?name, 1])",
        "json.marshal(dyn(schema.?spec))",
        "cel.bind(o, schema.?spec, json.marshal({'a': o, 'b': 1}))",
    ],
)
def test_optional_values_never_reach_python_functions(default_env: CELEnvironment, expression: str) -> None:
    # The engine would crash the process; the environment refuses at compile time instead.
    with pytest.raises(CompileError, match="optional"):
        default_env.compile(expression)


@pytest.mark.parametrize(
    "expression",
    [
        "json.marshal(schema.?spec.?name.orValue('x'))",
        "json.marshal([?schema.?spec.?name, 'x'])",
        "json.marshal({?'n': schema.?spec.?name})",
    ],
)
def test_unwrapped_optionals_are_fine(default_env: CELEnvironment, expression: str) -> None:
    assert default_env.compile(expression).evaluate(BINDINGS)


def test_optionals_nested_in_results_are_refused(default_env: CELEnvironment) -> None:
    with pytest.raises(CompileError, match="optional"):
        default_env.compile("[schema.?spec.?name]")


def test_condition_functions_only_where_asked(default_env: CELEnvironment) -> None:
    expression = 'runtime.newCondition({"type": "Ready", "status": "True"})'
    with pytest.raises(UnknownFunctionError) as info:
        default_env.compile(expression)
    assert info.value.name == "runtime.newCondition"
    conditions = default_env.with_condition_functions()
    compiled = conditions.compile(expression)
    assert compiled.evaluate({})["type"] == "Ready"
    assert compiled.output_type.to_openapi()["properties"]["status"] == {"type": "string"}
    assert default_env.with_condition_functions() is conditions
