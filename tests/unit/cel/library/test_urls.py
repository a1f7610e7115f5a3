"""URL functions; expected values are what Go's net/url (and so Kubernetes) gives."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.cel.library.conftest import EvalError, Evaluate

FULL = "https://user:pa%20ss@example.com:8080/a%20b/c d?x=1&x=2&y=%zz&z=a+b"

CASES: list[tuple[str, str, Any]] = [
    (FULL, "getScheme()", "https"),
    (FULL, "getHost()", "example.com:8080"),
    (FULL, "getHostname()", "example.com"),
    (FULL, "getPort()", "8080"),
    (FULL, "getEscapedPath()", "/a%20b/c%20d"),
    (FULL, "getQuery()", {"x": ["1", "2"], "z": ["a b"]}),
    ("http://[::1]:80/p", "getHost()", "[::1]:80"),
    ("http://[::1]:80/p", "getHostname()", "::1"),
    ("http://[::1]:80/p", "getPort()", "80"),
    ("/abs/path", "getScheme()", ""),
    ("/abs/path", "getHost()", ""),
    ("/abs/path", "getEscapedPath()", "/abs/path"),
    ("https://example.com", "getPort()", ""),
    ("https://example.com", "getEscapedPath()", ""),
    ("HTTPS://Example.com/", "getScheme()", "https"),
    ("mailto:me@x.com", "getScheme()", "mailto"),
    ("mailto:me@x.com", "getEscapedPath()", ""),
    ("https://x.com/%7Efoo", "getEscapedPath()", "/%7Efoo"),
    ("https://x.com/a;b", "getEscapedPath()", "/a;b"),
    ("https://x.com/\u00e9", "getEscapedPath()", "/%C3%A9"),
    ("https://example.com/path#frag?x=1", "getEscapedPath()", "/path"),
    ("https://example.com/path#frag?x=1", "getQuery()", {}),
    ("http://[fe80::1%25en0]:8080/", "getHostname()", "fe80::1%en0"),
    ("https://example.com/?a=1&a=2&b", "getQuery()", {"a": ["1", "2"], "b": [""]}),
]


@pytest.mark.parametrize(("text", "call", "expected"), CASES)
def test_url_getter(evaluate: Evaluate, text: str, call: str, expected: Any) -> None:
    assert evaluate(f"url(s).{call}", s=text) == expected


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("https://example.com", True),
        ("/relative/to/root", True),
        ("*", True),
        ("foo", False),
        ("example.com/path", False),
        ("", False),
        ("http://a b.com/", False),
        ("http://example.com:port/", False),
        ("http://%41.com/", False),
        ("http://[::1/", False),
        ("://missing-scheme", False),
        ("https://example.com/\x7f", False),
        ("https://example.com/%zz", False),
    ],
)
def test_is_url(evaluate: Evaluate, text: str, valid: bool) -> None:
    assert evaluate("isURL(s)", s=text) is valid


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("foo", "invalid URI for request"),
        ("http://example.com:port/", "invalid port ':port' after host"),
        ("http://a b.com/", "invalid character ' ' in host name"),
        ("https://example.com/%zz", "invalid URL escape '%zz'"),
        ("", "empty url"),
    ],
)
def test_invalid_url_is_an_error(evaluate: Evaluate, text: str, reason: str) -> None:
    with pytest.raises(EvalError, match=f"URL parse error during conversion from string: .*{reason}"):
        evaluate("url(s)", s=text)


def test_url_values(evaluate: Evaluate) -> None:
    assert evaluate("url('https://a.com/x')") == "https://a.com/x"
    assert evaluate("url('https://a.com') == url('https://a.com')") is True
    assert (
        evaluate(
            "url(x.endpoint).getHostname() + ':' + url(x.endpoint).getPort()",
            x={"endpoint": "http://db:5432/"},
        )
        == "db:5432"
    )
