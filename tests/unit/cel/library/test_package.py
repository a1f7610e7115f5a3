"""The package's entry points: what extensions() offers and how it composes with environments."""

from __future__ import annotations

import time
from typing import Any

import pytest
from cel_expr_python import cel
from google.protobuf import descriptor_pool

from kro.cel.library import extensions, function_names, native_value, register_types
from tests.unit.cel.library.conftest import Evaluate


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("'Hello'.lowerAscii() + ['a', 'b'].join(',')", "helloa,b"),
        ("base64.encode(b'hi')", "aGk="),
        ("cel.bind(v, 2, v * v)", 4),
        ("optional.of(1).orValue(2)", 1),
        ("{'a': 1}[?'b'].orValue(0)", 0),
    ],
)
def test_engine_extensions_are_included(evaluate: Evaluate, expression: str, expected: Any) -> None:
    assert evaluate(expression) == expected


def test_math_extension_is_not_registered(engine: Any) -> None:
    with pytest.raises(RuntimeError, match="undeclared reference to 'math'"):
        engine.compile("math.greatest(1, 2)")


def test_function_names_lists_python_backed_functions() -> None:
    names = function_names()
    for name in (
        "lists.setAtIndex",
        "cel.@mapInsert",
        "sets.contains",
        "find",
        "url",
        "quantity",
        "cidr",
        "semver",
        "random.seededString",
        "json.marshal",
        "hash.fnv64a",
        "merge",
        "runtime.newCondition",
    ):
        assert name in names
    assert "size" not in names and "matches" not in names
    assert "lists.range" not in names and "sortBy" not in names  # the engine's own lists extension


def test_custom_descriptor_pool_needs_the_library_types() -> None:
    pool = descriptor_pool.DescriptorPool()
    with pytest.raises(RuntimeError, match="not found in descriptor pool"):
        cel.NewEnv(pool, extensions=extensions()).compile("1 + 1")
    register_types(pool)
    register_types(pool)  # idempotent
    env = cel.NewEnv(pool, extensions=extensions())
    result = env.compile("quantity('2Gi').isGreaterThan(quantity('1Gi'))").eval()
    assert result.value() is True


def test_native_value_leaves_plain_values_alone() -> None:
    assert native_value({"a": 1}) == {"a": 1}
    assert native_value("x") == "x"


def test_the_whole_library_can_be_built_repeatedly_and_quickly() -> None:
    start = time.perf_counter()
    for _ in range(10):
        cel.NewEnv(extensions=extensions())
    assert time.perf_counter() - start < 2.0
