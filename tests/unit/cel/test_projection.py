"""Evaluation passes the engine only the field paths an expression reads: for any data and any
selection, the outcome must be the one the engine gives on the whole object."""

from __future__ import annotations

from typing import Any

from cel_expr_python import cel
from hypothesis import given
from hypothesis import strategies as st

from kro.cel import DYN, CELEnvironment, EvaluationError, engine_extensions

KEYS = st.sampled_from(["a", "b", "c"])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text("xy", max_size=2),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=12,
)
CHAIN = st.lists(KEYS, min_size=1, max_size=4).map(".".join)
EXPRESSION = st.one_of(
    CHAIN.map(lambda c: f"x.{c}"),
    CHAIN.map(lambda c: f"has(x.{c})"),
    CHAIN.map(lambda c: f"x.?{c.replace('.', '.?')}.orValue('none')"),
    st.tuples(CHAIN, CHAIN).map(lambda p: f"[x.{p[0]}, y.{p[1]}]"),
    st.tuples(CHAIN, CHAIN).map(lambda p: f"cel.bind(v, x.{p[0]}, [v, x.{p[1]}])"),
)

ENV = CELEnvironment({"x": DYN, "y": DYN}, extensions=engine_extensions())
WHOLE = cel.NewEnv(variables={"x": cel.Type.DYN, "y": cel.Type.DYN}, extensions=engine_extensions())


def _engine_outcome(expression: str, data: dict[str, Any]) -> tuple[str, Any]:
    try:
        value = WHOLE.compile(expression).eval(data=data)
    except RuntimeError:
        return ("error", None)
    if value.type() == cel.Type.ERROR:
        return ("error", None)
    return ("value", value.plain_value())


@given(
    expression=EXPRESSION,
    x=st.dictionaries(KEYS, JSON, max_size=3),
    y=st.dictionaries(KEYS, JSON, max_size=3),
)
def test_projected_evaluation_matches_the_whole_object(expression: str, x: Any, y: Any) -> None:
    data = {"x": x, "y": y}
    expected = _engine_outcome(expression, data)
    try:
        got: tuple[str, Any] = ("value", ENV.compile(expression).evaluate(data))
    except EvaluationError:
        got = ("error", None)
    assert got == expected
