"""Patterns are checked as Kubernetes (RE2) will see them."""

from __future__ import annotations

import pytest

from kro.schema.regex import re2_problem


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        r"^\d{1,3}(\.\d{1,3}){3}$",
        r"(?i)^abc$",
        r"(?P<year>\d{4})-(?P<month>\d{2})",
        r"(?:a|b)+?",
        r"\p{Greek}+",
        r"\pL\PN",
        r"[[:alpha:]]+",
        r"abc\z",
        r"\Q1+1=2\E",
        r"[(?=]",  # inside a class these are literals
        r"[]a]",
        r"a{2,1000}",
    ],
)
def test_re2_patterns_accepted(pattern: str) -> None:
    assert re2_problem(pattern) is None


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        ("foo(?=bar)", "lookahead assertions (?=...) at position 3"),
        ("foo(?!bar)", "negative lookahead"),
        ("(?<=a)b", "lookbehind"),
        ("(?<!a)b", "negative lookbehind"),
        ("(?>a+)", "atomic groups"),
        ("(a)?(?(1)b|c)", "conditional groups"),
        (r"(a)\1", r"backreferences (\1)"),
        (r"(?P<x>a)(?P=x)", "named backreferences"),
        (r"(?<x>a)\k<x>", "named backreferences"),
        ("a++", "possessive or nested quantifiers (++)"),
        ("a*+", "possessive"),
        ("a{2}+", "possessive"),
        ("a(?#comment)", "inline comments"),
        ("[a-", "invalid regular expression '[a-'"),
        ("(abc", "invalid regular expression"),
        ("a{1001}", "exceeds the maximum of 1000"),
    ],
)
def test_rejected_with_reason(pattern: str, fragment: str) -> None:
    problem = re2_problem(pattern)
    assert problem is not None
    assert fragment in problem


def test_message_names_re2() -> None:
    assert "RE2" in (re2_problem("(?=a)") or "")
