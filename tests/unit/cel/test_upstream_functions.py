"""Every function of upstream kro's CEL environment that the engine reaches only through its
configuration or the checked-tree evaluation (cel-go ``ext.Lists``, ``ext.TwoVarComprehensions``,
optional types, ``ext.Bindings``, ``ext.Strings``), compiled and type-checked against real schemas
and evaluated on plain data."""

from __future__ import annotations

from typing import Any

import pytest

from kro.cel import INT, STRING, CELEnvironment, CelType, Kind

SPEC = {
    "name": "web",
    "replicas": 3,
    "regions": ["us", "eu", "ap"],
    "values": {"b": 2, "a": 1},
}
DATA = {"schema": {"metadata": {"name": "demo", "labels": {"app": "web", "tier": "front"}}, "spec": SPEC}}

CASES: list[tuple[str, Any]] = [
    # ext.Lists
    ("lists.range(3)", [0, 1, 2]),
    ("lists.range(0)", []),
    ("lists.range(-2)", []),
    ("schema.spec.regions.sortBy(r, r)", ["ap", "eu", "us"]),
    ("['bb', 'a', 'ccc'].sortBy(s, -size(s))", ["ccc", "bb", "a"]),
    ("schema.spec.regions.first().orValue('none')", "us"),
    ("schema.spec.regions.last().value()", "ap"),
    ("[].first().hasValue()", False),
    ("schema.spec.regions.first()", "us"),
    ("[1, [2, [3]]].flatten()", [1, 2, [3]]),
    ("[1, [2, [3]]].flatten(2)", [1, 2, 3]),
    ("[3, 1, 2].sort()", [1, 2, 3]),
    ("[1, 2, 1].distinct()", [1, 2]),
    ("schema.spec.regions.reverse()", ["ap", "eu", "us"]),
    ("schema.spec.regions.slice(1, 3)", ["eu", "ap"]),
    # ext.TwoVarComprehensions
    ("schema.metadata.labels.all(k, v, k.size() > 2 && v != '')", True),
    ("schema.metadata.labels.exists(k, v, k == 'tier' && v == 'front')", True),
    ("schema.metadata.labels.existsOne(k, v, v.startsWith('w'))", True),
    ("schema.spec.regions.all(i, r, i < 3 && r.size() == 2)", True),
    ("schema.spec.regions.exists(i, r, i == 1 && r == 'eu')", True),
    ("schema.spec.regions.transformList(i, r, '%d-%s'.format([i, r]))", ["0-us", "1-eu", "2-ap"]),
    ("schema.spec.regions.transformList(i, r, i > 0, r)", ["eu", "ap"]),
    ("schema.metadata.labels.transformList(k, v, k + '=' + v).sort()", ["app=web", "tier=front"]),
    ("schema.metadata.labels.transformMap(k, v, v.upperAscii())", {"app": "WEB", "tier": "FRONT"}),
    ("schema.metadata.labels.transformMap(k, v, k != 'app', v)", {"tier": "front"}),
    ("schema.spec.regions.transformMap(i, r, r)", {0: "us", 1: "eu", 2: "ap"}),
    ("schema.metadata.labels.transformMapEntry(k, v, {v: k})", {"web": "app", "front": "tier"}),
    # optional types
    ("schema.spec.?name.orValue('x')", "web"),
    ("schema.metadata.labels[?'missing'].orValue('none')", "none"),
    ("schema.spec.regions[?5].hasValue()", False),
    ("optional.of(1).value()", 1),
    ("optional.ofNonZeroValue('').hasValue()", False),
    ("optional.none().or(optional.of('b')).value()", "b"),
    ("[?schema.metadata.labels[?'app'], ?optional.none()]", ["web"]),
    ("{?'x': schema.metadata.labels[?'tier']}", {"x": "front"}),
    ("schema.metadata.labels.?app", "web"),
    # ext.Bindings
    ("cel.bind(n, schema.spec.replicas, n * n)", 9),
    ("cel.bind(a, 'x', cel.bind(b, a + a, b + a))", "xxx"),
    # ext.Strings
    ("'%s has %d replicas'.format([schema.spec.name, schema.spec.replicas])", "web has 3 replicas"),
    ("strings.quote('a\"b')", '"a\\"b"'),
    ("'hello'.charAt(1)", "e"),
    ("'a,b'.split(',')", ["a", "b"]),
    ("['a', 'b'].join('-')", "a-b"),
    ("'  x '.trim()", "x"),
    ("'abc'.reverse()", "cba"),
    ("'Web'.lowerAscii() + 'web'.upperAscii()", "webWEB"),
    ("'aXbX'.replace('X', '-')", "a-b-"),
    ("'hello'.substring(1, 3)", "el"),
    ("'hello'.indexOf('l') + 'hello'.lastIndexOf('l')", 5),
]


@pytest.mark.parametrize(("expression", "expected"), CASES)
def test_upstream_function(env: CELEnvironment, expression: str, expected: Any) -> None:
    assert env.compile(expression).evaluate(DATA) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("schema.spec.regions.sortBy(r, r)", CelType.list_of(STRING)),
        ("schema.spec.regions.first()", CelType.optional_of(STRING)),
        ("schema.spec.regions.transformList(i, r, i)", CelType.list_of(INT)),
        ("schema.metadata.labels.transformMap(k, v, size(v))", CelType.map_of(STRING, INT)),
        ("lists.range(2)", CelType.list_of(INT)),
    ],
)
def test_results_are_typed(env: CELEnvironment, expression: str, expected: CelType) -> None:
    assert env.compile(expression).output_type == expected


def test_two_variable_loop_variables_are_local_not_references(env: CELEnvironment) -> None:
    e = env.compile("schema.metadata.labels.all(k, v, statefulset.metadata.name != v)")
    assert e.references == {"schema", "statefulset"}
    assert e.output_type.kind == Kind.BOOL


def test_transform_map_entry_with_a_duplicate_key_is_an_evaluation_error(env: CELEnvironment) -> None:
    from kro.cel import EvaluationError

    with pytest.raises(EvaluationError, match="already exists"):
        env.compile("schema.metadata.labels.transformMapEntry(k, v, {'same': v})").evaluate(DATA)


@pytest.mark.parametrize(
    "expression",
    [
        "schema.metadata.labels.transformMap(k, v, optional.of(v)).size()",
        "schema.metadata.labels.transformMapEntry(k, v, {k: optional.of(v)}).size()",
    ],
)
def test_optionals_never_reach_the_python_map_builder(env: CELEnvironment, expression: str) -> None:
    # cel.@mapInsert is implemented in Python, where an optional argument crashes the engine.
    from kro.cel import CompileError

    with pytest.raises(CompileError, match="optional value must be unwrapped"):
        env.compile(expression)
