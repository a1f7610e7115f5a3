"""A plain field selection (``schema.spec.name``) reads a scalar without the engine: for any data,
on untyped variables and on variables typed by a real schema, the outcome (value, or error and
its message) must be the engine's own."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kro.cel import DYN, CELEnvironment, CELError, engine_extensions
from kro.cel.expression import CheckedExpression
from tests.unit.runtime.redis import redis_graph

KEYS = st.sampled_from(["a", "b", "c"])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**65), 2**65)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=4)
    | st.sampled_from(["x", "ascii text", "é", "\ud800"])
)
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=2) | st.dictionaries(KEYS, inner, max_size=3), max_leaves=10
)
CHAIN = st.lists(KEYS, min_size=1, max_size=3).map(".".join)
ENV = CELEnvironment({"x": DYN}, extensions=engine_extensions())


def _outcome(evaluate: Any, data: dict[str, Any]) -> tuple[str, Any]:
    try:
        value = evaluate(data)
    except CELError as e:
        return (type(e).__name__, (e.message, getattr(e, "pending", None)))
    return ("value", (type(value), repr(value)))  # repr: NaN equals itself


def _same(expression: CheckedExpression, data: dict[str, Any]) -> None:
    assert _outcome(expression.evaluate, data) == _outcome(expression.evaluate_with_engine, data)


@settings(max_examples=300)
@given(chain=CHAIN, x=st.dictionaries(KEYS, JSON, max_size=3))
def test_untyped_selection_matches_the_engine(chain: str, x: Any) -> None:
    expression = ENV.compile(f"x.{chain}")
    assert expression._selection is not None
    _same(expression, {"x": x})


GRAPH = redis_graph()
TYPED = sorted(
    {f.expression for n in GRAPH.nodes.values() for f in n.fields if f.expression._selection is not None}
    | {f.expression for f in GRAPH.status_fields if f.expression._selection is not None},
    key=lambda e: e.source,
)


def _at(path: tuple[str, ...], leaf: Any, noise: dict[str, Any]) -> dict[str, Any]:
    value: Any = leaf
    for name in reversed(path[1:]):
        value = {**noise, name: value}
    return {path[0]: value}


@settings(max_examples=300)
@given(
    index=st.integers(0, len(TYPED) - 1),
    leaf=JSON,
    noise=st.dictionaries(KEYS, JSON, max_size=2),
    cut=st.integers(0, 3),
)
def test_schema_typed_selection_matches_the_engine(index: int, leaf: Any, noise: Any, cut: int) -> None:
    expression = TYPED[index]
    path = expression._selection
    assert path is not None
    _same(expression, _at(path, leaf, noise))
    _same(expression, _at(path[: max(1, len(path) - cut)], leaf, noise))  # a field missing on the way


def test_the_redis_selections_take_the_shortcut() -> None:
    assert {e.source for e in TYPED} >= {"schema.metadata.name", "schema.spec.replicas", "config.metadata.name"}
    assert ENV.compile("has(x.a)")._selection is None
    assert ENV.compile("x.?a.orValue(1)")._selection is None
    assert ENV.compile("x.a + 1")._selection is None
