"""Which variables an expression reads and along which field paths, as the DAG and the evaluator
see them: loop variables, accumulators and ``cel.bind`` names are local."""

from __future__ import annotations

import pytest

from kro.cel import CELEnvironment


@pytest.mark.parametrize(
    ("expression", "references", "paths"),
    [
        (
            "statefulset.status.readyReplicas >= 1",
            {"statefulset"},
            {("statefulset", "status", "readyReplicas")},
        ),
        (
            "schema.spec.name + '-' + service.metadata.name",
            {"schema", "service"},
            {("schema", "spec", "name"), ("service", "metadata", "name")},
        ),
        ("schema.spec.regions.all(i, i != '')", {"schema"}, {("schema", "spec", "regions")}),
        (
            "schema.spec.regions.map(r, r + schema.spec.name)",
            {"schema"},
            {("schema", "spec", "regions"), ("schema", "spec", "name")},
        ),
        ("[1, 2].all(i, i > 0)", set(), set()),
        (
            "pods.filter(p, p.status.phase == 'Running').size()",
            {"pods"},
            {("pods",)},
        ),
        (
            "has(statefulset.status.readyReplicas)",
            {"statefulset"},
            {("statefulset", "status", "readyReplicas")},
        ),
        (
            "statefulset.?status.?readyReplicas.orValue(0)",
            {"statefulset"},
            {("statefulset", "status", "readyReplicas")},
        ),
        (
            "cel.bind(s, statefulset.status, s.readyReplicas == s.replicas)",
            {"statefulset"},
            {("statefulset", "status")},
        ),
        (
            'config.data["key"] + service.spec.ports[0].name',
            {"config", "service"},
            {("config", "data"), ("service", "spec", "ports")},
        ),
        ("schema == schema", {"schema"}, {("schema",)}),
        (
            "schema.spec.regions.exists(r, pods.exists(p, p.spec.nodeName == r))",
            {"schema", "pods"},
            {("schema", "spec", "regions"), ("pods",)},
        ),
        ("{'a': schema.spec.name}", {"schema"}, {("schema", "spec", "name")}),
    ],
)
def test_references_and_field_paths(
    env: CELEnvironment, expression: str, references: set[str], paths: set[tuple[str, ...]]
) -> None:
    compiled = env.compile(expression)
    assert compiled.references == frozenset(references)
    assert compiled.field_paths == frozenset(paths)
    assert compiled.source == expression


def test_loop_variable_shadowing_a_variable_is_local(env: CELEnvironment) -> None:
    # `service` inside the loop is the iteration variable, not the declared Service.
    compiled = env.compile("schema.spec.regions.map(service, service + '!')")
    assert compiled.references == frozenset({"schema"})


def test_bind_name_shadowing_a_variable_is_local(env: CELEnvironment) -> None:
    compiled = env.compile("cel.bind(config, schema.spec.name, config + '!')")
    assert compiled.references == frozenset({"schema"})


def test_extended_environment_declares_iterator(env: CELEnvironment) -> None:
    regions = env.compile("schema.spec.regions").output_type
    inner = env.extend({"region": regions.element})
    compiled = inner.compile("region + '-' + schema.spec.name")
    assert compiled.references == frozenset({"region", "schema"})
    assert env.extend({"region": regions.element}) is inner
