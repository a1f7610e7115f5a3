"""Every SimpleSchema type and its OpenAPI output, structs and their required/default rules, and
located errors for bad field values."""

from __future__ import annotations

import pytest

from kro.schema import SchemaError, to_openapi

from .helpers import field, field_problem, problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("string", {"type": "string"}),
        ("integer", {"type": "integer"}),
        ("boolean", {"type": "boolean"}),
        ("float", {"type": "number"}),
        ("object", {"type": "object", "x-kubernetes-preserve-unknown-fields": True}),
        ("[]string", {"type": "array", "items": {"type": "string"}}),
        ("[][]integer", {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}),
        ("map[string]string", {"type": "object", "additionalProperties": {"type": "string"}}),
        (
            "map[string][]float",
            {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "number"}}},
        ),
        (
            "[]object",
            {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
        ),
        ("string |", {"type": "string"}),
    ],
)
def test_types(text: str, expected: dict[str, object]) -> None:
    assert field(text) == expected


def test_redis_seed_spec() -> None:
    schema = to_openapi(
        {
            "replicas": "integer | default=1",
            "maxMemory": 'string | default="256mb"',
            "maxMemoryPolicy": 'string | default="allkeys-lru"',
        }
    )
    assert schema == {
        "type": "object",
        "properties": {
            "replicas": {"type": "integer", "default": 1},
            "maxMemory": {"type": "string", "default": "256mb"},
            "maxMemoryPolicy": {"type": "string", "default": "allkeys-lru"},
        },
        "default": {},
    }


def test_nested_structs_required_sorted_and_struct_defaults() -> None:
    schema = to_openapi(
        {
            "name": "string | required=true",
            "app": "string | required=true",
            "ingress": {"enabled": "boolean | default=false", "host": "string"},
            "db": {"size": "integer | required=true default=1"},
            "plain": {"x": "string"},
            "deep": {"inner": {"v": "integer | default=3"}},
        }
    )
    assert schema["required"] == ["app", "name"]
    assert "default" not in schema  # it has required fields
    props = schema["properties"]
    assert props["ingress"]["default"] == {}
    assert props["ingress"]["properties"]["enabled"] == {"type": "boolean", "default": False}
    assert "default" not in props["db"]  # required child: {} would be invalid
    assert props["db"]["required"] == ["size"]
    assert "default" not in props["plain"]
    assert props["deep"]["default"] == {}  # a child struct's own default {} counts
    assert props["deep"]["properties"]["inner"]["default"] == {}


def test_empty_spec() -> None:
    assert to_openapi({}) == {"type": "object", "properties": {}}


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (5, "found an integer (5)"),
        (None, "found nothing (null)"),
        (["string"], "found a list"),
        (True, "found a boolean (True)"),
    ],
)
def test_non_string_field_values_are_located(value: object, fragment: str) -> None:
    found = problems({"outer": {"bad": value}})
    assert list(found) == [("spec", "outer", "bad")]
    assert fragment in found[("spec", "outer", "bad")]


def test_non_string_keys() -> None:
    found = problems({1: "string"})  # type: ignore[dict-item]
    assert "field names must be non-empty strings" in found[("spec", "1")]


def test_spec_must_be_a_map() -> None:
    with pytest.raises(SchemaError) as info:
        to_openapi(["a"])  # type: ignore[arg-type]
    assert info.value.problems[0].path == ("spec",)


def test_number_is_not_a_keyword() -> None:
    message = field_problem("number")
    assert "unknown type 'number'" in message
    assert "'float'" in message


def test_unknown_type_suggests_closest() -> None:
    assert "did you mean 'integer'?" in field_problem("interger")
    assert "did you mean 'Port'?" in field_problem("[]Prot", {"Port": {"n": "integer"}})


def test_map_key_must_be_string() -> None:
    assert "map keys must be strings" in field_problem("map[integer]string")


def test_nesting_limit_is_located() -> None:
    assert "more than 16 levels" in field_problem("[]" * 17 + "string")


def test_all_problems_reported_not_only_first() -> None:
    found = problems(
        {
            "a": "strin",
            "b": "integer | minLength=1",
            "c": {"d": "bool"},
            "e": "string | required=yes",
        }
    )
    assert set(found) == {("spec", "a"), ("spec", "b"), ("spec", "c", "d"), ("spec", "e")}


def test_error_message_lists_located_problems() -> None:
    with pytest.raises(SchemaError) as info:
        to_openapi({"a": "strin", "b": {"c": "x y"}})
    text = str(info.value)
    assert text.startswith("2 problems in the schema:")
    assert "spec.a: unknown type 'strin'" in text
    assert "spec.b.c: 'x y' is not a type" in text


@pytest.mark.parametrize("type_text", ["integr", "[]Prot", "map[integer]string"])
def test_a_wrong_type_does_not_hide_the_marker_mistakes_of_the_same_field(type_text: str) -> None:
    with pytest.raises(SchemaError) as info:
        to_openapi({"replicas": f"{type_text} | default=1 minimun=0 maximum"})
    messages = [p.message for p in info.value.problems]
    assert len(messages) == 3, messages
    assert "unknown marker 'minimun' (did you mean 'minimum'?)" in messages[1]
    assert "marker 'maximum' has no value" in messages[2]
