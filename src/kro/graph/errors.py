"""Errors of the graph compiler.

The compiler never stops at the first problem: every check appends a :class:`Diagnostic` and the
build raises one :class:`CompileFailed` carrying all of them, each located in the RGD document (a
field path, and a line and column when the caller passed a position index)::

    GraphError
    ├── CompileFailed        the RGD is invalid; ``.diagnostics`` lists every problem
    └── CycleError           the dependency graph has a cycle; ``.cycle`` is the path (a, b, …, a)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in an RGD.

    ``path`` is the field path in the RGD document (``spec.resources[1].template.spec.replicas``);
    ``resource`` is the resource id it belongs to (``None`` for schema-level problems)."""

    resource: str | None
    path: str
    expression: str | None
    message: str
    line: int | None = None
    column: int | None = None
    file: str | None = None

    def location(self) -> str:
        """``file:line:column`` (or as much of it as is known)."""
        parts = [self.file or "<rgd>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        where = f"{self.location()}: " if self.file or self.line is not None else ""
        who = f"resource {self.resource!r}: " if self.resource else ""
        at = f"{self.path}: " if self.path else ""
        return f"{where}{who}{at}{self.message}"

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "resource": self.resource,
            "path": self.path,
            "expression": self.expression,
            "message": self.message,
        }


class GraphError(Exception):
    """Base of the graph compiler's errors."""


class CompileFailed(GraphError):
    """The RGD does not compile; :attr:`diagnostics` holds every problem found, in document order."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        first = str(self.diagnostics[0]) if self.diagnostics else "invalid resource graph"
        more = len(self.diagnostics) - 1
        super().__init__(first + (f" (and {more} more)" if more > 0 else ""))


class CycleError(GraphError):
    """The dependency graph has a cycle; :attr:`cycle` is the closed path ``(a, b, …, a)``."""

    def __init__(self, cycle: Sequence[str]) -> None:
        self.cycle: tuple[str, ...] = tuple(cycle)
        super().__init__("graph contains a cycle: " + " -> ".join(self.cycle))
