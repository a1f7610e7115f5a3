r"""SimpleSchema markers: the ``key=value`` words after the ``|`` of a field string.

In ``string | required=true description="The \"main\" name" enum=a,b`` the markers are separated
by whitespace; a value may be double-quoted (inside quotes ``\"`` and ``\\`` are the only escapes,
any other backslash is kept as written, so regexes survive) and ``{...}`` / ``[...]`` group a value
so that JSON defaults may contain spaces. Only the first ``=`` of a word splits key from value.

This module only tokenizes; what each marker does to the OpenAPI node is in
:mod:`kro.schema.constraints`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kro.schema.errors import did_you_mean


class MarkerName(StrEnum):
    REQUIRED = "required"
    DEFAULT = "default"
    DESCRIPTION = "description"
    ENUM = "enum"
    MINIMUM = "minimum"
    MAXIMUM = "maximum"
    PATTERN = "pattern"
    MIN_LENGTH = "minLength"
    MAX_LENGTH = "maxLength"
    MIN_ITEMS = "minItems"
    MAX_ITEMS = "maxItems"
    UNIQUE_ITEMS = "uniqueItems"
    LIST_TYPE = "listType"
    LIST_MAP_KEY = "listMapKey"
    IMMUTABLE = "immutable"
    VALIDATION = "validation"


# Markers that may be given more than once on one field; every other marker may appear once.
REPEATABLE = frozenset({MarkerName.LIST_MAP_KEY, MarkerName.VALIDATION})


@dataclass(frozen=True)
class Marker:
    name: MarkerName
    value: str


@dataclass(frozen=True)
class _Word:
    text: str
    equals_at: int  # index of the first top-level '=', or -1


def parse_markers(text: str) -> tuple[list[Marker], list[str]]:
    """Tokenize a marker section. Returns the markers understood and a message for every problem
    (unknown key, missing value, unbalanced quote or bracket, repeated marker); it never raises."""
    words, problems = _split_words(text)
    markers: list[Marker] = []
    seen: set[MarkerName] = set()
    for word in words:
        if word.equals_at < 0:
            problems.append(
                f"marker {word.text!r} has no value: write it as key=value, with no spaces around '='"
            )
            continue
        key = word.text[: word.equals_at]
        value = _unquote(word.text[word.equals_at + 1 :])
        if not key:
            problems.append(f"marker {word.text!r} has an empty name before '='")
            continue
        try:
            name = MarkerName(key)
        except ValueError:
            hint = did_you_mean(key, [m.value for m in MarkerName])
            valid = ", ".join(sorted(m.value for m in MarkerName))
            problems.append(f"unknown marker {key!r}{hint}; valid markers are: {valid}")
            continue
        if name in seen and name not in REPEATABLE:
            problems.append(f"marker {key!r} is given more than once; give it once")
            continue
        seen.add(name)
        markers.append(Marker(name, value))
    return markers, problems


def _split_words(text: str) -> tuple[list[_Word], list[str]]:
    """Split on whitespace outside quotes and brackets, remembering where each word's key ends."""
    words: list[_Word] = []
    problems: list[str] = []
    buf: list[str] = []
    equals_at = -1
    in_quotes = escaped = False
    depth = 0

    def flush() -> None:
        nonlocal equals_at
        if buf:
            words.append(_Word("".join(buf), equals_at))
        buf.clear()
        equals_at = -1

    for ch in text:
        if escaped:
            escaped = False
        elif in_quotes and ch == "\\":
            escaped = True
        elif ch == '"':
            in_quotes = not in_quotes
        elif not in_quotes and ch in "{[":
            depth += 1
        elif not in_quotes and ch in "}]":
            depth -= 1
            if depth < 0:
                problems.append(f"unmatched closing {ch!r} in markers {text.strip()!r}")
                depth = 0
        elif not in_quotes and depth == 0 and ch.isspace():
            flush()
            continue
        elif ch == "=" and equals_at < 0 and not in_quotes and depth == 0:
            equals_at = len(buf)
        buf.append(ch)
    if in_quotes:
        problems.append(f'unclosed double quote in markers {text.strip()!r}: add the closing "')
    if depth > 0:
        problems.append(f"unclosed '{{' or '[' in markers {text.strip()!r}")
    flush()
    return words, problems


def _unquote(value: str) -> str:
    """Strip one pair of surrounding double quotes and undo the ``\\"`` and ``\\\\`` escapes;
    an unquoted value is only trimmed."""
    if len(value) < 2 or not (value.startswith('"') and value.endswith('"')):
        return value.strip()
    out: list[str] = []
    escaped = False
    for ch in value[1:-1]:
        if escaped:
            if ch not in '"\\':
                out.append("\\")  # only \" and \\ are escapes; keep others (regexes!) as written
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        else:
            out.append(ch)
    if escaped:
        out.append("\\")
    return "".join(out)
