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

import math
from dataclasses import dataclass


class QuantityError(ValueError):
    """Text that is not a Kubernetes quantity; the message is Kubernetes' reason."""


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
        raise QuantityError(ERR_FORMAT)
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
            raise QuantityError(f"quantity exponent {exponent} is out of the supported range")
        return 0, exponent
    raise QuantityError(ERR_SUFFIX)


def parse_quantity(text: str) -> QuantityValue:
    """Parse a Kubernetes quantity string, or raise :class:`QuantityError` with Kubernetes' reason."""
    if not text:
        raise QuantityError(ERR_FORMAT)
    positive, integer, fraction, suffix = _split(text)
    if len(integer) + len(fraction) > _MAX_DIGITS:
        raise QuantityError(f"quantity has more than {_MAX_DIGITS} digits")
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
    except QuantityError:
        return False
    return True


# --- The spelling Go's resource.Quantity writes back (kube-apiserver's stored and returned form) ---

_BINARY_SUFFIX_FOR_POWER = {exponent // 10: suffix for suffix, exponent in _BINARY_SUFFIXES.items()}
_GO_INT64_DIGITS = 18  # the most digits Go's parser converts through int64 before using big decimals
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
)


def go_canonical(text: str) -> str:
    """The string Go's ``resource.ParseQuantity(text).String()`` gives: how kube-apiserver stores and
    returns a quantity of a built-in type (``0.1`` is ``100m``, ``1024Mi`` is ``1Gi``).

    The format follows the suffix that was written: binary SI, decimal SI or a decimal exponent.  A
    binary quantity is written with the largest binary suffix that keeps the number whole, or in
    decimal SI when it is not whole or lies strictly between -1024 and 1024.  Decimal SI and exponent
    forms are a whole mantissa times a power of ten that is a multiple of three.  The amount is that of
    :func:`parse_quantity` (finer than 1n rounds away from zero; binary capped at 2^63-1).

    Go's quirks are kept, because the point is to match what the server hands back:

    * Go keeps the text exactly as written when its parser finds it "already canonical": a whole
      number of at most 18 digits (ignoring leading zeros) whose decimal scale is a multiple of three,
      not ending in ``000`` nor starting with ``0``, or a binary number written without fraction whose
      integer part is not a multiple of 8 (small enough for Go's int64 shortcut).  So ``+1``, ``01``,
      ``1.G``, ``1E3``, ``1.234`` and ``+1Ki`` come back unchanged.
    * Decimal SI has no suffix past ``E``: a decimal-SI amount that is a multiple of 10^21 comes back
      as its mantissa alone (``1000E`` gives ``1``), silently losing the power of ten.

    Raises :class:`QuantityError` (a ``ValueError``) for text that is not a
    quantity, and also for the few texts :func:`parse_quantity` takes but Go refuses: a number with no
    digit at all (``.``, ``-``, empty) before a suffix that sends Go to its big-decimal parser
    (``.Pi``, ``Ei``, ``.e-12``).
    """
    try:
        amount = parse_quantity(text)
        _, integer, fraction, suffix = _split(text)
        power_of_two, power_of_ten = _suffix_exponent(suffix)
    except QuantityError as error:
        raise QuantityError(f"invalid quantity {text!r}: {error}") from None
    binary = suffix in _BINARY_SUFFIXES
    exponent_form = not binary and suffix not in _DECIMAL_SUFFIXES
    digits = integer + fraction
    if binary:
        fast = not fraction and len(integer) + power_of_two * 3 // 10 + 1 <= 15
        kept = fast and int(integer) % 8 != 0
    else:
        scale = power_of_ten - len(fraction)
        fast = len(digits) <= _GO_INT64_DIGITS and scale >= -9
        kept = fast and scale % 3 == 0 and not digits.endswith("000") and not digits.startswith("0")
    if kept:
        return text
    if not fast and not any(ch in _DIGITS for ch in text[: len(text) - len(suffix)]):
        raise QuantityError(f"invalid quantity {text!r}: {ERR_NUMERIC}")
    return _go_spelling(amount.nanos, binary=binary, exponent_form=exponent_form)


def _go_spelling(nanos: int, *, binary: bool, exponent_form: bool) -> str:
    """Go's canonical form of an amount in a format, as written when no text is kept."""
    if nanos == 0:
        return "0"
    sign = "-" if nanos < 0 else ""
    magnitude = abs(nanos)
    if binary and magnitude >= 1024 * NANO and magnitude % NANO == 0:
        units, power = magnitude // NANO, 0
        while units % 1024 == 0:
            units //= 1024
            power += 1
        return f"{sign}{units}{_BINARY_SUFFIX_FOR_POWER.get(power, '')}"
    mantissa, exponent = magnitude, -9
    while mantissa % 10 == 0:
        mantissa //= 10
        exponent += 1
    mantissa *= 10 ** (exponent % 3)
    exponent -= exponent % 3
    if exponent_form:
        suffix = f"e{exponent}" if exponent else ""
    else:
        suffix = _SUFFIX_FOR_EXPONENT.get(exponent, "")  # Go writes no suffix past E (10^18)
    return f"{sign}{mantissa}{suffix}"


def go_canonical_value(value: int | float | str) -> str:
    """What kube-apiserver stores for a JSON value given where a quantity goes.

    Go's ``Quantity.UnmarshalJSON`` parses the JSON text of a number (``cpu: 1``, ``cpu: 0.5``) as a
    quantity, and the content of a string after trimming white space, then writes the result back
    as a string: ``1`` gives ``"1"``, ``0.5`` gives ``"500m"``.  An int is spelt as JSON spells it; a
    float as Python's :func:`json.dumps` spells it (``repr``), since Go keeps some spellings verbatim
    (``1.234`` stays ``"1.234"``); pass the number's JSON text as a str when its original spelling
    matters (``"1e3"`` stays ``"1e3"`` where the float ``1000.0`` gives ``"1k"``).  A str is trimmed
    as Go trims it and passed to :func:`go_canonical`.  Raises ``ValueError`` (a
    :class:`~kro.cel.library.errors.QuantityError`) for a bool, a non-finite float, or text that is not
    a quantity.
    """
    if isinstance(value, bool):
        raise QuantityError(f"invalid quantity {value!r}: a boolean is not a number")
    if isinstance(value, int):
        return go_canonical(str(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise QuantityError(f"invalid quantity {value!r}: not a finite number")
        return go_canonical(repr(value))
    if isinstance(value, str):
        return go_canonical(value.strip(_GO_SPACE))
    raise QuantityError(f"invalid quantity {value!r}: expected a number or a string")
