"""The exceptions of the CEL layer.

``CELError`` is the root. Compilation raises :class:`CompileError` (or one of its two precise
subclasses for a name the environment does not know); evaluation raises :class:`EvaluationError`,
whose ``pending`` flag tells the runtime that the data an expression reads is not there yet (a
missing key or field, an index past the end of a list) rather than that the expression is wrong.
:class:`LimitError` reports one of the engine's fixed limits (nesting depth, iteration budget).
"""

from __future__ import annotations


class CELError(Exception):
    """Any failure to compile or evaluate a CEL expression."""

    def __init__(self, message: str, *, expression: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.expression = expression


class CompileError(CELError):
    """The expression does not parse or does not type-check.

    ``column`` is the 0-based offset inside ``expression`` where the engine located the first
    problem, when it gave one; ``details`` holds every problem the engine reported, one per line."""

    def __init__(
        self,
        message: str,
        *,
        expression: str = "",
        column: int | None = None,
        details: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, expression=expression)
        self.column = column
        self.details = details or (message,)

    def __str__(self) -> str:
        where = f" (at offset {self.column})" if self.column is not None else ""
        return f"{self.message}{where} in {self.expression!r}" if self.expression else self.message


class UnknownIdentifierError(CompileError):
    """The expression names a variable that is not declared (``name`` is its root identifier)."""

    def __init__(self, name: str, *, expression: str = "", column: int | None = None) -> None:
        super().__init__(f"unknown identifier {name!r}", expression=expression, column=column)
        self.name = name


class UnknownFunctionError(CompileError):
    """The expression calls a function or method no library declares (``name`` is qualified when
    the call was written as ``namespace.function(...)``)."""

    def __init__(self, name: str, *, expression: str = "", column: int | None = None) -> None:
        super().__init__(f"unknown function {name!r}", expression=expression, column=column)
        self.name = name


class LimitError(CELError):
    """The expression exceeds one of the engine's fixed limits: nesting deeper than it parses or
    checks, or a comprehension running past its iteration budget. Raised at compile or at
    evaluation time; the message says which limit."""


class EvaluationError(CELError):
    """Evaluation failed. ``pending`` is true when the failure means "the data is not there yet"
    (missing key or field, index out of range, a variable with no value), which the runtime
    treats as *wait and retry* rather than as an error of the expression."""

    def __init__(self, message: str, *, expression: str = "", pending: bool = False) -> None:
        super().__init__(message, expression=expression)
        self.pending = pending

    def __str__(self) -> str:
        return f"{self.message} (evaluating {self.expression!r})" if self.expression else self.message
