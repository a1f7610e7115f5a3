"""OpenAPI shapes the typed environment must handle: every odd schema still compiles, with as much
checking as protobuf can express and ``dyn`` where it cannot."""

from __future__ import annotations

from typing import Any

import pytest

from kro.cel import CELEnvironment, CompileError, Kind, engine_extensions

STR = {"type": "string"}
ODD: dict[str, Any] = {
    "type": "object",
    "properties": {
        "dashed": {"type": "object", "properties": {"x-foo": STR, "ok": {"type": "integer"}}},
        "dollar": {"type": "object", "properties": {"$ref": STR}},
        "twins": {"type": "object", "properties": {"foo_bar": STR, "fooBar": {"type": "integer"}}},
        "entryClash": {
            "type": "object",
            "properties": {"labels": {"type": "object", "additionalProperties": STR}, "LabelsEntry": STR},
        },
        "nullableInt": {"type": "integer", "nullable": True},
        "nullableList": {"type": "array", "nullable": True, "items": STR},
        "mapOfLists": {"type": "object", "additionalProperties": {"type": "array", "items": STR}},
        "listOfLists": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
        "mapOfObjects": {
            "type": "object",
            "additionalProperties": {"type": "object", "properties": {"v": {"type": "integer"}}},
        },
        "intOrString": {"x-kubernetes-int-or-string": True},
        "open": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
        "openWithProps": {
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": True,
            "properties": {"a": STR},
        },
        "untyped": {},
        "emptyObject": {"type": "object"},
        "when": {"type": "string", "format": "date-time"},
        "size": {"type": "integer", "format": "int32"},
        "ratio": {"type": "number", "format": "double"},
    },
}


@pytest.fixture(scope="module")
def odd() -> CELEnvironment:
    return CELEnvironment({"o": ODD}, extensions=engine_extensions())


@pytest.mark.parametrize(
    ("expression", "kind"),
    [
        ('o.dashed["x-foo"]', Kind.DYN),  # a name protobuf cannot hold: the parent becomes a map
        ("o.dashed.ok", Kind.DYN),
        ('o.dollar["$ref"]', Kind.DYN),
        ("o.twins.foo_bar", Kind.DYN),
        ('o.entryClash.labels["a"]', Kind.DYN),
        ("o.nullableInt == null", Kind.BOOL),
        ("o.nullableInt + 1", Kind.INT),
        ("o.nullableList == null", Kind.BOOL),
        ('o.mapOfLists["k"]', Kind.LIST),
        ("o.listOfLists[0]", Kind.LIST),
        ('o.mapOfObjects["k"].v', Kind.INT),
        ("o.intOrString == 8080 || o.intOrString == 'http'", Kind.BOOL),
        ("o.open.anything.below", Kind.DYN),
        ("o.openWithProps.notDeclared", Kind.DYN),
        ("o.untyped.whatever", Kind.DYN),
        ("o.emptyObject.key", Kind.DYN),
        ("o.when", Kind.TIMESTAMP),
        ("o.size + 1", Kind.INT),
        ("o.ratio * 2.0", Kind.DOUBLE),
    ],
)
def test_odd_shapes_compile(odd: CELEnvironment, expression: str, kind: Kind) -> None:
    assert odd.compile(expression).output_type.kind == kind


def test_objects_inside_maps_are_still_checked(odd: CELEnvironment) -> None:
    with pytest.raises(CompileError, match="undefined field 'w'"):
        odd.compile('o.mapOfObjects["k"].w')


def test_recursive_depth_is_bounded() -> None:
    schema: dict[str, Any] = {"type": "object", "properties": {"leaf": STR}}
    for _ in range(300):
        schema = {"type": "object", "properties": {"n": schema}}
    env = CELEnvironment({"deep": schema}, extensions=engine_extensions())
    assert env.compile("deep" + ".n" * 30).output_type.kind == Kind.OBJECT
    with pytest.raises(CompileError, match="undefined field 'm'"):
        env.compile("deep" + ".n" * 29 + ".m")


def test_identical_shapes_share_one_type(odd: CELEnvironment) -> None:
    env = CELEnvironment(
        {"a": {"type": "object", "properties": {"x": ODD, "y": ODD}}}, extensions=engine_extensions()
    )
    assert env.compile("a.x").output_type.name == env.compile("a.y").output_type.name


def test_same_name_in_two_environments_keeps_each_type() -> None:
    one = CELEnvironment({"s": {"type": "object", "properties": {"v": {"type": "integer"}}}}, extensions=[])
    two = CELEnvironment({"s": {"type": "object", "properties": {"v": STR}}}, extensions=[])
    assert one.compile("s.v").output_type.kind == Kind.INT
    assert two.compile("s.v").output_type.kind == Kind.STRING
    assert one.variables["s"].name == two.variables["s"].name


def test_shapes_differing_in_validation_keep_their_own_schema() -> None:
    loose = {"type": "object", "properties": {"v": STR}}
    strict = {"type": "object", "required": ["v"], "properties": {"v": {"type": "string", "enum": ["a"]}}}
    env = CELEnvironment(
        {"a": {"type": "object", "properties": {"x": loose, "y": strict}}}, extensions=engine_extensions()
    )
    assert env.compile("a.x").output_type.to_openapi() == loose
    assert env.compile("a.y").output_type.to_openapi() == strict


def test_huge_schemas_are_typed_near_the_root_within_a_budget() -> None:
    # A recursive definition inlined level after level: 6**12 nodes if walked naively.
    node: dict[str, Any] = {"type": "string"}
    for _ in range(12):
        node = {"type": "object", "properties": {f"p{i}": node for i in range(6)}}
    env = CELEnvironment({"big": node}, extensions=engine_extensions())
    assert env.compile("big.p1.p2").output_type.kind == Kind.OBJECT
    with pytest.raises(CompileError, match=r"big\.p1 has no such field"):
        env.compile("big.p1.nope")
    assert env.compile("big" + ".p0" * 11).output_type.kind == Kind.DYN
