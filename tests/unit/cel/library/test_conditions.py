"""runtime.newCondition and runtime.condition, available only with the status-condition extension."""

from __future__ import annotations

from typing import Any

import pytest
from cel_expr_python import cel

from kro.cel.library import LibraryError, extensions, quote_condition_keys
from tests.unit.cel.library.conftest import EvalError, Evaluate

INSTANCE = {
    "status": {
        "conditions": [
            {"type": "Ready", "status": "True", "reason": "AllGood", "message": "ok"},
            {"type": "Degraded", "status": "False"},
        ]
    }
}


def test_new_condition(evaluate: Evaluate) -> None:
    result = evaluate(
        "runtime.newCondition({'type': 'Ready', 'status': 'True', 'reason': 'R', 'message': 'm'})"
    )
    assert result == {"type": "Ready", "status": "True", "reason": "R", "message": "m"}


def test_new_condition_defaults_reason_and_message(evaluate: Evaluate) -> None:
    assert evaluate("runtime.newCondition({'type': 'A', 'status': 'Unknown'})") == {
        "type": "A",
        "status": "Unknown",
        "reason": "",
        "message": "",
    }


def test_condition_fields_are_typed(evaluate: Evaluate, engine: Any) -> None:
    assert evaluate("runtime.newCondition({'type': 'A', 'status': 'False'}).status == 'False'") is True
    with pytest.raises(RuntimeError, match="undefined field 'severity'"):
        engine.compile("runtime.newCondition({'type': 'A', 'status': 'False'}).severity")


def test_new_condition_from_data(evaluate: Evaluate) -> None:
    expr = "runtime.newCondition({'type': 'Synced', 'status': x.ready ? 'True' : 'False', 'message': x.msg})"
    assert evaluate(expr, x={"ready": False, "msg": "waiting"})["status"] == "False"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("{'type': 'A'}", r"runtime.newCondition: 'status' is required"),
        ("{'status': 'True'}", r"runtime.newCondition: 'type' is required"),
        ("{'type': '', 'status': 'True'}", r"type must not be empty"),
        ("{'type': 'A', 'status': 'Yes'}", r"status must be one of True, False, Unknown \(got 'Yes'\)"),
        ("{'type': 'A', 'status': 'True', 'severity': 'x'}", r"unknown key 'severity'"),
    ],
)
def test_new_condition_errors(evaluate: Evaluate, fields: str, message: str) -> None:
    with pytest.raises(EvalError, match=message):
        evaluate(f"runtime.newCondition({fields})")


CASES: list[tuple[Any, str, dict[str, str]]] = [
    (INSTANCE, "Ready", {"type": "Ready", "status": "True", "reason": "AllGood", "message": "ok"}),
    (INSTANCE, "Degraded", {"type": "Degraded", "status": "False", "reason": "", "message": ""}),
    (INSTANCE, "Missing", {"type": "", "status": "", "reason": "", "message": ""}),
    ({}, "Ready", {"type": "", "status": "", "reason": "", "message": ""}),
    ({"status": {}}, "Ready", {"type": "", "status": "", "reason": "", "message": ""}),
]


@pytest.mark.parametrize(("obj", "condition_type", "expected"), CASES)
def test_condition_lookup(
    evaluate: Evaluate, obj: Any, condition_type: str, expected: dict[str, str]
) -> None:
    assert evaluate("runtime.condition(x, s)", x=obj, s=condition_type) == expected


def test_condition_status_check(evaluate: Evaluate) -> None:
    assert evaluate("runtime.condition(x, 'Ready').status == 'True'", x=INSTANCE) is True


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ("not an object", r"runtime.condition: obj must be an object, got string"),
        ({"status": "up"}, r"obj.status must be an object"),
        ({"status": {"conditions": {"a": 1}}}, r"obj.status.conditions must be a list"),
        ({"status": {"conditions": [1]}}, r"unexpected condition element type int"),
    ],
)
def test_condition_lookup_errors(evaluate: Evaluate, obj: Any, message: str) -> None:
    with pytest.raises(EvalError, match=message):
        evaluate("runtime.condition(x, 'Ready')", x=obj)


def test_runtime_functions_need_the_status_condition_extension() -> None:
    env = cel.NewEnv(extensions=extensions(), variables={"x": cel.Type.DYN})
    with pytest.raises(RuntimeError, match="undeclared reference to 'runtime'"):
        env.compile("runtime.newCondition({'type': 'A', 'status': 'True'})")


REWRITES: list[tuple[str, str]] = [
    (
        "runtime.newCondition({type: 'Ready', status: x.ok ? 'True' : 'False'})",
        "runtime.newCondition({'type': 'Ready', 'status': x.ok ? 'True' : 'False'})",
    ),
    (
        "runtime.newCondition({type: 'A', status: 'True', reason: f(a, {b: 1}), message: 'type: b, c'})",
        "runtime.newCondition({'type': 'A', 'status': 'True', 'reason': f(a, {b: 1}), 'message': 'type: b, c'})",
    ),
    (
        "runtime.newCondition({'type': 'A', status: \"True\"})",
        "runtime.newCondition({'type': 'A', 'status': \"True\"})",
    ),
    (
        "[runtime . newCondition ( { type : 'B' , status: r'x' } )]",
        "[runtime . newCondition ( { 'type' : 'B' , 'status': r'x' } )]",
    ),
    ("other({type: 1})", "other({type: 1})"),
    ("// runtime.newCondition({type: 1})\n1", "// runtime.newCondition({type: 1})\n1"),
    ("'''runtime.newCondition({type: 1})'''", "'''runtime.newCondition({type: 1})'''"),
]


@pytest.mark.parametrize(("source", "rewritten"), REWRITES)
def test_quote_condition_keys(source: str, rewritten: str) -> None:
    assert quote_condition_keys(source) == rewritten


def test_upstream_bare_keys_evaluate_after_the_rewrite(evaluate: Evaluate) -> None:
    source = "runtime.newCondition({type: 'Ready', status: x.ok ? 'True' : 'False', message: x.msg})"
    result = evaluate(quote_condition_keys(source), x={"ok": True, "msg": "up"})
    assert result == {"type": "Ready", "status": "True", "reason": "", "message": "up"}


def test_rewrite_rejects_an_unterminated_string() -> None:
    with pytest.raises(LibraryError, match="unterminated string literal at offset 28"):
        quote_condition_keys("runtime.newCondition({type: 'Ready})")
