"""``go_canonical``: the spelling Go's ``resource.Quantity`` gives a quantity after parsing it.

The expected strings come from the expectations in apimachinery's ``pkg/api/resource/quantity_test.go``
(``TestQuantityParseEmit``, ``TestQuantityString``, ``TestParseQuantity``, ``TestJSONWhitespace``,
``TestQuantityParse``) and from what ``ParseQuantity(x).String()`` returns for the other cases.
"""

from __future__ import annotations

import json
from decimal import ROUND_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kro.api.quantity import NANO, QuantityError, go_canonical, go_canonical_value, parse_quantity

# TestQuantityParseEmit: parsed input -> String()
PARSE_EMIT = [
    ("1Ki", "1Ki"),
    ("1Mi", "1Mi"),
    ("1Gi", "1Gi"),
    ("1024Mi", "1Gi"),
    ("1000M", "1G"),
    (".001Ki", "1024m"),
    (".000001Ki", "1024u"),
    (".000000001Ki", "1024n"),
    (".000000000001Ki", "2n"),
]

# TestQuantityString: each alternate spelling parses back to the canonical one
STRING_ALTERNATES = [
    ("1024Mi", "1Gi"),
    ("307200Ki", "300Mi"),
    ("1025024Mi", "1001Gi"),
    ("1024Gi", "1Ti"),
    ("5000m", "5"),
    ("0.5", "500m"),
    ("1000M", "1G"),
    ("0.001T", "1G"),
    ("1000u", "1m"),
    ("1.08", "1080m"),
    ("1080000000n", "1080m"),
    (".001e12", "1e9"),
    ("0.001e0", "1e-3"),
    ("1000e-12", "1e-9"),
    ("00", "0"),
]

# TestQuantityString: a canonical spelling is kept exactly as written
STRING_CANONICAL = [
    "1Gi", "300Mi", "6Ki", "1001Gi", "1Ti", "5", "500m", "1G", "1m", "80m", "1080m", "300M", "1T",
    "1234567M", "1234567m", "3k", "1025", "0", "1e9", "1e-3", "1e-9", "80e-3", "300e6", "1e12", "1e3",
    "3e3", "1n", "80n", "1080n", "1u", "80u", "1080u",
]  # fmt: skip

# TestParseQuantity: input -> String() (the input itself where the test gives no canonical form)
PARSE_QUANTITY = [
    ("-999999999999999999", "-999999999999999999"),
    ("999999999999999999.0", "999999999999999999"),
    ("-999999999999999999.1", "-999999999999999999100m"),
    ("9999999999999999999", "9999999999999999999"),
    ("-1E", "-1E"),
    ("1000000000000000000", "1E"),
    ("-1.0E", "-1E"),
    ("9999999999999999999000m", "9999999999999999999"),
    ("1.0000000000000000001E", "1000000000000000000100m"),
    ("-1.000000000000000001E", "-1000000000000000001"),
    ("10E", "10E"),
    ("-10000000000000000000", "-10E"),
    ("10000000000000000000000m", "10E"),
    ("-10.0000000000000000001E", "-10000000000000000000100m"),
    ("9223372036854775807", "9223372036854775807"),
    ("-9223372036854775808000m", "-9223372036854775808"),
    ("9223372036854775808.1", "9223372036854775808100m"),
]

# TestQuantityParse: the expected amount and format, written out by String()
PARSE_AMOUNTS = [
    ("0n", "0"),
    ("0Ti", "0"),
    ("50k", "50k"),
    ("100.035k", "100.035k"),  # already canonical to Go's parser, so kept as written
    ("10.035M", "10.035M"),  # kept as written
    ("10.0350M", "10035k"),
    ("1.2e3", "1200"),
    ("1.3E+6", "1300e3"),
    ("1.53E12", "1530e9"),
    ("0.0005k", "500m"),
    ("0.5e-1", "50e-3"),
    ("3.001n", "4n"),
    ("1.1E-9", "2e-9"),
    ("0.0000000001", "1n"),
    ("0.00000012345", "124n"),
    ("9Ei", "9223372036854775807"),
    ("9223372036854775807Ki", "9223372036854775807"),
    ("0.5Mi", "512Ki"),
    ("0.05Gi", "53687091200m"),
    ("0.025Ti", "27487790694400m"),
    ("100.035Ki", "102435840m"),
    ("0.000000000001Ki", "2n"),
    (".0001k", "100m"),
    ("1.", "1."),  # kept as written
    ("1.00", "1"),
    ("1.G", "1.G"),  # kept as written: Go's parser takes it for canonical
]

# The cases named in the brief, and Go's quirks
OTHER = [
    ("0.5Gi", "512Mi"),
    ("2000Mi", "2000Mi"),
    ("1.1Mi", "1153433600m"),
    ("1536Ki", "1536Ki"),
    ("1.5Gi", "1536Mi"),
    ("-1.5Gi", "-1536Mi"),
    ("1023Ki", "1023Ki"),
    ("1023.5Ki", "1048064"),
    ("2048Ki", "2Mi"),
    ("-1024Ki", "-1Mi"),
    ("-1024", "-1024"),
    ("0.1", "100m"),
    ("1000m", "1"),
    ("1500", "1500"),
    ("1500m", "1500m"),
    ("1.5", "1500m"),
    ("5000000k", "5G"),
    ("1e3", "1e3"),
    ("12e6", "12e6"),
    ("12000e3", "12e6"),
    ("1.5e1", "1.5e1"),
    ("1.50e1", "15"),
    ("1e-07", "100e-9"),
    ("0", "0"),
    ("0Mi", "0"),
    ("0.0", "0"),
    ("-0", "0"),
    ("-0.0Ki", "0"),
    (".", "0"),
    ("1e-1000", "1e-9"),
    ("0.1n", "1n"),
    ("-0.1n", "-1n"),
    ("1.0", "1"),
    ("1.500", "1.500"),
    ("1.234", "1.234"),
    ("+1", "+1"),
    ("+1.5", "1500m"),
    ("+1000", "1k"),
    ("01", "01"),
    ("+1Ki", "+1Ki"),
    ("1.Ki", "1.Ki"),
    ("1E3", "1E3"),
    ("1e+3", "1e+3"),
    ("1e0", "1e0"),
    ("8Ei", "9223372036854775807"),
    ("-9Ei", "-9223372036854775807"),
    ("12000P", "12E"),
    ("1001E", "1001E"),
    # Go writes no decimal-SI suffix past E: a multiple of 10^21 loses its power of ten
    ("1000E", "1"),
    ("1000000000000000000000", "1"),
    ("1001000E", "1001"),
    ("1e21", "1e21"),
]

TABLE = PARSE_EMIT + [("-" + a, "-" + b) for a, b in PARSE_EMIT] + STRING_ALTERNATES
TABLE += [(s, s) for s in STRING_CANONICAL] + PARSE_QUANTITY + PARSE_AMOUNTS + OTHER


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_go_canonical(text: str, expected: str) -> None:
    assert go_canonical(text) == expected


def test_table_size() -> None:
    assert len({text for text, _ in TABLE}) >= 40


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1.1.M",
        "1+1.0M",
        "0.1mi",
        "0.1am",
        "aoeu",
        ".5i",
        "1i",
        "-3.01i",
        "-3.01e-",
        " 1",
        "1 ",
        "1e",
        "1Kii",
    ],
)
def test_not_a_quantity(text: str) -> None:
    with pytest.raises(ValueError, match="invalid quantity"):
        go_canonical(text)


@pytest.mark.parametrize("text", [".Pi", "-.Ei", "Pi", ".e-12", "e-12"])
def test_no_digits_where_go_parses_big_decimals(text: str) -> None:
    parse_quantity(text)  # zero to the lenient parser
    with pytest.raises(ValueError, match="unable to parse numeric part of quantity"):
        go_canonical(text)


@pytest.mark.parametrize("text", [".", "-", "Ki", "e3", "m"])
def test_no_digits_on_the_int64_path_is_zero(text: str) -> None:
    assert go_canonical(text) == "0"


def test_error_is_a_library_error() -> None:
    with pytest.raises(QuantityError, match="'aoeu'"):
        go_canonical("aoeu")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, "1"),
        (10, "10"),
        (-1, "-1"),
        (0, "0"),
        (1000, "1k"),
        (1024, "1024"),
        (0.5, "500m"),
        (1.0, "1"),
        (1.5, "1500m"),
        (0.1, "100m"),
        (-0.0, "0"),
        (1000.0, "1k"),
        (1.234, "1.234"),
        (1e16, "10e15"),
        (1e-05, "10e-6"),
        (5e-324, "1e-9"),
        (123456789012345680.0, "123456789012345680"),
        (10**21, "1"),
        (" 1", "1"),
        ("1 ", "1"),
        ("1e3", "1e3"),
        ("1024Mi", "1Gi"),
        ("0.1", "100m"),
    ],
)
def test_go_canonical_value(value: int | float | str, expected: str) -> None:
    assert go_canonical_value(value) == expected


@pytest.mark.parametrize("value", [True, False, float("nan"), float("inf"), float("-inf"), "aoeu", "", "1 1"])
def test_go_canonical_value_refuses(value: int | float | str) -> None:
    with pytest.raises(ValueError, match="invalid quantity"):
        go_canonical_value(value)


# --- properties -----------------------------------------------------------------------------------

DIGITS = st.text("0123456789", max_size=22)
SUFFIXES = st.one_of(
    st.sampled_from(["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]),
    st.builds(
        lambda e, sign, n: f"{e}{sign}{n}",
        st.sampled_from("eE"),
        st.sampled_from(["", "+", "-"]),
        st.integers(0, 40),
    ),
)


@st.composite
def quantities(draw: st.DrawFn) -> str:
    sign = draw(st.sampled_from(["", "", "+", "-"]))
    number = draw(DIGITS)
    if draw(st.booleans()):
        number += "." + draw(st.text("0123456789", max_size=14))
    text = sign + number + draw(SUFFIXES)
    return text or "0"


def _numeric_part(text: str) -> str:
    end = 0
    while end < len(text) and text[end] in "+-.0123456789":
        end += 1
    return text[:end]


@given(quantities())
def test_canonical_keeps_the_amount_and_is_stable(text: str) -> None:
    amount = parse_quantity(text)
    try:
        canonical = go_canonical(text)
    except QuantityError:
        # Go's big-decimal parser needs a digit; only then does it refuse what parse_quantity takes
        assert not any(ch.isdigit() for ch in _numeric_part(text))
        assert amount.nanos == 0
        return
    assert go_canonical(canonical) == canonical
    written = parse_quantity(canonical)
    suffix = text[len(_numeric_part(text)) :]
    if (
        suffix in ("", "n", "u", "m", "k", "M", "G", "T", "P", "E")
        and amount.nanos
        and amount.nanos % 10**30 == 0
    ):
        # a decimal-SI multiple of 10^21: Go drops the power of ten, and only that
        ratio = amount.nanos // written.nanos
        assert amount.nanos == ratio * written.nanos
        assert ratio >= 10**21 and str(ratio).rstrip("0") == "1"
    else:
        assert written == amount


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e20, max_value=1e20))
def test_float_value_is_the_json_number_rounded_up_to_nano(value: float) -> None:
    exact = Decimal(json.dumps(value)) * NANO
    expected = int(exact.to_integral_value(rounding=ROUND_UP))
    canonical = go_canonical_value(value)
    assert parse_quantity(canonical).nanos == expected
    assert go_canonical(canonical) == canonical
