"""One engine environment with every library function, and a helper that evaluates an expression
on plain data and returns plain Python values (library messages as their plain form)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cel_expr_python import cel

from kro.cel.library import (
    engine_config,
    evaluation_extensions,
    extensions,
    native_value,
    status_condition_extensions,
)
from kro.cel.program import prepare


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
    return cel.NewEnv(
        config=engine_config(), extensions=extensions() + status_condition_extensions(), variables=variables
    )


@pytest.fixture(scope="session")
def runner() -> Any:
    """The environment that runs what :func:`engine` checked, as :mod:`kro.cel` does."""
    variables = {"x": cel.Type.DYN, "y": cel.Type.DYN, "s": cel.Type.STRING, "n": cel.Type.INT}
    extra = status_condition_extensions() + evaluation_extensions()
    config = engine_config(evaluation=True)
    return cel.NewEnv(config=config, extensions=extensions() + extra, variables=variables)


@pytest.fixture(scope="session")
def evaluate(engine: Any, runner: Any) -> Evaluate:
    """``evaluate(expression, **variables)``: the plain result, or :class:`EvalError`."""

    def run(expression: str, **data: Any) -> Any:
        checked = engine.compile(expression).serialize()
        result = runner.deserialize(prepare(checked, metered=False)).eval(data=data)
        if result.type() == cel.Type.ERROR:
            raise EvalError(result.value())
        return plain(result.plain_value())

    return run
