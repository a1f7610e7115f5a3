"""find / findAll with RE2 semantics, and clear errors for patterns RE2 rejects."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.cel.library.conftest import EvalError, Evaluate

CASES: list[tuple[str, Any]] = [
    ("'abc 123 def 456'.find('[0-9]+')", "123"),
    ("'abc'.find('[0-9]+')", ""),
    ("'abc'.find('')", ""),
    ("'héllo wörld'.find('w.r')", "wör"),
    ("'abc 123 def 456'.findAll('[0-9]+')", ["123", "456"]),
    ("'abc 123 def 456'.findAll('[0-9]+', 1)", ["123"]),
    ("'abc 123 def 456'.findAll('[0-9]+', 0)", []),
    ("'abc 123 def 456'.findAll('[0-9]+', -1)", ["123", "456"]),
    ("'abc'.findAll('x')", []),
    # Go skips an empty match that abuts the previous match (Python's re would add a third '').
    ("'baaa'.findAll('a*')", ["", "aaa"]),
    ("'abc'.findAll('')", ["", "", "", ""]),
    ("'ab'.findAll('(?i)A')", ["a"]),
    ("'a1b22'.findAll('\\\\d+')", ["1", "22"]),
    ("'line1\\nline2'.findAll('(?m)^line')", ["line", "line"]),
    ("'x-y'.findAll('^.')", ["x"]),
    ("'abc'.matches('b')", True),
]


@pytest.mark.parametrize(("expression", "expected"), CASES)
def test_regex_function(evaluate: Evaluate, expression: str, expected: Any) -> None:
    assert evaluate(expression) == expected


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(?=x)", "invalid perl operator"),
        ("(a)\\\\1", "invalid escape sequence"),
        ("[a-", "missing \\]"),
        ("a{2,1}", "invalid repetition size"),
        ("(", "missing \\)"),
    ],
)
def test_patterns_re2_rejects_are_errors(evaluate: Evaluate, pattern: str, reason: str) -> None:
    with pytest.raises(EvalError, match=f"invalid regular expression .*: {reason}"):
        evaluate(f"'aa'.find('{pattern}')")
    with pytest.raises(EvalError, match="invalid regular expression"):
        evaluate(f"'aa'.findAll('{pattern}')")


def test_pattern_from_data(evaluate: Evaluate) -> None:
    assert evaluate("s.find(x.pattern)", s="v1.2.3", x={"pattern": "[0-9]+\\.[0-9]+"}) == "1.2"
