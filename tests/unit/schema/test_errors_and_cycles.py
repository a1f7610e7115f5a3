"""SchemaError formatting, suggestions, and the cycle and ordering helpers on their own."""

from __future__ import annotations

import pytest

from kro.schema import SchemaError, SchemaProblem, format_path
from kro.schema.cycles import dependency_order, find_cycles
from kro.schema.errors import did_you_mean


def test_format_path() -> None:
    assert format_path(("spec", "ports", 0, "name")) == "spec.ports[0].name"
    assert format_path(("additionalPrinterColumns", 2, "type")) == "additionalPrinterColumns[2].type"
    assert format_path(()) == ""


def test_single_problem_message() -> None:
    error = SchemaError([SchemaProblem(("spec", "a"), "bad")])
    assert str(error) == "spec.a: bad"
    assert error.problems == [SchemaProblem(("spec", "a"), "bad")]
    assert str(SchemaProblem((), "whole block")) == "whole block"


def test_error_needs_a_problem() -> None:
    with pytest.raises(ValueError, match="at least one problem"):
        SchemaError([])


def test_did_you_mean() -> None:
    assert did_you_mean("minlength", ["minLength", "maxLength"]) == " (did you mean 'minLength'?)"
    assert did_you_mean("requred", ["required", "default"]) == " (did you mean 'required'?)"
    assert did_you_mean("zzz", ["required"]) == ""


def test_find_cycles() -> None:
    deps = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}, "e": {"a"}, "f": set()}
    assert find_cycles(deps) == [["a", "b", "c", "a"], ["d", "d"]]
    assert find_cycles({"x": {"y"}, "y": set()}) == []


def test_find_cycles_on_long_chain_without_recursion() -> None:
    deps = {f"n{i}": {f"n{i + 1}"} for i in range(5000)}
    deps["n5000"] = {"n0"}
    [cycle] = find_cycles(deps)
    assert len(cycle) == 5002


def test_dependency_order() -> None:
    deps = {"app": {"port", "name"}, "port": {"name"}, "name": set(), "other": set()}
    order = dependency_order(deps)
    assert sorted(order) == sorted(deps)
    assert order.index("name") < order.index("port") < order.index("app")
    long_chain = {f"n{i}": ({f"n{i + 1}"} if i < 4999 else set()) for i in range(5000)}
    assert dependency_order(long_chain)[0] == "n4999"
