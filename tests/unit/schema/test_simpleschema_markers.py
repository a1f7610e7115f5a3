"""Every marker on the types it suits (output) and on the ones it does not (located errors)."""

from __future__ import annotations

import pytest

from kro.schema import to_openapi

from .helpers import field, field_problem

# --- required / description / immutable / validation: any type ----------------------------------


@pytest.mark.parametrize("value", ["true", "True", "TRUE", "t", "1"])
def test_required_true_spellings(value: str) -> None:
    assert to_openapi({"f": f"string | required={value}"})["required"] == ["f"]


@pytest.mark.parametrize("value", ["false", "False", "0", "f"])
def test_required_false(value: str) -> None:
    assert "required" not in to_openapi({"f": f"string | required={value}"})


def test_required_bad_value() -> None:
    assert "required='yes': expected true or false, found 'yes'" in field_problem("string | required=yes")


@pytest.mark.parametrize("type_text", ["string", "integer", "[]string", "map[string]string", "object"])
def test_description_immutable_validation_on_any_type(type_text: str) -> None:
    node = field(f'{type_text} | description="The thing" immutable=true validation="size(self) > 0"')
    assert node["description"] == "The thing"
    assert node["x-kubernetes-validations"] == [
        {"rule": "self == oldSelf", "message": "field is immutable"},
        {"rule": "size(self) > 0", "message": "validation failed"},
    ]


def test_immutable_false_adds_nothing() -> None:
    assert "x-kubernetes-validations" not in field("string | immutable=false")


def test_immutable_bad_value() -> None:
    assert "immutable='maybe': expected true or false" in field_problem("string | immutable=maybe")


def test_validation_repeatable_and_empty() -> None:
    rules = field('integer | validation="self > 0" validation="self < 10"')["x-kubernetes-validations"]
    assert [r["rule"] for r in rules] == ["self > 0", "self < 10"]
    assert "expected a CEL expression" in field_problem('integer | validation=""')


# --- default ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('string | default="hello world"', "hello world"),
        ("string | default=5", "5"),
        ("string | default=", ""),
        ("integer | default=-3", -3),
        ("float | default=1.5", 1.5),
        ("float | default=2", 2),
        ("float | default=1e3", 1000.0),
        ("boolean | default=true", True),
        ("boolean | default=false", False),
        ('[]string | default=["a", "b"]', ["a", "b"]),
        ("[]integer | default=[]", []),
        ('map[string]string | default={"k": "v"}', {"k": "v"}),
        ('object | default={"any": {"thing": 1}}', {"any": {"thing": 1}}),
    ],
)
def test_default_typed(text: str, expected: object) -> None:
    node = field(text)
    assert node["default"] == expected
    assert type(node["default"]) is type(expected)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("integer | default=abc", "expected an integer, found 'abc'"),
        ("integer | default=1.5", "expected an integer, found '1.5'; declare the field as float"),
        ("float | default=fast", "expected a number"),
        ("boolean | default=yes", "expected true or false, found 'yes'"),
        ("boolean | default=True", "found 'True'; write it in lower case: true"),
        ("[]string | default=[1]", "expected a string at [0], found integer 1"),
        ("[]string | default=a,b", "expected a JSON value such as []"),
        ('map[string]integer | default={"a": "x"}', "expected an integer at a"),
        ("object | default=[1]", "expected an object, found array"),
        ('[]string | default=["a"] maxItems=0', "more than maxItems 0"),
        ('[]string | default=["a","a"] uniqueItems=true', "duplicate items but is a set"),
    ],
)
def test_default_type_checked(text: str, fragment: str) -> None:
    message = field_problem(text)
    assert message.startswith("default=")
    assert fragment in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("integer | default=0 minimum=1", "0 is less than the minimum 1"),
        ("integer | maximum=5 default=6", "6 is greater than the maximum 5"),
        ('string | default=c enum="a,b"', '"c" is not one of the enum values "a", "b"'),
        ("integer | default=3 enum=1,2", "3 is not one of the enum values 1, 2"),
        ("string | default=ab minLength=3", "shorter than minLength 3"),
        ("string | default=abcd maxLength=3", "longer than maxLength 3"),
        ('string | default=abc pattern="^[0-9]+$"', "does not match the pattern"),
    ],
)
def test_default_must_satisfy_constraints_in_any_order(text: str, fragment: str) -> None:
    assert fragment in field_problem(text)


def test_default_for_custom_struct_type_is_checked() -> None:
    types = {"Port": {"name": "string | required=true", "number": "integer"}}
    node = field('Port | default={"name": "http", "number": 80}', types)
    assert node["default"] == {"name": "http", "number": 80}
    assert "required field 'name' is missing" in field_problem('Port | default={"number": 80}', types)
    assert "unknown field 'nmae'" in field_problem('Port | default={"nmae": "x", "name": "y"}', types)


# --- enum ---------------------------------------------------------------------------------------


def test_enum_string_and_integer() -> None:
    assert field('string | enum="a, b,c"')["enum"] == ["a", "b", "c"]
    assert field("integer | enum=1,2,3")["enum"] == [1, 2, 3]
    assert field("integer | enum=1,2,1")["enum"] == [1, 2]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("boolean | enum=true,false", "marker 'enum' applies to string or integer fields, not boolean"),
        ("float | enum=1.5", "not number"),
        ("[]string | enum=a", "not array"),
        ("integer | enum=1,x", "enum values of an integer field must be integers, found 'x'"),
        ("string | enum=a,,b", "empty enum value"),
    ],
)
def test_enum_errors(text: str, fragment: str) -> None:
    assert fragment in field_problem(text)


# --- minimum / maximum --------------------------------------------------------------------------


def test_minimum_maximum() -> None:
    assert field("integer | minimum=1 maximum=10") == {"type": "integer", "minimum": 1, "maximum": 10}
    assert field("float | minimum=0.5 maximum=1e2") == {"type": "number", "minimum": 0.5, "maximum": 100.0}
    assert field("integer | minimum=-5")["minimum"] == -5


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("string | minimum=1", "marker 'minimum' applies to integer or number fields, not string"),
        ("[]integer | maximum=1", "not array"),
        ("integer | minimum=one", "minimum='one': expected a number, found 'one'"),
        ("integer | minimum=5 maximum=1", "minimum=5 is greater than maximum=1"),
    ],
)
def test_minimum_maximum_errors(text: str, fragment: str) -> None:
    assert fragment in field_problem(text)


# --- string markers ----------------------------------------------------------------------------


def test_string_markers() -> None:
    node = field(r'string | pattern="^[a-z]+\d*$" minLength=1 maxLength=63')
    assert node == {"type": "string", "pattern": r"^[a-z]+\d*$", "minLength": 1, "maxLength": 63}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("integer | minLength=1", "marker 'minLength' applies to string fields, not integer"),
        ("integer | pattern=a", "marker 'pattern' applies to string fields, not integer"),
        ("[]string | maxLength=1", "not array"),
        ("string | minLength=-1", "expected a non-negative integer, found '-1'"),
        ("string | maxLength=x", "expected a non-negative integer"),
        ("string | minLength=5 maxLength=2", "minLength=5 is greater than maxLength=2"),
        ('string | pattern="[a-"', "invalid regular expression"),
        ('string | pattern=""', "expected a regular expression"),
        ('string | pattern="(?=x)y"', "lookahead"),
        (r'string | pattern="(a)\1"', "backreferences"),
    ],
)
def test_string_marker_errors(text: str, fragment: str) -> None:
    assert fragment in field_problem(text)


def test_misuse_lists_markers_for_the_type() -> None:
    message = field_problem("boolean | minLength=1")
    assert "markers for boolean: default, description, immutable, required, validation" in message


# --- array markers -----------------------------------------------------------------------------


def test_array_markers() -> None:
    node = field("[]string | minItems=1 maxItems=3 uniqueItems=true")
    assert node == {
        "type": "array",
        "items": {"type": "string"},
        "minItems": 1,
        "maxItems": 3,
        "x-kubernetes-list-type": "set",
    }
    assert "uniqueItems" not in node
    assert "x-kubernetes-list-type" not in field("[]string | uniqueItems=false")


@pytest.mark.parametrize("list_type", ["atomic", "set"])
def test_list_type(list_type: str) -> None:
    assert field(f"[]integer | listType={list_type}")["x-kubernetes-list-type"] == list_type


def test_list_type_map_with_keys() -> None:
    types = {"Port": {"name": "string | required=true", "proto": 'string | default="TCP"', "n": "integer"}}
    node = field("[]Port | listType=map listMapKey=name listMapKey=proto", types)
    assert node["x-kubernetes-list-type"] == "map"
    assert node["x-kubernetes-list-map-keys"] == ["name", "proto"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("string | minItems=1", "marker 'minItems' applies to array fields, not string"),
        ("map[string]string | maxItems=1", "not map"),
        ("object | uniqueItems=true", "not object"),
        ("integer | listType=set", "not integer"),
        ("[]string | minItems=3 maxItems=1", "minItems=3 is greater than maxItems=1"),
        ("[]string | listType=bag", "expected one of atomic, set, map, found 'bag'"),
        ("[]string | uniqueItems=maybe", "expected true or false"),
        ("[]string | uniqueItems=true listType=atomic", "uniqueItems=true makes the list a set"),
        ("[]object | listType=set", "needs scalar items, found object items"),
        ("[][]string | uniqueItems=true", "needs scalar items, found array items"),
        ("[]string | listType=map listMapKey=a", "listType=map needs struct items, found string items"),
        ("[]string | listMapKey=a", "listMapKey needs listType=map"),
    ],
)
def test_array_marker_errors(text: str, fragment: str) -> None:
    assert fragment in field_problem(text)


@pytest.mark.parametrize(
    ("markers", "fragment"),
    [
        ("listType=map", "needs at least one listMapKey"),
        ("listType=map listMapKey=nmae", "listMapKey='nmae' is not a field of the list's items"),
        ("listType=map listMapKey=n", "listMapKey='n' must name a field that is required or has a default"),
        ("listType=map listMapKey=tags", "listMapKey='tags' must name a scalar field"),
    ],
)
def test_list_map_key_errors(markers: str, fragment: str) -> None:
    types = {"Port": {"name": "string | required=true", "n": "integer", "tags": "[]string"}}
    assert fragment in field_problem(f"[]Port | {markers}", types)


# --- objects -----------------------------------------------------------------------------------


def test_markers_on_custom_struct_field() -> None:
    types = {"Db": {"size": "integer"}}
    node = field('Db | description="the db" required=true', types)
    assert node["description"] == "the db"
    assert to_openapi({"f": "Db | required=true"}, types)["required"] == ["f"]
    assert "marker 'minimum' applies to integer or number fields, not struct" in field_problem(
        "Db | minimum=1", types
    )


def test_absurdly_nested_json_default_is_an_error_not_a_crash() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert "nests too deeply" in field_problem(f"object | default={deep}")
