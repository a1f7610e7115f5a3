"""``${...}`` expressions inside template strings, parsed exactly as kro parses them.

A brace-matching scanner finds each ``${``…``}``; it tracks double-quoted CEL string literals only
(so ``${"}"}`` is one expression). A ``${`` nested inside an expression is an error unless it is
directly preceded by ``"``: ``${"${VAR}"}`` is how a template produces the literal text ``${VAR}``.

A string that is exactly one ``${...}`` is *standalone*: its value replaces the string and may have
any type. Any other string with expressions is *interpolated*: it is rewritten into one CEL string
concatenation, ``"a-" + (e1) + "-b"``, which must type-check as a string.

:func:`walk_template` visits every string of a template and yields the ones holding expressions,
with their field paths; a ``${`` in a map key is reported, since kro computes values only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from kro.graph.model import FieldPath


class TemplateSyntaxError(ValueError):
    """A malformed ``${...}``; :attr:`offset` is where in the string the problem starts."""

    def __init__(self, message: str, *, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True)
class Segment:
    """A piece of a template string: literal ``text``, or an ``expression`` (the text between
    ``${`` and ``}``). ``offset`` is where the piece starts in the original string."""

    text: str
    is_expression: bool
    offset: int


@dataclass(frozen=True)
class ParsedString:
    source: str
    segments: tuple[Segment, ...]

    @property
    def expressions(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.is_expression)

    @property
    def has_expressions(self) -> bool:
        return any(s.is_expression for s in self.segments)

    @property
    def standalone(self) -> bool:
        return len(self.segments) == 1 and self.segments[0].is_expression

    def to_cel(self) -> str:
        """The single CEL expression computing this string: the expression itself when standalone,
        else the concatenation of quoted literals and parenthesised expressions."""
        if self.standalone:
            return self.segments[0].text
        parts = [f"({s.text})" if s.is_expression else cel_string_literal(s.text) for s in self.segments]
        return _balanced_concat(parts) if parts else '""'


def _balanced_concat(parts: list[str]) -> str:
    """``parts`` joined with ``+`` as a balanced tree. A flat chain nests one level per part and the
    CEL parser rejects expressions nested deeper than 32 levels, so long strings would not compile."""
    if len(parts) <= 2:
        return " + ".join(parts)
    halves = (parts[: len(parts) // 2], parts[len(parts) // 2 :])
    return " + ".join(half[0] if len(half) == 1 else f"({_balanced_concat(half)})" for half in halves)


@dataclass(frozen=True)
class ExpressionField:
    """A template string holding expressions, at ``path`` (relative to the walked value)."""

    path: FieldPath
    parsed: ParsedString


@dataclass(frozen=True)
class TemplateProblem:
    path: FieldPath
    message: str
    source: str
    offset: int = 0


def parse(source: str) -> ParsedString:
    """Split ``source`` into literal text and ``${...}`` expressions."""
    segments: list[Segment] = []
    literal_start = 0
    pos = 0
    while True:
        start = source.find("${", pos)
        if start < 0:
            break
        end = _matching_brace(source, start)
        body = source[start + 2 : end]
        _check_body(body, start)
        if start > literal_start:
            segments.append(Segment(source[literal_start:start], False, literal_start))
        segments.append(Segment(body.strip(), True, start))
        pos = literal_start = end + 1
    if literal_start < len(source):
        segments.append(Segment(source[literal_start:], False, literal_start))
    return ParsedString(source, tuple(segments))


def _matching_brace(source: str, start: int) -> int:
    depth = 1
    in_string = False
    i = start + 2
    while i < len(source):
        c = source[i]
        if in_string:
            if c == "\\":
                i += 1  # the escaped character cannot close the literal
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise TemplateSyntaxError("unterminated expression: '${' has no matching '}'", offset=start)


def _check_body(body: str, start: int) -> None:
    if not body.strip():
        raise TemplateSyntaxError("empty expression '${}'", offset=start)
    nested = body.find("${")
    while nested >= 0:
        if nested == 0 or body[nested - 1] != '"':
            raise TemplateSyntaxError(
                "nested '${' inside an expression; to write a literal '${' use a CEL string: ${\"${...}\"}",
                offset=start + 2 + nested,
            )
        nested = body.find("${", nested + 2)


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def cel_string_literal(text: str) -> str:
    """``text`` as a double-quoted CEL string literal."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def walk_template(value: object, path: FieldPath = ()) -> Iterator[ExpressionField | TemplateProblem]:
    """Every string holding expressions under ``value`` (depth first, document order), and every
    problem: a malformed expression, or an expression in a map key."""
    if isinstance(value, str):
        if "${" not in value:
            return
        try:
            parsed = parse(value)
        except TemplateSyntaxError as e:
            yield TemplateProblem(path, str(e), value, e.offset)
            return
        if parsed.has_expressions:
            yield ExpressionField(path, parsed)
    elif isinstance(value, Mapping):
        for key, child in value.items():
            if isinstance(key, str) and "${" in key:
                yield TemplateProblem(
                    (*path, key), "expressions are not allowed in map keys, only in string values", key
                )
                continue
            yield from walk_template(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from walk_template(child, (*path, i))
