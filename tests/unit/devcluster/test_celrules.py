"""CRD x-kubernetes-validations rules."""

from __future__ import annotations

from typing import Any

from kro.devcluster.celrules import compile_error, evaluate_rules

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "x-kubernetes-validations": [
                {"rule": "self.min <= self.max", "message": "min must not exceed max"},
                {"rule": "self.max >= oldSelf.max", "messageExpression": "'max cannot shrink below ' + string(oldSelf.max)"},
            ],
            "properties": {
                "min": {"type": "integer"},
                "max": {"type": "integer"},
                "items": {
                    "type": "array",
                    "items": {"type": "string", "x-kubernetes-validations": [{"rule": "self.startsWith('x')", "reason": "FieldValueForbidden"}]},
                },
            },
        },
    },
}


def test_rules_pass_and_fail() -> None:
    assert evaluate_rules(SCHEMA, {"spec": {"min": 1, "max": 2}}, None) == []
    [cause] = evaluate_rules(SCHEMA, {"spec": {"min": 3, "max": 2}}, None)
    assert (cause.field, cause.reason) == ("spec", "FieldValueInvalid")
    assert cause.message == 'Invalid value: "object": min must not exceed max'


def test_transition_rules_only_on_update_and_message_expression() -> None:
    assert evaluate_rules(SCHEMA, {"spec": {"min": 1, "max": 2}}, None) == []
    [cause] = evaluate_rules(SCHEMA, {"spec": {"min": 1, "max": 2}}, {"spec": {"min": 1, "max": 5}})
    assert cause.message == 'Invalid value: "object": max cannot shrink below 5'


def test_rules_on_list_items_report_the_item_path_and_reason() -> None:
    [cause] = evaluate_rules(SCHEMA, {"spec": {"min": 1, "max": 2, "items": ["xa", "b"]}}, None)
    assert (cause.field, cause.reason) == ("spec.items[1]", "FieldValueForbidden")
    assert cause.message == 'Invalid value: "string": failed rule: self.startsWith(\'x\')'


def test_evaluation_errors_become_field_errors() -> None:
    [cause] = evaluate_rules(SCHEMA, {"spec": {"min": 1}}, None)
    assert cause.field == "spec" and "no such key: max" in cause.message


def test_compile_errors_are_explained() -> None:
    assert compile_error("self.a <") is not None
    assert compile_error("self.a < 1") is None
