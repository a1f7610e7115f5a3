"""Breaking-change detection between two CRD schemas: each breaking kind, and additive changes that
must pass."""

from __future__ import annotations

from typing import Any

import pytest

from kro.schema import Change, ChangeKind, breaking_changes, crd_from_rgd_schema

K = ChangeKind


def root(spec: dict[str, Any], types: dict[str, Any] | None = None) -> dict[str, Any]:
    """The openAPIV3Schema of the CRD generated for a SimpleSchema spec."""
    block = {"apiVersion": "v1alpha1", "kind": "App", "spec": spec, "types": types or {}}
    crd = crd_from_rgd_schema(block, rgd_name="app", status_schema=None, kro_version="1")
    return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]  # type: ignore[no-any-return]


def kinds(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[ChangeKind, str]]:
    return [(c.kind, c.path) for c in breaking_changes(root(old), root(new))]


def test_identical_is_compatible() -> None:
    spec = {"a": "string | required=true", "b": {"c": "[]integer | maxItems=3"}}
    assert kinds(spec, spec) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"a": "string"}, {"a": "string", "b": "integer"}),  # optional property added
        ({"a": "string | required=true"}, {"a": "string"}),  # no longer required
        ({"a": "string"}, {"a": "string | required=true default=x"}),  # required with default
        ({"a": "integer | minimum=5 maximum=10"}, {"a": "integer | minimum=1 maximum=20"}),
        ({"a": "integer | minimum=5"}, {"a": "integer"}),
        ({"a": "string | minLength=5 maxLength=6"}, {"a": "string | minLength=1 maxLength=60"}),
        ({"a": "[]string | minItems=2 maxItems=3"}, {"a": "[]string"}),
        ({"a": 'string | enum="x,y"'}, {"a": 'string | enum="x,y,z"'}),
        ({"a": 'string | enum="x,y"'}, {"a": "string"}),
        ({"a": "string | pattern=^a"}, {"a": "string"}),
        ({"a": "string"}, {"a": 'string | description="new" default=x'}),
        ({"a": "[]string | uniqueItems=true"}, {"a": "[]string"}),  # set → atomic loosens
    ],
)
def test_additive_changes_are_not_breaking(old: dict[str, Any], new: dict[str, Any]) -> None:
    assert kinds(old, new) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ({"a": "string", "b": "integer"}, {"a": "string"}, [(K.PROPERTY_REMOVED, "spec.b")]),
        ({"n": {"a": "string", "b": "string"}}, {"n": {"a": "string"}}, [(K.PROPERTY_REMOVED, "spec.n.b")]),
        ({"a": "string"}, {"a": "integer"}, [(K.TYPE_CHANGED, "spec.a")]),
        ({"a": "integer"}, {"a": "float"}, [(K.TYPE_CHANGED, "spec.a")]),
        ({"a": "map[string]string"}, {"a": {"x": "string"}}, [(K.TYPE_CHANGED, "spec.a")]),
        ({"a": "object"}, {"a": {"x": "string"}}, [(K.TYPE_CHANGED, "spec.a")]),
        ({"a": "[]string"}, {"a": "[]integer"}, [(K.TYPE_CHANGED, "spec.a[*]")]),
        ({"a": "map[string]string"}, {"a": "map[string]boolean"}, [(K.TYPE_CHANGED, "spec.a.*")]),
        ({"a": "string"}, {"a": "string | required=true"}, [(K.REQUIRED_ADDED, "spec.a")]),
        ({}, {"a": "string | required=true"}, [(K.REQUIRED_ADDED, "spec.a")]),
        (
            {"a": "string | required=true default=x"},
            {"a": "string | required=true"},
            [(K.REQUIRED_DEFAULT_REMOVED, "spec.a")],
        ),
        ({"a": 'string | enum="x,y"'}, {"a": 'string | enum="x"'}, [(K.ENUM_RESTRICTED, "spec.a")]),
        ({"a": "string"}, {"a": 'string | enum="x"'}, [(K.ENUM_RESTRICTED, "spec.a")]),
        ({"a": "string"}, {"a": "string | pattern=^a"}, [(K.PATTERN_ADDED, "spec.a")]),
        ({"a": "string | pattern=^a"}, {"a": "string | pattern=^b"}, [(K.PATTERN_CHANGED, "spec.a")]),
        ({"a": "integer"}, {"a": "integer | minimum=1"}, [(K.MINIMUM_ADDED, "spec.a")]),
        ({"a": "integer | minimum=1"}, {"a": "integer | minimum=2"}, [(K.MINIMUM_INCREASED, "spec.a")]),
        ({"a": "integer"}, {"a": "integer | maximum=1"}, [(K.MAXIMUM_ADDED, "spec.a")]),
        ({"a": "integer | maximum=9"}, {"a": "integer | maximum=8"}, [(K.MAXIMUM_DECREASED, "spec.a")]),
        ({"a": "string"}, {"a": "string | minLength=1"}, [(K.MIN_LENGTH_ADDED, "spec.a")]),
        ({"a": "string | minLength=1"}, {"a": "string | minLength=2"}, [(K.MIN_LENGTH_INCREASED, "spec.a")]),
        ({"a": "string"}, {"a": "string | maxLength=1"}, [(K.MAX_LENGTH_ADDED, "spec.a")]),
        ({"a": "string | maxLength=5"}, {"a": "string | maxLength=4"}, [(K.MAX_LENGTH_DECREASED, "spec.a")]),
        ({"a": "[]string"}, {"a": "[]string | minItems=1"}, [(K.MIN_ITEMS_ADDED, "spec.a")]),
        ({"a": "[]string | minItems=1"}, {"a": "[]string | minItems=3"}, [(K.MIN_ITEMS_INCREASED, "spec.a")]),
        ({"a": "[]string"}, {"a": "[]string | maxItems=1"}, [(K.MAX_ITEMS_ADDED, "spec.a")]),
        ({"a": "[]string | maxItems=3"}, {"a": "[]string | maxItems=2"}, [(K.MAX_ITEMS_DECREASED, "spec.a")]),
        ({"a": "[]string"}, {"a": "[]string | uniqueItems=true"}, [(K.TYPE_CHANGED, "spec.a")]),
    ],
)
def test_breaking_changes(
    old: dict[str, Any], new: dict[str, Any], expected: list[tuple[ChangeKind, str]]
) -> None:
    assert kinds(old, new) == expected


def test_changes_inside_custom_types_in_lists() -> None:
    old = root({"ports": "[]Port"}, {"Port": {"name": "string", "number": "integer"}})
    new = root({"ports": "[]Port"}, {"Port": {"name": "string | required=true", "number": "string"}})
    got = [(c.kind, c.path) for c in breaking_changes(old, new)]
    assert got == [(K.TYPE_CHANGED, "spec.ports[*].number"), (K.REQUIRED_ADDED, "spec.ports[*].name")]


def test_several_changes_all_reported() -> None:
    old = {"a": "string", "b": "integer | maximum=10", "c": "string"}
    new = {"a": "integer", "b": "integer | maximum=5 minimum=1"}
    assert kinds(old, new) == [
        (K.TYPE_CHANGED, "spec.a"),
        (K.MINIMUM_ADDED, "spec.b"),
        (K.MAXIMUM_DECREASED, "spec.b"),
        (K.PROPERTY_REMOVED, "spec.c"),
    ]


def test_removed_property_under_preserve_unknown_fields_is_kept() -> None:
    old = {"type": "object", "properties": {"a": {"type": "string"}}}
    new = {"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {}}
    assert breaking_changes(old, new) == []


def test_status_changes_are_compared_too() -> None:
    old = {
        "type": "object",
        "properties": {"status": {"type": "object", "properties": {"x": {"type": "string"}}}},
    }
    new = {"type": "object", "properties": {"status": {"type": "object", "properties": {}}}}
    assert breaking_changes(old, new) == [Change(K.PROPERTY_REMOVED, "status.x", "property 'x' was removed")]


def test_change_text() -> None:
    change = breaking_changes(root({"a": "string"}), root({"a": "integer"}))[0]
    assert str(change) == "spec.a: type changed from string to integer (TYPE_CHANGED)"
    assert str(Change(K.TYPE_CHANGED, "", "x")) == "<root>: x (TYPE_CHANGED)"
