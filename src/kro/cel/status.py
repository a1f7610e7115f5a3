"""Reading the engine's failure reports.

cel-expr-python reports every failure as text: compile failures and fixed limits as a
``RuntimeError`` whose message is an absl status (``"INVALID_ARGUMENT: ERROR: <input>:1:4: ...
[INVALID_ARGUMENT]"``), evaluation failures as an error value whose payload is ``"NOT_FOUND: Key not
found in map : \\"a\\""``. It exposes no status object, no error kind and no position field.

This module is therefore the one place that interprets that text. The status code (``NOT_FOUND``,
``CANCELLED``...) is used wherever it is precise enough; the message text is consulted only where the
code is too coarse (index errors and unbound variables are both ``UNKNOWN``; the parser's depth limit
is ``INVALID_ARGUMENT`` like any syntax error). Every rule is listed in :data:`_PENDING_PREFIXES` and
:data:`_LIMIT_MARKERS` so an engine upgrade that changes wording breaks in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The absl status code names (absl/status/status.h); a report starts with one of them.
_CODES = frozenset(
    {
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    }
)
_TRAILER = re.compile(r"\s*\[[A-Z_]+\]\s*$")
_ISSUE = re.compile(r"^ERROR: [^:\n]*:(-?\d+):(-?\d+): (.*)$")
_UNDECLARED = re.compile(r"^undeclared reference to '([^']+)'")
_UNDEFINED_FIELD = re.compile(r"^undefined field '([^']+)'")

# Evaluation failures that mean "the data is not there yet". NOT_FOUND is the engine's code for a
# missing map key or message field; index errors and unbound variables carry the generic UNKNOWN
# code, so for those the start of the message decides.
_PENDING_CODES = frozenset({"NOT_FOUND"})
_PENDING_PREFIXES = ("Index error", "No value with name")

# The engine's fixed limits: the checker's recursion limit is reported as CANCELLED, the parser's
# as an INVALID_ARGUMENT syntax error, the comprehension iteration budget as INTERNAL.
_LIMIT_CODES = frozenset({"CANCELLED", "RESOURCE_EXHAUSTED"})
_LIMIT_MARKERS = ("recursion depth", "recursion limit", "Iteration budget", "iteration budget", "cost limit")


@dataclass(frozen=True)
class EngineStatus:
    """An absl status as the engine printed it: the code name and the message after it."""

    code: str
    message: str

    @property
    def is_limit(self) -> bool:
        return self.code in _LIMIT_CODES or any(m in self.message for m in _LIMIT_MARKERS)

    @property
    def is_pending(self) -> bool:
        return self.code in _PENDING_CODES or self.message.startswith(_PENDING_PREFIXES)


@dataclass(frozen=True)
class Issue:
    """One problem of a compile report: 1-based line and column when the engine located it."""

    line: int | None
    column: int | None
    message: str

    @property
    def undeclared_name(self) -> str | None:
        """The name of an ``undeclared reference`` (the checker's wording for both unknown
        variables and unknown functions), else ``None``."""
        m = _UNDECLARED.match(self.message)
        return m.group(1) if m else None

    @property
    def undefined_field(self) -> str | None:
        """The field name of an ``undefined field`` report (a selection the type lacks)."""
        m = _UNDEFINED_FIELD.match(self.message)
        return m.group(1) if m else None


def parse_status(text: str) -> EngineStatus:
    """Split ``"CODE: message [CODE]"``; text without a known code becomes ``UNKNOWN``."""
    head, sep, rest = text.partition(": ")
    if sep and head in _CODES:
        return EngineStatus(head, _TRAILER.sub("", rest))
    return EngineStatus("UNKNOWN", _TRAILER.sub("", text))


def compile_issues(status: EngineStatus) -> list[Issue]:
    """The ``ERROR: <input>:L:C: message`` entries of a compile report; the source snippet lines
    the engine prints under each entry are dropped. Without any entry the whole message is one."""
    issues: list[Issue] = []
    for line in status.message.splitlines():
        m = _ISSUE.match(line)
        if m is None:
            continue
        row, col = int(m.group(1)), int(m.group(2))
        issues.append(Issue(row if row > 0 else None, col if col > 0 else None, m.group(3).strip()))
    if not issues:
        issues.append(Issue(None, None, status.message.strip()))
    return issues
