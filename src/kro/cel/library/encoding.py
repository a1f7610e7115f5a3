"""kro's JSON functions, producing the same text as upstream kro (Go's ``encoding/json``).

- ``json.marshal(v) -> string``: compact JSON with map keys sorted; ``<``, ``>``, ``&``, U+2028
  and U+2029 escaped as ``\\u003c`` and so on; doubles in Go's shortest form (``3.0`` is ``3``,
  ``1e21`` stays exponential); bytes as base64; timestamps as RFC 3339 strings; library messages
  (quantities, conditions, ...) as their plain form.  An error for NaN, infinities, durations and
  maps with non-string keys.
- ``json.unmarshal(s) -> dyn``: parses JSON; numbers become doubles, as Go's decoder makes them.
  An error for invalid JSON (``NaN`` and ``Infinity`` are invalid).
"""

from __future__ import annotations

import base64
import datetime
import json
import math
from decimal import Decimal
from typing import Any

from kro.cel.library.declarations import Function, Type, function, global_overload
from kro.cel.library.errors import ArgumentTypeError, LibraryError
from kro.cel.library.messages import native_value, type_name_of
from kro.cel.library.values import type_name

_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def go_float(value: float) -> str:
    """Format a double as Go's ``encoding/json`` does."""
    if math.isnan(value) or math.isinf(value):
        raise LibraryError(f"json.marshal failed to encode value: unsupported value: {value}")
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = repr(value)
        mantissa, _, exponent = text.partition("e")
        sign, digits = exponent[0], exponent[1:].lstrip("0") or "0"
        return f"{mantissa}e{sign}{digits.zfill(2) if sign == '+' else digits}"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    return format(Decimal(repr(value)), "f").removesuffix(".0")


def _string(value: str) -> str:
    encoded = json.dumps(value, ensure_ascii=False)
    return "".join(_HTML_ESCAPES.get(ch, ch) for ch in encoded)


def _timestamp(value: datetime.datetime) -> str:
    utc = value.astimezone(datetime.UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}".rstrip("0")
    return text + "Z"


def marshal(value: Any) -> str:
    """Encode a CEL value as Go's ``json.Marshal`` would encode its native form."""
    if type_name_of(value) is not None:
        value = native_value(value)
        if type_name_of(value) is not None:
            raise ArgumentTypeError(
                f"json.marshal failed to convert value: unsupported type {type_name(value)}"
            )
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, bytes | bytearray):
        return '"' + base64.b64encode(bytes(value)).decode() + '"'
    if isinstance(value, datetime.datetime):
        return '"' + _timestamp(value) + '"'
    if isinstance(value, list):
        return "[" + ",".join(marshal(item) for item in value) + "]"
    if isinstance(value, dict):
        if any(not isinstance(key, str) for key in value):
            raise ArgumentTypeError("json.marshal failed to convert value: map keys must be strings")
        return "{" + ",".join(_string(k) + ":" + marshal(value[k]) for k in sorted(value)) + "}"
    raise ArgumentTypeError(f"json.marshal failed to convert value: unsupported type {type_name(value)}")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid literal {name}")


def _number(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number {text[:40]} is out of the range of a double")
    return value


def unmarshal(text: str) -> Any:
    """Decode JSON text as Go's ``json.Unmarshal`` into ``any`` would (numbers are doubles)."""
    try:
        return json.loads(text, parse_int=_number, parse_float=_number, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as e:
        raise LibraryError(f"json.unmarshal failed to parse JSON: {e}") from None


def declarations() -> list[Function]:
    """The JSON functions' declarations."""
    return [
        function(
            "json.unmarshal", global_overload("json.unmarshal_string", [Type.STRING], Type.DYN, unmarshal)
        ),
        function("json.marshal", global_overload("json.marshal_dyn", [Type.DYN], Type.STRING, marshal)),
    ]
