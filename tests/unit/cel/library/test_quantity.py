"""Kubernetes quantities: parsing, canonical values, arithmetic, comparison and errors."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kro.api.quantity import parse_quantity
from tests.unit.cel.library.conftest import EvalError, Evaluate


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("1Gi", "1073741824"),
        ("1024Mi", "1073741824"),
        ("1.5", "1500m"),
        ("0.5", "500m"),
        ("1500", "1500"),
        ("2000", "2k"),
        ("1e3", "1k"),
        ("1E3", "1k"),
        ("1E", "1E"),
        ("100m", "100m"),
        ("12n", "12n"),
        ("1e-10", "1n"),
        ("-1e-10", "-1n"),
        ("8Ei", "9223372036854775807"),
        (".5", "500m"),
        ("1.", "1"),
        ("+3k", "3k"),
        ("-0.25Ki", "-256"),
        ("0.1Ki", "102400m"),
        ("1000E", "1e21"),
        ("0", "0"),
        ("00", "0"),
    ],
)
def test_quantity_value(evaluate: Evaluate, text: str, canonical: str) -> None:
    assert evaluate("quantity(s)", s=text) == canonical
    assert parse_quantity(canonical) == parse_quantity(text), "the canonical form must mean the same value"


CASES: list[tuple[str, Any]] = [
    ("quantity('1Gi') == quantity('1024Mi')", True),
    ("quantity('1') == quantity('1000m')", True),
    ("quantity('1') == quantity('2')", False),
    ("quantity('1Gi').add(quantity('1Gi')).asInteger()", 2 * 1024**3),
    ("quantity('1').add(1).asInteger()", 2),
    ("quantity('500m').add(quantity('500m')).isInteger()", True),
    ("quantity('1').sub(quantity('1500m'))", "-500m"),
    ("quantity('10').sub(3).asInteger()", 7),
    ("quantity('1.5').isInteger()", False),
    ("quantity('1.5').asApproximateFloat()", 1.5),
    ("quantity('1Ki').asApproximateFloat()", 1024.0),
    ("quantity('-5m').sign()", -1),
    ("quantity('0').sign()", 0),
    ("quantity('5m').sign()", 1),
    ("quantity('1Mi').compareTo(quantity('1M'))", 1),
    ("quantity('1M').compareTo(quantity('1Mi'))", -1),
    ("quantity('1k').compareTo(quantity('1000'))", 0),
    ("quantity('2Gi').isGreaterThan(quantity('1Gi'))", True),
    ("quantity('2Gi').isLessThan(quantity('1Gi'))", False),
    ("quantity('100m').isLessThan(quantity('1'))", True),
    ("isQuantity('1.5Gi')", True),
    ("isQuantity('1Ki5')", False),
    ("isQuantity('')", False),
    ("isQuantity('1 Gi')", False),
    ("isQuantity('1e')", False),
    ("isQuantity('abc')", False),
    ("isQuantity('1e99999')", False),
]


@pytest.mark.parametrize(("expression", "expected"), CASES)
def test_quantity_function(evaluate: Evaluate, expression: str, expected: Any) -> None:
    assert evaluate(expression) == expected


def test_quantity_from_plain_data(evaluate: Evaluate) -> None:
    spec = {"memory": "512Mi", "limit": "1Gi"}
    assert evaluate("quantity(x.memory).isLessThan(quantity(x.limit))", x=spec) is True
    assert evaluate("quantity(x.memory).add(quantity(x.memory)) == quantity(x.limit)", x=spec) is True


ERRORS: list[tuple[str, str]] = [
    ("quantity('abc')", r"quantity\('abc'\): quantities must match the regular expression"),
    ("quantity('')", r"quantities must match the regular expression"),
    ("quantity('1Ki5')", r"quantity\('1Ki5'\): unable to parse quantity's suffix"),
    ("quantity('1e+')", r"unable to parse quantity's suffix"),
    ("quantity('1e5000')", r"quantity exponent 5000 is out of the supported range"),
    ("quantity('1.5').asInteger()", r"asInteger: quantity 1500m is not an integer"),
    ("quantity('10E').asInteger()", r"is not an integer in the int range"),
    (
        "quantity('1').compareTo(semver('1.0.0'))",
        r"compareTo: expected two quantities or two semantic versions",
    ),
    (
        "quantity('1').isGreaterThan(1)",
        r"isGreaterThan: expected two quantities .* got kro.cel.Quantity and int",
    ),
]


@pytest.mark.parametrize(("expression", "message"), ERRORS)
def test_quantity_errors(evaluate: Evaluate, expression: str, message: str) -> None:
    with pytest.raises(EvalError, match=message):
        evaluate(expression)


def test_quantity_methods_are_typed(engine: Any) -> None:
    with pytest.raises(RuntimeError, match="found no matching overload for 'sign'"):
        engine.compile("'1Gi'.sign()")
    with pytest.raises(RuntimeError, match="found no matching overload for 'add'"):
        engine.compile("quantity('1').add('1')")


NUMBERS = st.from_regex(r"\A[+-]?([0-9]{1,12}(\.[0-9]{0,10})?|\.[0-9]{1,10})\Z")
SUFFIXES = st.sampled_from(
    ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "e3", "E-2", "e+7"]
)


@given(number=NUMBERS, suffix=SUFFIXES)
def test_canonical_form_round_trips(number: str, suffix: str) -> None:
    value = parse_quantity(number + suffix)
    assert parse_quantity(value.canonical()) == value
    assert parse_quantity(value.canonical()).canonical() == value.canonical()


@given(a=st.integers(-(10**6), 10**6), b=st.integers(-(10**6), 10**6))
def test_arithmetic_and_order_agree_with_integers(evaluate: Evaluate, a: int, b: int) -> None:
    assert evaluate("quantity(s).add(n).asInteger()", s=str(a), n=b) == a + b
    assert evaluate("quantity(s).sub(n).asInteger()", s=str(a), n=b) == a - b
    expected = (a > b) - (a < b)
    assert evaluate("quantity(s).compareTo(quantity(string(n)))", s=str(a), n=b) == expected
