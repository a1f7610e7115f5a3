"""Is a ``pattern=`` marker a regular expression Kubernetes will accept?

The API server checks CRD ``pattern`` values with Go's RE2 engine, which has no backtracking
features. Python's :mod:`re` accepts a superset of the syntax in some ways (lookarounds,
backreferences, possessive quantifiers, conditionals) and a subset in others (``\\p{Greek}``,
``\\z``, ``\\Q...\\E``). So a pattern is checked in two steps: first refuse the constructs RE2 lacks,
then let :mod:`re` check the rest of the syntax after translating the RE2-only spellings into
Python equivalents of the same shape.
"""

from __future__ import annotations

import re
import warnings

# RE2 refuses counted repetition above this.
_MAX_REPEAT = 1000

_UNSUPPORTED_GROUPS = (
    ("(?=", "lookahead assertions (?=...)"),
    ("(?!", "negative lookahead assertions (?!...)"),
    ("(?<=", "lookbehind assertions (?<=...)"),
    ("(?<!", "negative lookbehind assertions (?<!...)"),
    ("(?>", "atomic groups (?>...)"),
    ("(?(", "conditional groups (?(...)...)"),
    ("(?P=", "named backreferences (?P=name)"),
    ("(?#", "inline comments (?#...)"),
)

_RE2_SPELLINGS = (
    (re.compile(r"\\[pP](\{[^}]*\}|[A-Za-z])"), r"\\w"),  # Unicode classes: same shape as \w
    (re.compile(r"\\z"), r"\\Z"),
    (re.compile(r"\[:\^?[a-z]+:\]"), "a"),  # POSIX classes inside [...]
)
_QUOTED = re.compile(r"\\Q(.*?)(\\E|$)", re.DOTALL)
_REPEAT = re.compile(r"\{(\d+)(?:,(\d*))?\}")


def re2_problem(pattern: str) -> str | None:
    """``None`` when Kubernetes can use ``pattern``; otherwise why not, with the position."""
    unsupported = _unsupported_construct(pattern)
    if unsupported:
        return unsupported
    python = _QUOTED.sub(lambda m: re.escape(m.group(1)), pattern)
    for rx, replacement in _RE2_SPELLINGS:
        python = rx.sub(replacement, python)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "possible nested set" for POSIX classes
            re.compile(python)
    except re.error as e:
        return f"invalid regular expression {pattern!r}: {e.msg}"
    for m in _REPEAT.finditer(pattern):
        if any(n and int(n) > _MAX_REPEAT for n in m.groups()):
            return f"repetition {m.group(0)} in {pattern!r} exceeds the maximum of {_MAX_REPEAT}"
    return None


def _unsupported_construct(pattern: str) -> str | None:
    """Scan outside character classes for syntax RE2 rejects."""
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            nxt = pattern[i + 1 : i + 2]
            if not in_class and nxt.isdigit() and nxt != "0":
                return _refuse(pattern, i, f"backreferences (\\{nxt})")
            if not in_class and nxt == "k":
                return _refuse(pattern, i, "named backreferences (\\k<name>)")
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            # a ']' right after '[' or '[^' is a literal member, not the end of the class
            i += 2 if pattern[i + 1 : i + 2] == "]" else 3 if pattern[i + 1 : i + 3] == "^]" else 1
            continue
        elif ch == "(":
            for prefix, what in _UNSUPPORTED_GROUPS:
                if pattern.startswith(prefix, i):
                    return _refuse(pattern, i, what)
        elif ch in "*+?}" and pattern[i + 1 : i + 2] in ("+", "*") and _is_quantifier(pattern, i):
            return _refuse(pattern, i, f"possessive or nested quantifiers ({ch}{pattern[i + 1]})")
        i += 1
    return None


def _is_quantifier(pattern: str, i: int) -> bool:
    if pattern[i] == "?":
        return i > 0 and pattern[i - 1] != "("
    if pattern[i] == "}":
        return bool(re.search(r"\{\d+(,\d*)?$", pattern[:i]))
    return True


def _refuse(pattern: str, at: int, what: str) -> str:
    return (
        f"{what} at position {at} of {pattern!r} are not supported: Kubernetes checks patterns with "
        "RE2, which has no backtracking features"
    )
