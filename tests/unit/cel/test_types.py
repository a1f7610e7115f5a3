"""Result types and their OpenAPI schemas, from which an RGD's status schema is inferred."""

from __future__ import annotations

from typing import Any

import pytest

from kro.cel import DURATION, DYN, INT, STRING, TIMESTAMP, CELEnvironment, CelType, Kind, from_openapi
from kro.cel.types import PRESERVE


@pytest.mark.parametrize(
    ("expression", "schema"),
    [
        ("statefulset.status.readyReplicas >= 1", {"type": "boolean"}),
        ("statefulset.status.readyReplicas", {"type": "integer"}),
        ("schema.spec.ratio", {"type": "number"}),
        ("schema.spec.name", {"type": "string"}),
        ("schema.spec.regions", {"type": "array", "items": {"type": "string"}}),
        ("statefulset.metadata.labels", {"type": "object", "additionalProperties": {"type": "string"}}),
        ("schema.spec.values", {"type": "object", PRESERVE: True}),
        ("[1, 2].map(i, i * 2)", {"type": "array", "items": {"type": "integer"}}),
        ("{'a': 1}", {"type": "object", "additionalProperties": {"type": "integer"}}),
        ('b"x"', {"type": "string", "format": "byte"}),
        ('timestamp("2024-01-01T00:00:00Z")', {"type": "string", "format": "date-time"}),
        ("service.spec.ports[0].targetPort", {PRESERVE: True}),
        ("statefulset.?status.?readyReplicas", {"type": "integer"}),
    ],
)
def test_output_type_to_openapi(env: CELEnvironment, expression: str, schema: dict[str, Any]) -> None:
    assert env.compile(expression).output_type.to_openapi() == schema


def test_object_output_gives_back_the_schema_it_came_from(env: CELEnvironment, sts_schema: Any) -> None:
    out = env.compile("statefulset.status").output_type
    assert out.kind == Kind.OBJECT
    assert out.to_openapi() == sts_schema["properties"]["status"]
    conditions = env.compile("statefulset.status.conditions").output_type.to_openapi()
    assert conditions["type"] == "array"
    assert conditions["items"]["properties"]["type"] == {
        "description": "Type of statefulset condition.",
        "type": "string",
    }


def test_list_of_objects_from_a_collection(env: CELEnvironment) -> None:
    out = env.compile("pods.map(p, p.status)").output_type
    assert out.kind == Kind.LIST
    assert out.element.kind == Kind.OBJECT
    assert "podIP" in out.to_openapi()["items"]["properties"]


def test_to_openapi_returns_a_copy(env: CELEnvironment, sts_schema: Any) -> None:
    out = env.compile("statefulset.status").output_type.to_openapi()
    out["properties"].clear()
    assert sts_schema["properties"]["status"]["properties"]


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "integer", "format": "int32"}, INT),
        ({"type": "string", "format": "date-time"}, TIMESTAMP),
        ({"type": "string", "format": "date"}, TIMESTAMP),
        ({"type": "string", "format": "duration"}, DURATION),
        ({"type": "string", "format": "email"}, STRING),
        ({"x-kubernetes-int-or-string": True}, DYN),
        ({"type": "object", PRESERVE: True}, CelType.map_of(STRING, DYN)),
        ({"type": "array", "items": {"type": "string"}}, CelType.list_of(STRING)),
        ({"type": "object", "additionalProperties": {"type": "integer"}}, CelType.map_of(STRING, INT)),
        ({}, DYN),
    ],
)
def test_from_openapi(schema: dict[str, Any], expected: CelType) -> None:
    assert from_openapi(schema) == expected


def test_type_names_read_like_cel() -> None:
    assert str(CelType.map_of(STRING, CelType.list_of(INT))) == "map(string, list(int))"
    assert str(CelType.optional_of(INT)) == "optional_type(int)"
    assert CelType.list_of(INT).element == INT
