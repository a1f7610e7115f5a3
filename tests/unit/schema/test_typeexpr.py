"""Type expressions: keywords, lists, maps, custom names, nesting limit, and the messages for
unknown names."""

from __future__ import annotations

import pytest

from kro.schema.errors import TypeSyntaxError
from kro.schema.typeexpr import (
    MAX_NESTING,
    ListOf,
    MapOf,
    Named,
    Scalar,
    Unstructured,
    parse_type,
    references,
    unknown_type_message,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("string", Scalar("string")),
        (" integer ", Scalar("integer")),
        ("boolean", Scalar("boolean")),
        ("float", Scalar("number")),
        ("object", Unstructured()),
        ("[]string", ListOf(Scalar("string"))),
        ("[][]float", ListOf(ListOf(Scalar("number")))),
        ("map[string]integer", MapOf(Scalar("integer"))),
        ("map[string][]Port", MapOf(ListOf(Named("Port")))),
        ("[]map[string]object", ListOf(MapOf(Unstructured()))),
        ("number", Named("number")),  # not a keyword: a custom type name
        ("Port", Named("Port")),
    ],
)
def test_parse(text: str, expected: object) -> None:
    assert parse_type(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "the field has no type"),
        ("[]", "missing its element type"),
        ("map[string]", "missing its element type"),
        ("map[int]string", "map keys must be strings"),
        ("map[string", "no closing ']'"),
        ("list<string>", "is not a type"),
        ("a b", "is not a type"),
    ],
)
def test_syntax_errors(text: str, fragment: str) -> None:
    with pytest.raises(TypeSyntaxError, match=None) as info:
        parse_type(text)
    assert fragment in str(info.value)


def test_nesting_limit() -> None:
    assert parse_type("[]" * MAX_NESTING + "string") is not None
    with pytest.raises(TypeSyntaxError, match="more than 16 levels"):
        parse_type("[]" * (MAX_NESTING + 1) + "string")
    with pytest.raises(TypeSyntaxError, match="more than 16 levels"):
        parse_type("map[string]" * 20 + "string")


def test_references() -> None:
    assert references(parse_type("map[string][]Port")) == {"Port"}
    assert references(parse_type("[]string")) == set()


def test_unknown_type_messages_suggest() -> None:
    assert "SimpleSchema spells it 'float'" in unknown_type_message("number", [])
    assert "spells it 'integer'" in unknown_type_message("int", [])
    assert "did you mean 'Port'?" in unknown_type_message("Prot", ["Port"])
    assert "did you mean 'boolean'?" in unknown_type_message("bolean", [])
    assert "custom types: none are defined" in unknown_type_message("X", [])
