"""Source rewrite that lets ``runtime.newCondition`` take upstream kro's bare-identifier keys.

Upstream kro accepts ``runtime.newCondition({type: 'Ready', status: 'True'})`` through a parser
macro that turns the identifier keys into strings.  cel-expr-python has no macros, and in plain
CEL the key ``type`` is the type-of-types value, so such an expression fails.  Before compiling
an expression from ``status.conditions``, :func:`quote_condition_keys` rewrites every bare key of
a ``runtime.newCondition({...})`` map literal into a quoted one; quoted keys, values, string
literals and comments are left untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

from kro.cel.library.errors import LibraryError

_STRING_PREFIXES = frozenset({"r", "b", "rb", "br"})
_CALL = ("runtime", ".", "newCondition", "(", "{")


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int
    identifier: bool = False


def _string_end(source: str, start: int, *, raw: bool) -> int:
    quote = source[start : start + 3] if source[start : start + 3] in ("'''", '"""') else source[start]
    position = start + len(quote)
    while position < len(source):
        if not raw and source[position] == "\\":
            position += 2
            continue
        if source.startswith(quote, position):
            return position + len(quote)
        if len(quote) == 1 and source[position] == "\n":
            break
        position += 1
    raise LibraryError(f"unterminated string literal at offset {start}")


def _tokens(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(source):
        ch = source[position]
        if ch.isspace():
            position += 1
        elif source.startswith("//", position):
            newline = source.find("\n", position)
            position = len(source) if newline < 0 else newline
        elif ch.isalpha() or ch == "_":
            end = position
            while end < len(source) and (source[end].isalnum() or source[end] == "_"):
                end += 1
            word = source[position:end]
            if word.lower() in _STRING_PREFIXES and end < len(source) and source[end] in "'\"":
                end = _string_end(source, end, raw="r" in word.lower())
                tokens.append(_Token(source[position:end], position, end))
            else:
                tokens.append(_Token(word, position, end, identifier=True))
            position = end
        elif ch in "'\"":
            end = _string_end(source, position, raw=False)
            tokens.append(_Token(source[position:end], position, end))
            position = end
        else:
            tokens.append(_Token(ch, position, position + 1))
            position += 1
    return tokens


def _bare_keys(tokens: list[_Token], first: int) -> list[_Token]:
    """Identifier keys of the map literal whose first token (after ``{``) is ``tokens[first]``."""
    keys: list[_Token] = []
    depth, expecting_key = 0, True
    for index in range(first, len(tokens)):
        token = tokens[index]
        if token.text in ("(", "[", "{"):
            depth += 1
        elif token.text in (")", "]", "}"):
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and token.text == ",":
            expecting_key = True
            continue
        followed_by_colon = index + 1 < len(tokens) and tokens[index + 1].text == ":"
        if expecting_key and depth == 0 and token.identifier and followed_by_colon:
            keys.append(token)
        expecting_key = False
    return keys


def quote_condition_keys(expression: str) -> str:
    """``expression`` with the bare keys of ``runtime.newCondition({...})`` literals quoted.

    Raises :class:`LibraryError` for an unterminated string literal.
    """
    tokens = _tokens(expression)
    keys: list[_Token] = []
    for index in range(len(tokens) - len(_CALL) + 1):
        if tuple(t.text for t in tokens[index : index + len(_CALL)]) == _CALL:
            keys.extend(_bare_keys(tokens, index + len(_CALL)))
    result = expression
    for key in sorted(keys, key=lambda k: k.start, reverse=True):
        result = f"{result[: key.start]}'{key.text}'{result[key.end :]}"
    return result
