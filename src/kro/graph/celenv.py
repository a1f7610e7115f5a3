"""The compiler's view of :mod:`kro.cel`: a typed environment, and the questions the compiler asks
about a checked expression's type (is it a bool, a string, a list of what, does it fit a field).

``runtime.*`` functions are only available in ``status.conditions``: an environment made by
:meth:`TypedEnv.with_runtime` allows them, every other one rejects them at compile time.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kro.cel.catalog import condition_extensions, standard_extensions
from kro.cel.environment import CELEnvironment, Declaration
from kro.cel.errors import CELError, CompileError
from kro.cel.expression import CheckedExpression
from kro.cel.types import DYN, CelType, Kind, from_openapi

# A CEL string literal (single or double quoted, with escapes), or the ``runtime.`` namespace.
_LITERAL_OR_RUNTIME = re.compile(r""""(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|\bruntime\s*\.""")


@dataclass(frozen=True)
class Checked:
    """A compiled expression with what the compiler needs from it."""

    expression: CheckedExpression

    @property
    def output_type(self) -> CelType:
        return self.expression.output_type

    @property
    def roots(self) -> frozenset[str]:
        """The declared variables the expression reads."""
        return self.expression.references


class TypedEnv:
    def __init__(
        self,
        variables: Mapping[str, Declaration],
        *,
        allow_runtime: bool = False,
        _env: CELEnvironment | None = None,
    ) -> None:
        self._env = _env if _env is not None else CELEnvironment(variables)
        self._declarations = dict(variables)
        self._allow_runtime = allow_runtime
        self._untyped: CELEnvironment | None = None

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._env.variables)

    def declared(self, name: str) -> Declaration | None:
        return self._declarations.get(name)

    def extend(self, variables: Mapping[str, Declaration]) -> TypedEnv:
        merged = {**self._declarations, **variables}
        return TypedEnv(merged, allow_runtime=self._allow_runtime, _env=self._env.extend(variables))

    def names_read(self, source: str) -> frozenset[str] | None:
        """The declared names ``source`` reads, found without type checking (for explaining why
        an expression that does not type-check is also out of scope); ``None`` if it does not parse."""
        if self._untyped is None:
            self._untyped = CELEnvironment({n: DYN for n in self._env.variables})
        try:
            return self._untyped.compile(source).references
        except CELError:
            return None

    def with_runtime(self) -> TypedEnv:
        """The same declarations plus the ``runtime.*`` functions (built on first use: most RGDs
        have no ``status.conditions``)."""
        return _RuntimeEnv(self._declarations, self._env)

    def check(self, source: str) -> Checked:
        """Compile ``source``; raises :class:`~kro.cel.errors.CELError` subclasses."""
        if not self._allow_runtime:
            at = runtime_offset(source)
            if at is not None:
                raise CompileError(
                    "runtime.* functions are only available in status.conditions",
                    expression=source,
                    column=at,
                )
        return Checked(self._env.compile(source))


def runtime_offset(source: str) -> int | None:
    """Where ``source`` uses the ``runtime`` namespace outside a string literal, if it does."""
    for m in _LITERAL_OR_RUNTIME.finditer(source):
        if m.group(0)[0] not in "\"'":
            return m.start()
    return None


def object_type(schema: Mapping[str, Any]) -> CelType:
    return from_openapi(schema)


def type_name(c: Checked) -> str:
    return str(c.output_type)


def _unwrap(t: CelType) -> CelType:
    return t.element if t.kind == Kind.OPTIONAL else t


def is_bool(c: Checked) -> bool:
    t = _unwrap(c.output_type)
    return t.kind == Kind.BOOL or t.is_dyn


def is_string(c: Checked) -> bool:
    t = _unwrap(c.output_type)
    return t.kind == Kind.STRING or t.is_dyn


def list_items(c: Checked) -> CelType | None:
    """The element type when the expression is a list (``dyn`` when it may be one), else ``None``."""
    t = c.output_type
    if t.kind == Kind.LIST:
        return t.element
    return t if t.is_dyn else None


def output_schema(c: Checked) -> dict[str, Any]:
    return c.output_type.to_openapi()


def assignable(c: Checked, field_schema: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether the expression's values fit the field, and if not, why."""
    from kro.cel.compat import is_assignable

    ok, why = is_assignable(c.output_type, field_schema)
    return bool(ok), str(why or "")


def accepts_string(schema: Mapping[str, Any]) -> bool:
    if schema.get("x-kubernetes-int-or-string") or schema.get("x-kubernetes-preserve-unknown-fields"):
        return True
    return schema.get("type") in (None, "string")


def known_names_hint(env: TypedEnv, name: str) -> str:
    names = sorted(env.names)
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}known names: {', '.join(names)}"


class _RuntimeEnv(TypedEnv):
    def __init__(self, declarations: Mapping[str, Declaration], base: CELEnvironment) -> None:
        super().__init__(declarations, allow_runtime=True, _env=base)
        self._with_runtime: CELEnvironment | None = None

    def check(self, source: str) -> Checked:
        if self._with_runtime is None:
            exts = [*standard_extensions(), *condition_extensions()]
            self._with_runtime = CELEnvironment(self._declarations, extensions=exts)
        return Checked(self._with_runtime.compile(source))
