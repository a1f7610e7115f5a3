"""Semantic versions: strict and normalizing parsing, parts, and SemVer precedence."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.cel.library.conftest import EvalError, Evaluate

CASES: list[tuple[str, Any]] = [
    ("semver('1.2.3')", "1.2.3"),
    ("semver('1.2.3-rc.1+build.5')", "1.2.3-rc.1+build.5"),
    ("semver('1.2.3').major()", 1),
    ("semver('1.2.3').minor()", 2),
    ("semver('1.2.3').patch()", 3),
    ("semver('v1.2', true)", "1.2.0"),
    ("semver('v01.02.003', true)", "1.2.3"),
    ("semver('3', true)", "3.0.0"),
    ("semver('1.2.3', false)", "1.2.3"),
    ("isSemver('1.2.3')", True),
    ("isSemver('1.2.3-alpha.1')", True),
    ("isSemver('1.2')", False),
    ("isSemver('v1.2.3')", False),
    ("isSemver('01.2.3')", False),
    ("isSemver('1.2.3-')", False),
    ("isSemver('1.2.3-01')", False),
    ("isSemver('v1.2.3', true)", True),
    ("isSemver('1.2-rc', true)", False),
    ("isSemver('x', true)", False),
    ("semver('1.0.0').isLessThan(semver('1.0.1'))", True),
    ("semver('1.0.0-alpha').isLessThan(semver('1.0.0'))", True),
    ("semver('1.0.0-alpha.1').isLessThan(semver('1.0.0-alpha.beta'))", True),
    ("semver('1.0.0-2').isLessThan(semver('1.0.0-10'))", True),
    ("semver('2.0.0').isGreaterThan(semver('10.0.0'))", False),
    ("semver('1.0.0+a').compareTo(semver('1.0.0+b'))", 0),
    ("semver('1.0.0').compareTo(semver('0.9.9'))", 1),
    ("semver('0.9.9').compareTo(semver('1.0.0'))", -1),
    ("semver('1.2.3') == semver('1.2.3')", True),
]


@pytest.mark.parametrize(("expression", "expected"), CASES)
def test_semver_function(evaluate: Evaluate, expression: str, expected: Any) -> None:
    assert evaluate(expression) == expected


def test_semver_on_plain_data(evaluate: Evaluate) -> None:
    assert evaluate("semver(x.version, true).isGreaterThan(semver('1.27.0'))", x={"version": "v1.30"}) is True


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("semver('1.0')", r"semver\('1.0'\): invalid semantic version"),
        ("semver('v1.0.0')", r"semver\('v1.0.0'\): invalid semantic version"),
        ("semver('1.2-rc', true)", r"short version cannot contain PreRelease/Build meta data"),
        (
            "semver('1.0.0').isLessThan(quantity('1'))",
            r"isLessThan: expected two quantities or two semantic versions",
        ),
    ],
)
def test_semver_errors(evaluate: Evaluate, expression: str, message: str) -> None:
    with pytest.raises(EvalError, match=message):
        evaluate(expression)
