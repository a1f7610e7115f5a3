"""Compile-time type checking against real built-in schemas: wrong types and misspelled fields are
caught before anything runs, with the position and the name."""

from __future__ import annotations

import pytest

from kro.cel import (
    INT,
    STRING,
    CELEnvironment,
    CelType,
    CompileError,
    Kind,
    LimitError,
    UnknownFunctionError,
    UnknownIdentifierError,
)


@pytest.mark.parametrize(
    ("expression", "kind"),
    [
        ("statefulset.status.readyReplicas >= 1", Kind.BOOL),
        ("statefulset.status.readyReplicas", Kind.INT),
        ("statefulset.spec.serviceName", Kind.STRING),
        ('statefulset.metadata.labels["app"]', Kind.STRING),
        ("statefulset.metadata.labels.app", Kind.STRING),
        ("statefulset.metadata.namespace", Kind.STRING),
        ("statefulset.metadata.creationTimestamp", Kind.TIMESTAMP),
        ("statefulset.spec.template.spec.containers.map(c, c.image)", Kind.LIST),
        ("service.spec.ports[0].port", Kind.INT),
        ("service.spec.ports[0].targetPort", Kind.DYN),  # int-or-string
        ('config.data["redis.conf"]', Kind.STRING),
        ("schema.spec.ratio * 2.0", Kind.DOUBLE),
        ("schema.spec.values.anything.below", Kind.DYN),
        ("pods.map(p, p.status.podIP)", Kind.LIST),
        ("blob.a.b.c", Kind.DYN),
    ],
)
def test_well_typed_expressions_compile_with_their_result_type(
    env: CELEnvironment, expression: str, kind: Kind
) -> None:
    assert env.compile(expression).output_type.kind == kind


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ('statefulset.status.readyReplicas + "x"', "'_+_' applied to '(int, string)'"),
        ("statefulset.spec.replicas == 3.5", "'_==_' applied to '(int, double)'"),
        ("service.spec.ports[0].port.startsWith('8')", "startsWith"),
        ("schema.spec.name > 1", "'_>_'"),
        ("config.data.size() + 'a'", "'_+_'"),
        ("schema.spec.enabled && schema.spec.replicas", "'_&&_'"),
    ],
)
def test_type_errors_fail_at_compile_time(env: CELEnvironment, expression: str, fragment: str) -> None:
    with pytest.raises(CompileError) as info:
        env.compile(expression)
    assert fragment in info.value.message
    assert info.value.expression == expression
    assert not isinstance(info.value, UnknownIdentifierError | UnknownFunctionError)


@pytest.mark.parametrize(
    ("expression", "field", "offset", "where"),
    [
        ("statefulset.status.readyReplica >= 1", "readyReplica", 18, "statefulset.status"),
        ("statefulset.spec.replica", "replica", 16, "statefulset.spec"),
        ("service.spec.prots", "prots", 12, "service.spec"),
        ("config.datta", "datta", 6, "config"),
        ("schema.spec.nmae", "nmae", 11, "schema.spec"),
        ("pods.all(p, p.status.phse == 'Running')", "phse", 20, "p.status"),
        ("pods[0].spec.containers[0].imge", "imge", 26, "this object"),
    ],
)
def test_misspelled_fields_are_rejected_with_their_position(
    env: CELEnvironment, expression: str, field: str, offset: int, where: str
) -> None:
    with pytest.raises(CompileError) as info:
        env.compile(expression)
    assert info.value.message == f"undefined field {field!r}: {where} has no such field"
    assert info.value.column == offset
    assert expression[offset] == "."


def test_shared_shapes_are_reported_where_they_were_selected(env: CELEnvironment) -> None:
    # Pods and StatefulSet templates share one PodSpec type; the error names the user's path.
    with pytest.raises(CompileError) as info:
        env.compile("pods.map(p, p.spec.nodeNme)")
    assert info.value.message == "undefined field 'nodeNme': p.spec has no such field"
    with pytest.raises(CompileError) as info:
        env.compile("statefulset.spec.template.spec.nodeNme")
    assert info.value.message == "undefined field 'nodeNme': statefulset.spec.template.spec has no such field"


def test_unknown_identifier_is_reported_by_name(env: CELEnvironment) -> None:
    with pytest.raises(UnknownIdentifierError) as info:
        env.compile("statefulset.status.readyReplicas + deployment.spec.replicas")
    assert info.value.name == "deployment"
    assert info.value.column is not None


def test_loop_variables_are_not_unknown_identifiers(env: CELEnvironment) -> None:
    env.compile("schema.spec.regions.all(r, r != '')")
    with pytest.raises(UnknownIdentifierError) as info:
        env.compile("schema.spec.regions.all(r, r != region)")
    assert info.value.name == "region"


@pytest.mark.parametrize(
    ("expression", "name"),
    [
        ("frobnicate(schema.spec.name)", "frobnicate"),
        ('random.seededString(10, "seed")', "random.seededString"),
        ("schema.spec.name.shout()", "shout"),
        ("math.greatest(1, 2)", "math.greatest"),  # ext.Math is not registered in kro
    ],
)
def test_unknown_function_is_reported_by_name(env: CELEnvironment, expression: str, name: str) -> None:
    with pytest.raises(UnknownFunctionError) as info:
        env.compile(expression)
    assert info.value.name == name


def test_standard_extensions_are_available(env: CELEnvironment) -> None:
    assert env.compile("schema.spec.name.upperAscii()").output_type.kind == Kind.STRING
    assert env.compile('base64.encode(b"x")').output_type.kind == Kind.STRING
    assert env.compile("cel.bind(n, schema.spec.name, n + n)").output_type.kind == Kind.STRING
    assert env.compile("schema.?spec.?name.orValue('x')").output_type.kind == Kind.STRING


def test_syntax_error_has_position_and_every_problem(env: CELEnvironment) -> None:
    with pytest.raises(CompileError) as info:
        env.compile("schema.spec.name +")
    assert "Syntax error" in info.value.message
    assert info.value.column is not None and info.value.column >= len("schema.spec.name")
    assert info.value.details


def test_multi_line_expression_offsets_count_from_the_start(env: CELEnvironment) -> None:
    expression = "schema.spec.name +\n  schema.spec.replicas"
    with pytest.raises(CompileError) as info:
        env.compile(expression)
    assert info.value.column == expression.index("+")


def test_nesting_beyond_the_engine_limit_is_a_limit_error(env: CELEnvironment) -> None:
    too_deep = " + ".join(["schema.spec.name"] * 40)
    with pytest.raises(LimitError) as info:
        env.compile(too_deep)
    assert "recursion" in info.value.message
    with pytest.raises(LimitError):
        env.compile("(" * 60 + "1" + ")" * 60)


def test_flat_string_building_avoids_the_nesting_limit(env: CELEnvironment) -> None:
    parts = ", ".join(["schema.spec.name"] * 60)
    assert env.compile(f'[{parts}].join("-")').output_type.kind == Kind.STRING


def test_two_variable_comprehensions_are_typed(env: CELEnvironment) -> None:
    assert env.compile("statefulset.metadata.labels.all(k, v, v != '')").output_type.kind == Kind.BOOL
    with pytest.raises(CompileError, match="_>_"):
        env.compile("statefulset.metadata.labels.all(k, v, v > 1)")
    transformed = env.compile("statefulset.metadata.labels.transformMap(k, v, size(v))").output_type
    assert transformed == CelType.map_of(STRING, INT)
