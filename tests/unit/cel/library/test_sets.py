"""Set functions over lists, with CEL equality."""

from __future__ import annotations

import pytest

from tests.unit.cel.library.conftest import Evaluate

CASES: list[tuple[str, bool]] = [
    ("sets.contains([1, 2, 3], [3, 1])", True),
    ("sets.contains([1, 2], [])", True),
    ("sets.contains([], [1])", False),
    ("sets.contains([1, 2], [1, 4])", False),
    ("sets.contains([1, 2], [1.0, 2u])", True),
    ("sets.contains([[1], {'a': 'b'}], [{'a': 'b'}])", True),
    ("sets.contains([true], [1])", False),
    ("sets.equivalent([1, 2, 2], [2, 1])", True),
    ("sets.equivalent([], [])", True),
    ("sets.equivalent([1], [1, 2])", False),
    ("sets.equivalent(['a', 'b'], ['b', 'a', 'a'])", True),
    ("sets.intersects([1, 2], [2, 3])", True),
    ("sets.intersects([1, 2], [3])", False),
    ("sets.intersects([], [])", False),
    ("sets.intersects([1.0], [1])", True),
]


@pytest.mark.parametrize(("expression", "expected"), CASES)
def test_set_function(evaluate: Evaluate, expression: str, expected: bool) -> None:
    assert evaluate(expression) is expected


def test_sets_on_plain_data(evaluate: Evaluate) -> None:
    labels = {"allowed": ["a", "b", "c"], "requested": ["c", "a"]}
    assert evaluate("sets.contains(x.allowed, x.requested)", x=labels) is True
    assert evaluate("sets.intersects(x.requested, ['z'])", x=labels) is False
