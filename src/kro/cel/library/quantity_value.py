"""Kubernetes resource quantities: parsing and canonical form, as ``resource.ParseQuantity`` does.

Grammar (Kubernetes ``k8s.io/apimachinery/pkg/api/resource``)::

    quantity        ::= signedNumber suffix
    suffix          ::= binarySI | decimalExponent | decimalSI
    binarySI        ::= Ki | Mi | Gi | Ti | Pi | Ei
    decimalSI       ::= n | u | m | "" | k | M | G | T | P | E
    decimalExponent ::= "e" signedNumber | "E" signedNumber
    signedNumber    ::= [+-] number;  number ::= digits | digits.digits | digits. | .digits

Values are exact.  As in Kubernetes, a value finer than 1n is rounded away from zero to the next
nano, and a binary-suffixed value is capped at 2^63-1.  Unlike Kubernetes, an exponent beyond
±1000 or a number of more than 1000 digits is refused, to bound the work a single string can cause.
"""

from __future__ import annotations

from dataclasses import dataclass

from kro.cel.library.errors import LibraryError

NANO = 10**9
ERR_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
ERR_NUMERIC = "unable to parse numeric part of quantity"
ERR_SUFFIX = "unable to parse quantity's suffix"

_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_SUFFIX_FOR_EXPONENT = {exponent: suffix for suffix, exponent in _DECIMAL_SUFFIXES.items()}
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_SUFFIX_LETTERS = frozenset("eEinumkKMGTP")
_DIGITS = frozenset("0123456789")
_MAX_BINARY = (2**63 - 1) * NANO
_MAX_EXPONENT = 1000
_MAX_DIGITS = 1000


@dataclass(frozen=True, order=True)
class QuantityValue:
    """An exact quantity, counted in nano-units (``1`` is ``QuantityValue(10**9)``)."""

    nanos: int

    def canonical(self) -> str:
        """The shortest decimal-SI spelling: mantissa times a power of 1000 (``1500m``, ``2k``)."""
        if self.nanos == 0:
            return "0"
        mantissa, exponent = abs(self.nanos), -9
        while mantissa >= 10 and mantissa % 10 == 0:
            mantissa //= 10
            exponent += 1
        remainder = exponent % 3
        mantissa *= 10**remainder
        exponent -= remainder
        sign = "-" if self.nanos < 0 else ""
        suffix = _SUFFIX_FOR_EXPONENT.get(exponent, f"e{exponent}")
        return f"{sign}{mantissa}{suffix}"

    def is_integer(self) -> bool:
        """Whether the value is a whole number that fits CEL's int."""
        return self.nanos % NANO == 0 and -(2**63) <= self.nanos // NANO < 2**63

    def sign(self) -> int:
        """-1, 0 or 1."""
        return (self.nanos > 0) - (self.nanos < 0)


def _scan_digits(text: str, position: int) -> int:
    while position < len(text) and text[position] in _DIGITS:
        position += 1
    return position


def _split(text: str) -> tuple[bool, str, str, str]:
    """Split into (positive, integer digits, fraction digits, suffix), as Kubernetes scans."""
    position, positive = 0, True
    if text[:1] in ("+", "-"):
        positive, position = text[0] == "+", 1
    while position < len(text) and text[position] == "0":
        position += 1
    if position >= len(text):
        return positive, "0", "", ""
    end = _scan_digits(text, position)
    integer, fraction, position = text[position:end] or "0", "", end
    if position < len(text) and text[position] == ".":
        end = _scan_digits(text, position + 1)
        fraction, position = text[position + 1 : end], end
    suffix_start = position
    while position < len(text) and text[position] in _SUFFIX_LETTERS:
        position += 1
    if position < len(text) and text[position] in ("+", "-"):
        position += 1
    if _scan_digits(text, position) != len(text):
        raise LibraryError(ERR_FORMAT)
    return positive, integer, fraction, text[suffix_start:]


def _suffix_exponent(suffix: str) -> tuple[int, int]:
    """The suffix as (power of two, power of ten) that it multiplies the number by."""
    if suffix in _DECIMAL_SUFFIXES:
        return 0, _DECIMAL_SUFFIXES[suffix]
    if suffix in _BINARY_SUFFIXES:
        return _BINARY_SUFFIXES[suffix], 0
    exponent_text = suffix[1:]
    digits = exponent_text[1:] if exponent_text[:1] in ("+", "-") else exponent_text
    if suffix[:1] in ("e", "E") and digits and all(ch in _DIGITS for ch in digits):
        exponent = int(exponent_text)
        if abs(exponent) > _MAX_EXPONENT:
            raise LibraryError(f"quantity exponent {exponent} is out of the supported range")
        return 0, exponent
    raise LibraryError(ERR_SUFFIX)


def parse_quantity(text: str) -> QuantityValue:
    """Parse a Kubernetes quantity string, or raise :class:`LibraryError` with Kubernetes' reason."""
    if not text:
        raise LibraryError(ERR_FORMAT)
    positive, integer, fraction, suffix = _split(text)
    if len(integer) + len(fraction) > _MAX_DIGITS:
        raise LibraryError(f"quantity has more than {_MAX_DIGITS} digits")
    power_of_two, power_of_ten = _suffix_exponent(suffix)
    numerator, denominator = int(integer + fraction) << power_of_two, 1
    scale = power_of_ten + 9 - len(fraction)
    if scale >= 0:
        numerator *= 10**scale
    else:
        denominator = 10**-scale
    nanos = -(-numerator // denominator)  # rounds away from zero: the amount is not negative
    if power_of_two:
        nanos = min(nanos, _MAX_BINARY)
    return QuantityValue(nanos if positive else -nanos)


def is_quantity(text: str) -> bool:
    """Whether ``text`` is a valid quantity."""
    try:
        parse_quantity(text)
    except LibraryError:
        return False
    return True
