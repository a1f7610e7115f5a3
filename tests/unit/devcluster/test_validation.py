"""Structural schemas applied to objects: pruning, defaulting, validation causes."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kro.devcluster.validation import SchemaOutcome, apply_schema

from . import schema_reference

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["size"],
            "properties": {
                "size": {"type": "string", "enum": ["s", "l"]},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 5, "default": 1},
                "name": {"type": "string", "pattern": "^[a-z]+$", "minLength": 2, "maxLength": 4},
                "ratio": {"type": "number", "exclusiveMinimum": True, "minimum": 0},
                "tags": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string"}},
                "set": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
                "port": {"x-kubernetes-int-or-string": True},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "nested": {
                    "type": "object",
                    "default": {},
                    "properties": {"mode": {"type": "string", "default": "auto"}, "opt": {"type": "string", "nullable": True}},
                },
                "embedded": {"type": "object", "x-kubernetes-embedded-resource": True, "properties": {}},
            },
        },
    },
}


def obj(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "example.com/v1", "kind": "W", "metadata": {"name": "x"}, "spec": {"size": "s", **spec}}


def causes(o: dict[str, Any]) -> dict[str, str]:
    return {c.field: c.reason for c in apply_schema(SCHEMA, o).causes}


def test_defaults_fill_missing_fields_including_nested_objects() -> None:
    o = obj()
    out = apply_schema(SCHEMA, o)
    assert out.causes == [] and out.unknown_fields == []
    assert o["spec"]["replicas"] == 1
    assert o["spec"]["nested"] == {"mode": "auto"}


def test_unknown_fields_are_pruned_and_reported() -> None:
    o = obj(extra=1, free={"any": {"thing": 1}}, nested={"bogus": 2}, embedded={"apiVersion": "v1", "kind": "X", "metadata": {}, "junk": 1})
    o["top"] = True
    out = apply_schema(SCHEMA, o)
    assert sorted(out.unknown_fields) == ["spec.embedded.junk", "spec.extra", "spec.nested.bogus", "top"]
    assert "extra" not in o["spec"] and o["spec"]["free"] == {"any": {"thing": 1}}
    assert o["spec"]["embedded"] == {"apiVersion": "v1", "kind": "X", "metadata": {}}


def test_null_is_dropped_unless_nullable() -> None:
    o = obj(replicas=None, nested={"opt": None})
    assert causes(o) == {}
    assert o["spec"]["replicas"] == 1  # dropped, then defaulted
    assert o["spec"]["nested"]["opt"] is None


def test_each_kind_of_violation_has_its_reason() -> None:
    got = causes(obj(size="m", replicas=9, name="ABCDE", ratio=0, tags=[], set=["a", "a"], port=1.5, labels={"a": 1}))
    assert got == {
        "spec.size": "FieldValueNotSupported",
        "spec.replicas": "FieldValueInvalid",
        "spec.name": "FieldValueTooLong",
        "spec.ratio": "FieldValueInvalid",
        "spec.tags": "FieldValueInvalid",
        "spec.set[1]": "FieldValueDuplicate",
        "spec.port": "FieldValueTypeInvalid",
        "spec.labels.a": "FieldValueTypeInvalid",
    }


def test_messages_read_like_kube_apiserver() -> None:
    o = obj(replicas="two")
    del o["spec"]["size"]
    out = {c.field: c.message for c in apply_schema(SCHEMA, o).causes}
    assert out["spec.size"] == "Required value"
    assert out["spec.replicas"] == 'Invalid value: "string": spec.replicas in body must be of type integer: "two"'


def test_int_or_string_and_booleans_are_not_numbers() -> None:
    assert causes(obj(port="http")) == {}
    assert causes(obj(port=80)) == {}
    assert causes(obj(replicas=True)) == {"spec.replicas": "FieldValueTypeInvalid"}
    assert causes(obj(replicas=2.0)) == {}  # an integral float is an integer in JSON


# Generated schemas and objects: the compiled schema prunes, defaults and validates exactly as the
# plain reading of the schema does (same object afterwards, same causes in the same order).
_KEYS = ["a", "b", "apiVersion", "kind", "metadata", "labels"]
_SCALAR_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 12), st.sampled_from([0.0, 1.5, 2.0, -1.0]), st.sampled_from(["", "x", "ab", "ABC", "s", "l"])
)
_VALUES = st.recursive(
    _SCALAR_VALUES,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(_KEYS), inner, max_size=5)),
    max_leaves=10,
)


def _leaf_schemas() -> st.SearchStrategy[dict[str, Any]]:
    extras = st.fixed_dictionaries({}, optional={
        "enum": st.lists(_SCALAR_VALUES, min_size=1, max_size=3),
        "pattern": st.sampled_from(["^[a-z]+$", "b", "["]),
        "maxLength": st.integers(0, 3),
        "minLength": st.integers(0, 3),
        "minimum": st.sampled_from([0, 1, 1.5]),
        "maximum": st.sampled_from([2, 5, 10.0]),
        "exclusiveMinimum": st.booleans(),
        "exclusiveMaximum": st.booleans(),
        "nullable": st.booleans(),
        "default": _VALUES,
        "x-kubernetes-int-or-string": st.just(True),
        "type": st.sampled_from(["string", "integer", "number", "boolean", "object", "array", ""]),
    })
    return extras


def _container_schemas(inner: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    obj_schema = st.fixed_dictionaries({"type": st.just("object")}, optional={
        "properties": st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4),
        "required": st.lists(st.sampled_from(_KEYS), max_size=2),
        "additionalProperties": st.one_of(st.just(True), st.just(False), inner),
        "x-kubernetes-preserve-unknown-fields": st.booleans(),
        "x-kubernetes-embedded-resource": st.booleans(),
        "maxProperties": st.integers(0, 3),
        "minProperties": st.integers(0, 3),
        "nullable": st.booleans(),
        "default": st.one_of(st.just({}), st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=2)),
    })
    array_schema = st.fixed_dictionaries({"type": st.just("array")}, optional={
        "items": inner,
        "maxItems": st.integers(0, 3),
        "minItems": st.integers(0, 3),
        "x-kubernetes-list-type": st.sampled_from(["set", "atomic"]),
        "nullable": st.booleans(),
        "default": st.lists(_VALUES, max_size=2),
    })
    return st.one_of(obj_schema, array_schema)


_SCHEMAS = st.recursive(_leaf_schemas(), _container_schemas, max_leaves=8)
_ROOTS = st.fixed_dictionaries({"type": st.just("object"), "properties": st.dictionaries(st.sampled_from(_KEYS), _SCHEMAS, max_size=4)},
                               optional={"required": st.lists(st.sampled_from(_KEYS), max_size=2),
                                         "x-kubernetes-preserve-unknown-fields": st.booleans()})


def _outcome(out: SchemaOutcome) -> tuple[list[tuple[str, str, str]], list[str]]:
    return [(c.field, c.reason, c.message) for c in out.causes], out.unknown_fields


def _shaped(data: st.DataObject, schema: Any, depth: int = 0) -> Any:
    """A value mostly following ``schema`` (so its rules are reached), sometimes anything."""
    if not isinstance(schema, dict) or depth > 4 or data.draw(st.integers(0, 9)) == 0:
        return data.draw(_VALUES)
    props = schema.get("properties") or {}
    if schema.get("type") == "object" or props:
        keys = data.draw(st.lists(st.sampled_from([*props, *_KEYS, "x"]), max_size=5, unique=True))
        return {k: _shaped(data, props.get(k, schema.get("additionalProperties")), depth + 1) for k in keys}
    if schema.get("type") == "array":
        items = [_shaped(data, schema.get("items"), depth + 1) for _ in range(data.draw(st.integers(0, 3)))]
        return items + items[:1] if items and data.draw(st.booleans()) else items
    return data.draw(_SCALAR_VALUES)


def _same_as_reference(schema: dict[str, Any], body: dict[str, Any], *, validate: bool = True) -> None:
    mine, theirs = copy.deepcopy(body), copy.deepcopy(body)
    got = apply_schema(schema, mine, validate=validate)
    want = schema_reference.apply_schema(schema, theirs, validate=validate)
    assert _outcome(got) == _outcome(want)
    assert json.dumps(mine) == json.dumps(theirs)


@pytest.mark.parametrize(("schema", "body"), [
    ({"properties": {"a": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "integer"}}}}, {"a": [1, 2, 1, None]}),
    ({"properties": {"a": {"type": "object", "additionalProperties": {"type": "string"}}}}, {"a": {"x": None, "y": 1}}),
    ({"properties": {"a": {"type": "array", "items": {"type": "string", "nullable": True}}}}, {"a": [None, "x", 2]}),
    ({"properties": {"a": {"type": "object", "x-kubernetes-embedded-resource": True, "properties": {"b": {"type": "string"}}}}},
     {"a": {"apiVersion": "v1", "kind": "K", "metadata": {"labels": {}, "name": "", "uid": None}, "b": "x", "c": 1}}),
    ({"properties": {"a": {"type": "array", "items": {"type": "object", "properties": {"b": {"default": {"c": [1]}, "type": "object",
                                                                                         "properties": {"d": {"default": 2}}}}}}}},
     {"a": [{}, {"b": {}}, None, 3]}),
    ({"properties": {"a": {"x-kubernetes-int-or-string": True, "type": "string"}, "b": {"type": "string", "nullable": True}}},
     {"a": {"k": 1}, "b": None, "x": 1}),
    ({"x-kubernetes-preserve-unknown-fields": True, "required": ["a", "kind"], "properties": {"b": {"type": "number", "minimum": 0,
                                                                                               "exclusiveMinimum": True}}},
     {"x": {"y": None}, "b": 0}),
])
def test_compiled_schema_matches_the_plain_reading_on_rare_paths(schema: dict[str, Any], body: dict[str, Any]) -> None:
    _same_as_reference(schema, body)


@settings(max_examples=300, deadline=None)
@given(_ROOTS, st.data(), st.booleans())
def test_compiled_schema_matches_the_plain_reading(schema: dict[str, Any], data: st.DataObject, validate: bool) -> None:
    body = _shaped(data, schema)
    _same_as_reference(schema, body if isinstance(body, dict) else {"a": body}, validate=validate)
