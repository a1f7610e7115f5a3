"""Small helpers to declare CEL functions backed by Python callables.

cel-expr-python 0.1.3 puts these constraints on a Python-backed overload (measured, and why the
helpers look the way they do):

- The declared result type drives the conversion of the Python result: it must be concrete or
  ``dyn``.  A type parameter, or a list/map of one, fails at run time ("Unimplemented type"), and
  an ``optional_type`` cannot be returned at all.  Generic results are therefore declared ``dyn``,
  ``list(dyn)`` or ``map(dyn, dyn)``.
- A *top-level* parameter declared as a type parameter never matches at run time ("no matching
  overloads"); ``dyn`` must be used there.  Type parameters nested in a list or map are fine.
- Two overloads of one function whose parameters have the same run-time kinds (for example two
  message types, or ``list(int)`` and ``list(double)``) cannot both be registered.
- Arguments arrive as plain Python values: lists, dicts, ``bytearray`` for bytes, ``int`` for
  both int and uint, ``datetime``/``timedelta``, protobuf messages.  An ``optional`` argument
  crashes the engine, so callers must never route one into these functions (see the package doc).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cel_expr_python import cel

Type = cel.Type

A = Type.AbstractType("A")
LIST_A = Type.List(A)
LIST_DYN = Type.List(Type.DYN)
LIST_STRING = Type.List(Type.STRING)
MAP_STRING_DYN = Type.Map(Type.STRING, Type.DYN)
MAP_DYN = Type.Map(Type.DYN, Type.DYN)
MAP_STRING_STRING = Type.Map(Type.STRING, Type.STRING)


@dataclass(frozen=True)
class Function:
    """A declared function: its CEL name and its overloads."""

    name: str
    overloads: tuple[cel.Overload, ...]


def function(name: str, *overloads: cel.Overload) -> Function:
    """Declare function ``name`` with its overloads."""
    return Function(name, overloads)


def extension(name: str, functions: Sequence[Function]) -> cel.CelExtension:
    """An engine extension named ``name`` offering ``functions``; same-named ones are joined."""
    grouped: dict[str, list[cel.Overload]] = {}
    for f in functions:
        grouped.setdefault(f.name, []).extend(f.overloads)
    return cel.CelExtension(name, [cel.FunctionDecl(n, overloads) for n, overloads in grouped.items()])


def global_overload(
    overload_id: str, params: Sequence[cel.Type], result: cel.Type, impl: Callable[..., Any]
) -> cel.Overload:
    """A global overload ``f(params...) -> result``."""
    return cel.Overload(id=overload_id, return_type=result, parameters=list(params), impl=impl)


def member_overload(
    overload_id: str, params: Sequence[cel.Type], result: cel.Type, impl: Callable[..., Any]
) -> cel.Overload:
    """A receiver-style overload ``params[0].f(params[1:]...) -> result``."""
    return cel.Overload(
        id=overload_id, return_type=result, parameters=list(params), is_member=True, impl=impl
    )
