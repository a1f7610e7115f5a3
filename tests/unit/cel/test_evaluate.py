"""Evaluation on plain dicts: results come back as plain Python data, missing data is *pending*,
real errors are not, and the engine's limits become a clear error."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from cel_expr_python import cel

from kro.cel import CELEnvironment, CelType, EvaluationError, LimitError, engine_extensions, from_openapi

STS: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "StatefulSet",
    "metadata": {"name": "redis", "namespace": "db", "labels": {"app": "redis", "tier": "cache"}},
    "spec": {
        "replicas": 3,
        "serviceName": "redis",
        "template": {
            "spec": {
                "containers": [{"name": "redis", "image": "redis:7", "ports": [{"containerPort": 6379}]}]
            }
        },
    },
    "status": {"readyReplicas": 2, "replicas": 3, "conditions": [{"type": "Ready", "status": "True"}]},
}
INSTANCE: dict[str, Any] = {
    "metadata": {"name": "demo", "namespace": "default"},
    "spec": {
        "name": "demo",
        "replicas": 2,
        "ratio": 0.5,
        "regions": ["eu", "us"],
        "values": {"a": {"b": [1, 2]}},
    },
}
BINDINGS = {"statefulset": STS, "schema": INSTANCE}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("statefulset.status.readyReplicas >= 1", True),
        ("statefulset.status.readyReplicas", 2),
        ("statefulset.metadata.labels", {"app": "redis", "tier": "cache"}),
        ('statefulset.metadata.labels["tier"]', "cache"),
        ("statefulset.spec.template.spec.containers.map(c, c.image)", ["redis:7"]),
        ("statefulset.spec.template.spec.containers[0].ports[0]", {"containerPort": 6379}),
        ("statefulset.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')", True),
        ("schema.spec.regions.map(r, schema.spec.name + '-' + r)", ["demo-eu", "demo-us"]),
        ("schema.spec.values.a", {"b": [1, 2]}),
        ("schema.spec.ratio * 4.0", 2.0),
        ("{'name': schema.spec.name, 'n': schema.spec.replicas}", {"name": "demo", "n": 2}),
        ("has(statefulset.status.availableReplicas)", False),
        ("statefulset.?status.?availableReplicas.orValue(0)", 0),
        ("statefulset.?status.?readyReplicas", 2),
        ("statefulset.?status.?availableReplicas", None),
        ("cel.bind(s, statefulset.status, s.readyReplicas == s.replicas)", False),
        ('base64.decode("aGk=")', b"hi"),
        ('timestamp("2024-05-01T10:00:00.25Z")', "2024-05-01T10:00:00.25Z"),
        ('duration("90m")', "5400s"),
        ("null", None),
    ],
)
def test_results_are_plain_python(env: CELEnvironment, expression: str, expected: Any) -> None:
    result = env.compile(expression).evaluate(BINDINGS)
    assert result == expected
    assert type(result) is type(expected)


def test_int_stays_int_and_bytes_stay_bytes(env: CELEnvironment) -> None:
    assert type(env.compile("schema.spec.replicas * 2").evaluate(BINDINGS)) is int
    assert type(env.compile('b"\\x00\\x01"').evaluate({})) is bytes


@pytest.mark.parametrize(
    "expression",
    [
        "statefulset.status.availableReplicas > 0",  # missing field
        'statefulset.metadata.labels["missing"]',  # missing key
        "statefulset.status.conditions[3].status",  # index out of range
        "statefulset.spec.template.spec.containers[0].ports[0].hostPort",
    ],
)
def test_missing_data_is_pending(env: CELEnvironment, expression: str) -> None:
    with pytest.raises(EvaluationError) as info:
        env.compile(expression).evaluate(BINDINGS)
    assert info.value.pending is True
    assert info.value.expression == expression


def test_unbound_variable_is_pending(env: CELEnvironment) -> None:
    with pytest.raises(EvaluationError) as info:
        env.compile("service.spec.clusterIP").evaluate(BINDINGS)
    assert info.value.pending is True
    assert "service" in info.value.message


@pytest.mark.parametrize(
    ("expression", "bindings"),
    [
        ("schema.spec.replicas / 0", BINDINGS),
        ("schema.spec.replicas + 9223372036854775807", BINDINGS),
        ("int(schema.spec.name)", BINDINGS),
        ("blob.a.b", {"blob": {"a": [1]}}),  # selecting a field of a list
    ],
)
def test_real_errors_are_not_pending(env: CELEnvironment, expression: str, bindings: dict[str, Any]) -> None:
    with pytest.raises(EvaluationError) as info:
        env.compile(expression).evaluate(bindings)
    assert info.value.pending is False


def test_iteration_budget_is_a_limit_error(env: CELEnvironment) -> None:
    compiled = env.compile("blob.map(a, blob.map(b, a * b)).size()")
    with pytest.raises(LimitError):
        compiled.evaluate({"blob": list(range(300))})
    assert compiled.evaluate({"blob": list(range(5))}) == 5


@pytest.mark.parametrize(
    "expression",
    [
        "statefulset.status.readyReplicas >= 1",
        "statefulset.metadata.labels",
        "has(statefulset.status.readyReplicas) && has(statefulset.metadata.annotations)",
        "statefulset.?status.?availableReplicas.orValue(-1)",
        "statefulset.status.conditions.map(c, c.type)",
        "cel.bind(m, statefulset.metadata, m.name + m.namespace)",
        "blob.a.b",
    ],
)
def test_passing_only_the_read_paths_changes_nothing(env: CELEnvironment, expression: str) -> None:
    """The evaluator hands the engine only the selected paths; the raw engine on whole objects
    must agree."""
    bindings = {**BINDINGS, "blob": {"a": {"b": 1, "c": 2}, "z": 3}}
    whole = cel.NewEnv(
        variables={n: cel.Type.DYN for n in ("statefulset", "schema", "blob")}, extensions=engine_extensions()
    )
    expected = whole.compile(expression).eval(data=bindings)
    assert env.compile(expression).evaluate(bindings) == expected.plain_value()


def test_collections_are_lists_of_objects(env: CELEnvironment) -> None:
    pods = [{"status": {"phase": "Running"}}, {"status": {"phase": "Pending"}}]
    compiled = env.compile("pods.filter(p, p.status.phase == 'Running').size()")
    assert compiled.evaluate({"pods": pods}) == 1


def test_extended_environment_evaluates_iterators(env: CELEnvironment) -> None:
    element = env.compile("schema.spec.regions").output_type.element
    compiled = env.extend({"region": element}).compile("schema.spec.name + '-' + region")
    assert compiled.evaluate({"schema": INSTANCE, "region": "eu"}) == "demo-eu"


def test_datetime_results_are_rfc3339_strings() -> None:
    env = CELEnvironment({}, extensions=engine_extensions())
    value = env.compile('timestamp("2024-05-01T10:00:00+02:00")').evaluate({})
    parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert value.endswith("Z")
    assert parsed == datetime.datetime(2024, 5, 1, 8, 0, tzinfo=datetime.UTC)


def test_checked_expression_is_the_graphs_compiled_expression(env: CELEnvironment) -> None:
    from kro.graph.model import CompiledExpression

    compiled: CompiledExpression = env.compile("schema.spec.replicas")
    assert compiled.source == "schema.spec.replicas"
    assert compiled.references == frozenset({"schema"})
    assert compiled.evaluate(BINDINGS) == 2


def test_compiling_the_same_text_twice_reuses_the_first(env: CELEnvironment) -> None:
    assert env.compile("schema.spec.name + 'x'") is env.compile("schema.spec.name + 'x'")


NUMBERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "ratio": {"type": "number"},
        "weights": {"type": "array", "items": {"type": "number"}},
        "limits": {"type": "object", "additionalProperties": {"type": "number"}},
        "count": {"type": "integer"},
    },
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("n.ratio * 2.0", 2.0),
        ("n.weights.map(w, w / 2.0)", [0.5, 1.25]),
        ('n.limits["cpu"] + 0.5', 3.5),
        ("n.count + 1", 5),
        ("n", {"ratio": 1.0, "weights": [1.0, 2.5], "limits": {"cpu": 3.0}, "count": 4}),
        ("items.map(i, i.ratio * 1.5)", [1.5]),
    ],
)
def test_json_integers_in_number_fields_are_doubles(expression: str, expected: Any) -> None:
    """``ratio: 1`` arrives as an int; the schema says number, so CEL must see a double."""
    env = CELEnvironment(
        {"n": NUMBERS, "items": CelType.list_of(from_openapi(NUMBERS))}, extensions=engine_extensions()
    )
    data = {"ratio": 1, "weights": [1, 2.5], "limits": {"cpu": 3}, "count": 4}
    result = env.compile(expression).evaluate({"n": data, "items": [data]})
    assert _typed(result) == _typed(expected)
    assert data == {"ratio": 1, "weights": [1, 2.5], "limits": {"cpu": 3}, "count": 4}  # untouched


def _typed(value: Any) -> Any:
    """``value`` with every scalar paired with its type, so ``1 == 1.0`` no longer holds."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def test_compiled_expressions_outlive_their_environment(sts_schema: Any) -> None:
    import gc

    compiled = CELEnvironment({"statefulset": sts_schema}).compile("statefulset.status.readyReplicas + 1")
    gc.collect()
    assert compiled.evaluate(BINDINGS) == 3
