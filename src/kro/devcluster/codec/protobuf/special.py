"""Messages whose Go types marshal to JSON by hand: times, durations, quantities, int-or-string,
embedded raw JSON and the CRD schema unions. Each has a decoder (wire fields to the JSON value) and
an encoder (the JSON value back to the message's bytes)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kro.devcluster import jsoncodec
from kro.devcluster.codec.protobuf.wire import VARINT, Writer, read_fields, signed

META = "k8s.io.apimachinery.pkg.apis.meta.v1."
EXT = "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1."
TIME = META + "Time"
MICRO_TIME = META + "MicroTime"
DURATION = META + "Duration"
FIELDS_V1 = META + "FieldsV1"
RAW_EXTENSION = "k8s.io.apimachinery.pkg.runtime.RawExtension"
INT_OR_STRING = "k8s.io.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "k8s.io.apimachinery.pkg.api.resource.Quantity"
EXT_JSON = EXT + "JSON"
SCHEMA = EXT + "JSONSchemaProps"
OR_ARRAY = EXT + "JSONSchemaPropsOrArray"
OR_BOOL = EXT + "JSONSchemaPropsOrBool"
OR_STRING_ARRAY = EXT + "JSONSchemaPropsOrStringArray"

# message decoder(data, decode_message) -> JSON value
SubDecoder = Callable[[bytes, str], Any]
SubEncoder = Callable[[Any, str], bytes]


class SpecialError(ValueError):
    """A JSON value that does not fit its hand-marshalled type (an unparseable time, ...)."""


def _ints(data: bytes) -> dict[int, int]:
    return {n: int(v) for n, w, v in read_fields(data) if w == VARINT and isinstance(v, int)}


def _bytes_field(data: bytes, number: int) -> bytes | None:
    found = None
    for n, _w, v in read_fields(data):
        if n == number and isinstance(v, bytes):
            found = v
    return found


def _time(data: bytes, *, micro: bool) -> str | None:
    if not data:
        return None  # Go's zero time is sent as no bytes and marshals to JSON as null
    ints = _ints(data)
    seconds, nanos = signed(ints.get(1, 0), 64), signed(ints.get(2, 0), 32)
    moment = datetime.fromtimestamp(seconds, UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{nanos // 1000:06d}Z" if micro else text + "Z"


_TIME_RE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$")


def _encode_time(value: Any) -> bytes:
    out = Writer()
    if value is None:
        return b""
    m = _TIME_RE.match(str(value))
    if m is None:
        raise SpecialError(f"invalid time {value!r}: want RFC 3339")
    zone = "+00:00" if m.group(3) == "Z" else m.group(3)
    moment = datetime.fromisoformat(m.group(1) + zone)
    nanos = int((m.group(2) or "0").ljust(9, "0"))
    out.varint(1, int(moment.timestamp()))
    out.varint(2, nanos)
    return out.getvalue()


_UNITS = (("h", 3600 * 10**9), ("m", 60 * 10**9), ("s", 10**9))


def go_duration(nanos: int) -> str:
    """Go's ``time.Duration.String()``: ``1h2m3.5s``, ``150ms``, ``0s``."""
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    n = abs(nanos)
    if n < 10**9:
        for unit, size in (("ms", 10**6), ("µs", 10**3), ("ns", 1)):
            if n >= size:
                return sign + _trim(n / size) + unit
    hours, rest = divmod(n, 3600 * 10**9)
    minutes, rest = divmod(rest, 60 * 10**9)
    seconds = _trim(rest / 10**9)
    text = f"{hours}h{minutes}m{seconds}s" if hours else (f"{minutes}m{seconds}s" if minutes else f"{seconds}s")
    return sign + text


def _trim(value: float) -> str:
    return f"{value:.9f}".rstrip("0").rstrip(".")


_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_SCALE = {"ns": 1, "us": 10**3, "µs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


def parse_go_duration(text: str) -> int:
    body = text.lstrip("+-")
    if body == "0":
        return 0
    parts = _DURATION_PART.findall(body)
    if not parts or "".join(a + b for a, b in parts) != body:
        raise SpecialError(f"invalid duration {text!r}")
    total = sum(round(float(num) * _SCALE[unit]) for num, unit in parts)
    return -total if text.startswith("-") else total


def _raw_json(data: bytes) -> Any:
    raw = _bytes_field(data, 1)
    if not raw:
        return None
    try:
        return jsoncodec.loads(raw)
    except ValueError as e:
        raise SpecialError(f"embedded JSON is malformed: {e}") from e


def _encode_raw_json(value: Any) -> bytes:
    out = Writer()
    if value is not None:
        out.bytes(1, jsoncodec.dumps(value))
    return out.getvalue()


def _int_or_string(data: bytes) -> int | str:
    kind, number, text = 0, 0, ""
    for n, _w, v in read_fields(data):
        if n == 1 and isinstance(v, int):
            kind = v
        elif n == 2 and isinstance(v, int):
            number = signed(v, 32)
        elif n == 3 and isinstance(v, bytes):
            text = v.decode("utf-8")
    return text if kind == 1 else number


def _encode_int_or_string(value: Any) -> bytes:
    out = Writer()
    if isinstance(value, str):
        out.varint(1, 1)
        out.bytes(3, value.encode())
    else:
        out.varint(1, 0)
        out.varint(2, int(value))
    return out.getvalue()


def _quantity(data: bytes) -> str:
    raw = _bytes_field(data, 1)
    return raw.decode("utf-8") if raw else "0"


def _encode_quantity(value: Any) -> bytes:
    out = Writer()
    out.bytes(1, str(value).encode())
    return out.getvalue()


def _or_array(data: bytes, decode: SubDecoder) -> Any:
    schema, many = None, []
    for n, _w, v in read_fields(data):
        if n == 1 and isinstance(v, bytes):
            schema = decode(v, SCHEMA)
        elif n == 2 and isinstance(v, bytes):
            many.append(decode(v, SCHEMA))
    if schema is not None:
        return schema
    return many or None


def _or_bool(data: bytes, decode: SubDecoder) -> Any:
    allows, schema = False, None
    for n, _w, v in read_fields(data):
        if n == 1 and isinstance(v, int):
            allows = bool(v)
        elif n == 2 and isinstance(v, bytes):
            schema = decode(v, SCHEMA)
    if schema is not None:
        return schema
    return allows


def _or_string_array(data: bytes, decode: SubDecoder) -> Any:
    schema, names = None, []
    for n, _w, v in read_fields(data):
        if n == 1 and isinstance(v, bytes):
            schema = decode(v, SCHEMA)
        elif n == 2 and isinstance(v, bytes):
            names.append(v.decode("utf-8"))
    if names:
        return names
    return schema


def _encode_or_array(value: Any, encode: SubEncoder) -> bytes:
    out = Writer()
    if isinstance(value, list):
        for item in value:
            out.bytes(2, encode(item, SCHEMA))
    elif value is not None:
        out.bytes(1, encode(value, SCHEMA))
    return out.getvalue()


def _encode_or_bool(value: Any, encode: SubEncoder) -> bytes:
    out = Writer()
    if isinstance(value, bool):
        out.varint(1, int(value))
    elif value is not None:
        out.varint(1, 1)
        out.bytes(2, encode(value, SCHEMA))
    return out.getvalue()


def _encode_or_string_array(value: Any, encode: SubEncoder) -> bytes:
    out = Writer()
    if isinstance(value, list):
        for item in value:
            out.bytes(2, str(item).encode())
    elif value is not None:
        out.bytes(1, encode(value, SCHEMA))
    return out.getvalue()


def decoder(message: str) -> Callable[[bytes, SubDecoder], Any] | None:
    simple: dict[str, Callable[[bytes], Any]] = {
        TIME: lambda d: _time(d, micro=False),
        MICRO_TIME: lambda d: _time(d, micro=True),
        DURATION: lambda d: go_duration(signed(_ints(d).get(1, 0), 64)),
        FIELDS_V1: _raw_json,
        RAW_EXTENSION: _raw_json,
        EXT_JSON: _raw_json,
        INT_OR_STRING: _int_or_string,
        QUANTITY: _quantity,
    }
    if message in simple:
        fn = simple[message]
        return lambda data, _decode: fn(data)
    unions: dict[str, Callable[[bytes, SubDecoder], Any]] = {
        OR_ARRAY: _or_array, OR_BOOL: _or_bool, OR_STRING_ARRAY: _or_string_array,
    }
    return unions.get(message)


def encoder(message: str) -> Callable[[Any, SubEncoder], bytes] | None:
    simple: dict[str, Callable[[Any], bytes]] = {
        TIME: _encode_time,
        MICRO_TIME: _encode_time,
        DURATION: lambda v: _encode_duration(v),
        FIELDS_V1: _encode_raw_json,
        RAW_EXTENSION: _encode_raw_json,
        EXT_JSON: _encode_raw_json,
        INT_OR_STRING: _encode_int_or_string,
        QUANTITY: _encode_quantity,
    }
    if message in simple:
        fn = simple[message]
        return lambda value, _encode: fn(value)
    unions: dict[str, Callable[[Any, SubEncoder], bytes]] = {
        OR_ARRAY: _encode_or_array, OR_BOOL: _encode_or_bool, OR_STRING_ARRAY: _encode_or_string_array,
    }
    return unions.get(message)


def _encode_duration(value: Any) -> bytes:
    out = Writer()
    out.varint(1, parse_go_duration(str(value)))
    return out.getvalue()
