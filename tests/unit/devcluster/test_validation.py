"""Structural schemas applied to objects: pruning, defaulting, validation causes."""

from __future__ import annotations

from typing import Any

from kro.devcluster.validation import apply_schema

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
