"""Whether an expression's result type fits the schema of the field it is written into."""

from __future__ import annotations

from typing import Any

import pytest

from kro.cel import (
    BOOL,
    BYTES,
    DOUBLE,
    DYN,
    INT,
    NULL,
    STRING,
    TIMESTAMP,
    CELEnvironment,
    CelType,
    is_assignable,
)
from kro.cel.types import PRESERVE

INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
STR = {"type": "string"}
INT_OR_STR = {"x-kubernetes-int-or-string": True}
PORT = {"type": "object", "properties": {"name": STR, "port": INTEGER}}
LABELS = {"type": "object", "additionalProperties": STR}


@pytest.mark.parametrize(
    ("output", "schema", "ok"),
    [
        (INT, INTEGER, True),
        (STRING, INTEGER, False),
        (DOUBLE, INTEGER, False),
        (INT, NUMBER, True),
        (DOUBLE, NUMBER, True),
        (STRING, STR, True),
        (BOOL, STR, False),
        (DYN, INTEGER, True),
        (DYN, PORT, True),
        (INT, INT_OR_STR, True),
        (STRING, INT_OR_STR, True),
        (BOOL, INT_OR_STR, False),
        (CelType.optional_of(INT), INTEGER, True),
        (CelType.optional_of(STRING), INTEGER, False),
        (NULL, {"type": "string", "nullable": True}, True),
        (NULL, STR, False),
        (BYTES, {"type": "string", "format": "byte"}, True),
        (BYTES, STR, False),
        (TIMESTAMP, {"type": "string", "format": "date-time"}, True),
        (CelType.list_of(STRING), {"type": "array", "items": STR}, True),
        (CelType.list_of(INT), {"type": "array", "items": STR}, False),
        (CelType.list_of(DYN), {"type": "array", "items": PORT}, True),
        (STRING, {"type": "array", "items": STR}, False),
        (CelType.map_of(STRING, STRING), LABELS, True),
        (CelType.map_of(STRING, INT), LABELS, False),
        (CelType.map_of(INT, STRING), LABELS, False),
        (CelType.map_of(STRING, DYN), PORT, True),  # map → struct, values checked when applied
        (CelType.map_of(STRING, STRING), PORT, False),  # "port" would be a string
        (CelType.map_of(STRING, STRING), {"type": "object", PRESERVE: True}, True),
        (STRING, {PRESERVE: True}, True),
        (CelType.list_of(INT), {}, True),
        (CelType.object_of(PORT), PORT, True),
        (CelType.object_of({"type": "object", "properties": {"port": INTEGER}}), PORT, True),  # subset
        (CelType.object_of({"type": "object", "properties": {"host": STR}}), PORT, False),
        (CelType.object_of({"type": "object", "properties": {"port": STR}}), PORT, False),
        (CelType.object_of(PORT), {"type": "object", "additionalProperties": INT_OR_STR}, True),
        (CelType.object_of(PORT), LABELS, False),
        (CelType.object_of(PORT), {"type": "object", PRESERVE: True}, True),
    ],
)
def test_assignability(output: CelType, schema: dict[str, Any], ok: bool) -> None:
    result, reason = is_assignable(output, schema, field="spec.x")
    assert result is ok
    assert (reason == "") is ok


def test_reason_names_both_types_and_the_field() -> None:
    ok, reason = is_assignable(STRING, INTEGER, field="spec.replicas")
    assert not ok
    assert reason == "expression returns string, field spec.replicas expects integer"


def test_reason_points_inside_structures() -> None:
    ok, reason = is_assignable(CelType.map_of(STRING, STRING), PORT, field="spec.ports[0]")
    assert not ok
    assert "spec.ports[0].port" in reason and "integer" in reason


def test_real_expressions_against_real_fields(env: CELEnvironment, sts_schema: Any) -> None:
    spec = sts_schema["properties"]["spec"]["properties"]
    replicas = env.compile("schema.spec.replicas").output_type
    name = env.compile("schema.spec.name").output_type
    labels = env.compile("schema.metadata.labels").output_type
    assert is_assignable(replicas, spec["replicas"], field="spec.replicas") == (True, "")
    assert not is_assignable(name, spec["replicas"], field="spec.replicas")[0]
    assert is_assignable(labels, spec["selector"]["properties"]["matchLabels"])[0]
    pod_template = env.compile("statefulset.spec.template").output_type
    assert is_assignable(pod_template, spec["template"])[0]
    assert not is_assignable(pod_template, spec["selector"])[0]
