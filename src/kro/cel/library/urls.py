"""URL functions (the Kubernetes URL library).

- ``url(s) -> kro.cel.URL``: ``s`` must be an absolute URI or an absolute path (Go's
  ``url.ParseRequestURI``); an error naming the string otherwise.  ``isURL(s) -> bool``.
- ``u.getScheme()``, ``u.getHost()`` (with port; IPv6 in brackets), ``u.getHostname()`` (no port,
  no brackets), ``u.getPort()`` (``""`` when absent), ``u.getEscapedPath()`` -> string.
- ``u.getQuery() -> map(string, list(string))``: decoded query parameters.

A URL is a ``kro.cel.URL`` message holding the original string; the getters read it with Go's
``url.Parse`` rules (a ``#fragment`` is not part of the path or query).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kro.cel.library import messages
from kro.cel.library.declarations import Function, Type, function, global_overload, member_overload
from kro.cel.library.errors import LibraryError
from kro.cel.library.url_parser import ParsedURL, parse


def _url(text: str) -> Any:
    try:
        parse(text, via_request=True)
        parse(text, via_request=False)
    except LibraryError as e:
        raise LibraryError(f"URL parse error during conversion from string: {text!r}: {e}") from None
    return messages.new(messages.URL, value=text)


def _is_url(text: str) -> bool:
    try:
        _url(text)
    except LibraryError:
        return False
    return True


def _parsed(message: Any) -> ParsedURL:
    return parse(message.value, via_request=False)


def _getter(name: str, read: Callable[[ParsedURL], str]) -> Function:
    url_type = messages.cel_type(messages.URL)
    return function(name, member_overload(f"url_{name}", [url_type], Type.STRING, lambda m: read(_parsed(m))))


def declarations() -> list[Function]:
    """The URL functions' declarations."""
    url_type = messages.cel_type(messages.URL)
    return [
        function("url", global_overload("string_to_url", [Type.STRING], url_type, _url)),
        function("isURL", global_overload("is_url_string", [Type.STRING], Type.BOOL, _is_url)),
        _getter("getScheme", lambda u: u.scheme),
        _getter("getHost", lambda u: u.host),
        _getter("getHostname", ParsedURL.hostname),
        _getter("getPort", ParsedURL.port),
        _getter("getEscapedPath", ParsedURL.escaped_path),
        function(
            "getQuery",
            member_overload(
                "url_getQuery",
                [url_type],
                Type.Map(Type.STRING, Type.List(Type.STRING)),
                lambda m: _parsed(m).query(),
            ),
        ),
    ]
