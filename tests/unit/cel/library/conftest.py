"""One engine environment with every library function, and a helper that evaluates an expression
on plain data and returns plain Python values (library messages as their plain form)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cel_expr_python import cel

from kro.cel.library import extensions, native_value, status_condition_extensions


class EvalError(Exception):
    """The expression evaluated to a CEL error; the message is the engine's."""


def plain(value: Any) -> Any:
    """Recursively convert an engine result to plain data."""
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, bytearray):
        return bytes(value)
    return native_value(value)


Evaluate = Callable[..., Any]


@pytest.fixture(scope="session")
def engine() -> Any:
    variables = {"x": cel.Type.DYN, "y": cel.Type.DYN, "s": cel.Type.STRING, "n": cel.Type.INT}
    return cel.NewEnv(extensions=extensions() + status_condition_extensions(), variables=variables)


@pytest.fixture(scope="session")
def evaluate(engine: Any) -> Evaluate:
    """``evaluate(expression, **variables)``: the plain result, or :class:`EvalError`."""

    def run(expression: str, **data: Any) -> Any:
        result = engine.compile(expression).eval(data=data)
        if result.type() == cel.Type.ERROR:
            raise EvalError(result.value())
        return plain(result.plain_value())

    return run
