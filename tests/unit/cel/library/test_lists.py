"""List functions evaluated through the engine, on literals and on plain data."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.cel.library.conftest import EvalError, Evaluate

CASES: list[tuple[str, Any]] = [
    ("lists.range(4)", [0, 1, 2, 3]),
    ("lists.range(0)", []),
    ("lists.range(-3)", []),
    ("lists.range(3).map(i, i * 2)", [0, 2, 4]),
    ("[1, 2, 3, 4].slice(1, 3)", [2, 3]),
    ("[1, 2, 3].slice(0, 0)", []),
    ("[1, 2, 3].slice(3, 3)", []),
    ("[1, [2, 3], [[4]]].flatten()", [1, 2, 3, [4]]),
    ("[1, [2, [3, [4]]]].flatten(2)", [1, 2, 3, [4]]),
    ("[1, [2, [3, [4]]]].flatten(0)", [1, [2, [3, [4]]]]),
    ("[[1], [2]].flatten(10)", [1, 2]),
    ("[].flatten()", []),
    ("[3, 1, 2].sort()", [1, 2, 3]),
    ("['b', 'c', 'a'].sort()", ["a", "b", "c"]),
    ("[true, false].sort()", [False, True]),
    ("[b'b', b'a'].sort()", [b"a", b"b"]),
    ("[].sort()", []),
    ("[1, 2, 1, 3, 2].distinct()", [1, 2, 3]),
    ("[1, 1.0, 1u, true, 'a', 'a'].distinct()", [1, True, "a"]),
    ("[[1], [1], {'a': 1}, {'a': 1}].distinct()", [[1], {"a": 1}]),
    ("[1, 2, 3].reverse()", [3, 2, 1]),
    ("[].reverse()", []),
    ("lists.setAtIndex([1, 2, 3], 1, 9)", [1, 9, 3]),
    ("lists.setAtIndex(['a'], 0, 'z')", ["z"]),
    ("lists.insertAtIndex([1, 2, 3], 0, 9)", [9, 1, 2, 3]),
    ("lists.insertAtIndex([1, 2, 3], 3, 9)", [1, 2, 3, 9]),
    ("lists.insertAtIndex([], 0, 'a')", ["a"]),
    ("lists.removeAtIndex([1, 2, 3], 1)", [1, 3]),
    ("lists.removeAtIndex([1], 0)", []),
    ("[1, 2, 2, 3].isSorted()", True),
    ("[3, 1].isSorted()", False),
    ("['a', 'b'].isSorted()", True),
    ("[].isSorted()", True),
    ("[1, 2, 3].sum()", 6),
    ("[1.5, 2.5].sum()", 4.0),
    ("[].sum()", 0),
    ("[3, 1, 2].min()", 1),
    ("[3, 1, 2].max()", 3),
    ("['b', 'a'].min()", "a"),
    ("[1, 2.5].max()", 2.5),
    ("[1, 2, 3, 2].indexOf(2)", 1),
    ("[1, 2, 3, 2].lastIndexOf(2)", 3),
    ("[1, 2].indexOf(5)", -1),
    ("[1, 2].lastIndexOf(5)", -1),
    ("[1, 2].indexOf(2.0)", 1),
    ("[[1], [2]].indexOf([2])", 1),
    ("'abcb'.indexOf('b')", 1),
    ("'abcb'.lastIndexOf('b')", 3),
    ("'abc'.reverse()", "cba"),
]


@pytest.mark.parametrize(("expression", "expected"), CASES)
def test_list_function(evaluate: Evaluate, expression: str, expected: Any) -> None:
    assert evaluate(expression) == expected


def test_functions_work_on_plain_data(evaluate: Evaluate) -> None:
    data = {"items": [{"name": "b"}, {"name": "a"}, {"name": "b"}], "ports": [443, 80, 8080]}
    assert evaluate("x.items.map(i, i.name).distinct().sort()", x=data) == ["a", "b"]
    assert evaluate("x.ports.sort()[0]", x=data) == 80
    assert evaluate("x.ports.max() - x.ports.min()", x=data) == 8000
    assert evaluate("lists.setAtIndex(x.items, 1, {'name': 'z'})[1].name", x=data) == "z"
    assert data["items"][1] == {"name": "a"}, "the input list must not change"


ERRORS: list[tuple[str, str]] = [
    ("[1, 2].slice(-1, 1)", r"cannot slice\(-1, 1\), negative indexes not supported"),
    ("[1, 2].slice(2, 1)", r"start index must be less than or equal to end index"),
    ("[1, 2].slice(0, 3)", r"list is length 2"),
    ("[1].flatten(-1)", r"level must be non-negative"),
    ("[1, 'a'].sort()", r"sort\(\): list elements must have the same type"),
    ("[2.5, 1, 3u].sort()", r"sort\(\): list elements must have the same type"),
    ("[{'a': 1}].isSorted()", r"isSorted: elements of type map are not comparable"),
    ("lists.setAtIndex([1], 1, 2)", r"lists.setAtIndex: index 1 out of bounds \[0, 1\)"),
    ("lists.setAtIndex([1], -1, 2)", r"index -1 out of bounds"),
    ("lists.insertAtIndex([1], 2, 2)", r"lists.insertAtIndex: index 2 out of bounds \[0, 1\]"),
    ("lists.removeAtIndex([], 0)", r"lists.removeAtIndex: index 0 out of bounds \[0, 0\)"),
    ("['a'].sum()", r"sum: elements of type string cannot be added"),
    ("[1, 2.0].sum()", r"sum: elements must be all ints or all doubles"),
    ("[9223372036854775807, 1].sum()", r"sum: integer overflow"),
    ("[].min()", r"min: called on an empty list"),
    ("[].max()", r"max: called on an empty list"),
    ("lists.range(2000000)", r"cost limit: lists.range\(2000000\) would build 2000000 elements"),
]


@pytest.mark.parametrize(("expression", "message"), ERRORS)
def test_list_function_errors(evaluate: Evaluate, expression: str, message: str) -> None:
    with pytest.raises(EvalError, match=message):
        evaluate(expression)


def test_errors_reach_the_engine_through_dyn(evaluate: Evaluate) -> None:
    # A dyn value of the wrong kind is caught by the engine's overload dispatch, not by a crash.
    with pytest.raises(EvalError, match="No matching overloads"):
        evaluate("x.sort()", x="not a list")


def test_errors_are_absorbed_like_any_cel_error(evaluate: Evaluate) -> None:
    assert evaluate("true || [].min() == 1") is True
