"""Regular-expression functions (the Kubernetes regex library), with RE2 semantics.

- ``s.find(re) -> string``: the leftmost match of ``re`` in ``s``, or ``""`` when none.
- ``s.findAll(re) -> list(string)``: all successive non-overlapping matches.
- ``s.findAll(re, n) -> list(string)``: at most ``n`` matches; all of them when ``n < 0``.

Patterns use RE2 syntax, as CEL's own ``matches`` does (the engine is built on RE2, and so is Go's
``regexp``): look-arounds and back-references are rejected with an error naming the pattern.  As in
Go, an empty match right after the previous match is skipped.
"""

from __future__ import annotations

import functools

import re2

from kro.cel.library.declarations import LIST_STRING, Function, Type, function, member_overload
from kro.cel.library.errors import LibraryError


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> re2._Regexp[str]:
    """Compile an RE2 pattern, or raise :class:`LibraryError` explaining why it is invalid."""
    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as e:
        detail = e.args[0].decode(errors="replace") if e.args and isinstance(e.args[0], bytes) else str(e)
        raise LibraryError(f"invalid regular expression {pattern!r}: {detail}") from None


def _find(text: str, pattern: str) -> str:
    match = compile_pattern(pattern).search(text)
    return match.group(0) if match is not None else ""


def _find_all(text: str, pattern: str, limit: int = -1) -> list[str]:
    regex = compile_pattern(pattern)
    found: list[str] = []
    position, previous_end = 0, -1
    while (limit < 0 or len(found) < limit) and position <= len(text):
        match = regex.search(text, position)
        if match is None:
            break
        start, end = match.span()
        accept = True
        if end == position:
            # An empty match: Go skips one that abuts the previous match, then moves on by one.
            accept = start != previous_end
            position += 1
        else:
            position = end
        previous_end = end
        if accept:
            found.append(match.group(0))
    return found


def declarations() -> list[Function]:
    """The regex functions' declarations."""
    string = Type.STRING
    return [
        function("find", member_overload("string_find_string", [string, string], string, _find)),
        function(
            "findAll",
            member_overload("string_findAll_string", [string, string], LIST_STRING, _find_all),
            member_overload("string_findAll_string_int", [string, string, Type.INT], LIST_STRING, _find_all),
        ),
    ]
