"""Collecting diagnostics while compiling: every check reports here and compilation goes on, so the
user sees every problem of an RGD in one run."""

from __future__ import annotations

from kro.graph.errors import CompileFailed, Diagnostic
from kro.graph.model import FieldPath
from kro.graph.positions import PositionIndex, format_path, key_path, locate


class Reporter:
    """Turns (path, message) into located :class:`Diagnostic` objects."""

    def __init__(self, *, positions: PositionIndex | None = None, file: str | None = None) -> None:
        self._positions = positions
        self._file = file
        self._diagnostics: list[Diagnostic] = []

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return tuple(self._diagnostics)

    def __bool__(self) -> bool:
        return bool(self._diagnostics)

    def error(
        self,
        path: FieldPath,
        message: str,
        *,
        resource: str | None = None,
        expression: str | None = None,
        offset: int = 0,
        at_key: bool = False,
    ) -> None:
        """Record a problem at ``path``; ``offset`` moves the column right within a one-line string
        value (to point at the offending ``${`` rather than the start of the value); ``at_key``
        points at the field's key instead of its value (the key itself is wrong)."""
        line = column = None
        exact = self._positions.get(path) if self._positions else None
        if at_key and self._positions:
            exact = self._positions.get(key_path(path)) or exact
        found = exact or locate(self._positions, path)
        if found is not None:
            line, column = found
            if exact is not None:
                column += offset
        diagnostic = Diagnostic(
            resource or None, format_path(path), expression, message, line, column, self._file
        )
        if diagnostic not in self._diagnostics:
            self._diagnostics.append(diagnostic)

    def extend(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        self._diagnostics.extend(d for d in diagnostics if d not in self._diagnostics)

    def raise_if_any(self) -> None:
        if self._diagnostics:
            raise CompileFailed(self._sorted())

    def _sorted(self) -> list[Diagnostic]:
        # Document order when positions are known; discovery order otherwise (a stable sort).
        return sorted(self._diagnostics, key=lambda d: (d.line is None, d.line or 0, d.column or 0))
