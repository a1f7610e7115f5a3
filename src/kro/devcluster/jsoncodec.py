"""JSON encoding and decoding for the server's hot paths (request bodies, responses, watch events,
the SQLite rows).

``orjson`` does both several times faster than the standard library, which matters at thousands of
writes per second. It refuses a few things the standard library accepts (integers beyond 64 bits,
non-string keys, ``NaN``/``Infinity`` literals); those fall back to :mod:`json` so every document the
server took before is still taken and encoded the same way. Output is compact, UTF-8, no ``\\u``
escapes for non-ASCII text: the same JSON value either way.

Deep copies of stored objects (:func:`clone`, and :func:`snapshot`/:func:`thaw` for a copy taken
now and handed out later) go through the same encoding: the store and server-side apply use them.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

# 20 digits in a row: possibly an integer orjson would not read exactly (|n| >= 2**64 has 20+).
_LONG_NUMBER = re.compile(rb"[0-9]{20}")
_LONG_NUMBER_TEXT = re.compile(r"[0-9]{20}")


def dumps(value: Any) -> bytes:
    """Compact JSON as UTF-8 bytes."""
    try:
        return orjson.dumps(value)
    except TypeError:
        # Integers beyond 64 bits, non-str keys, lone surrogates: the standard library's rendering.
        return json.dumps(value, separators=(",", ":")).encode()


def dumps_str(value: Any) -> str:
    return dumps(value).decode()


def loads(raw: bytes | str) -> Any:
    """Decode JSON; raises ``ValueError`` (a ``json.JSONDecodeError``) on malformed input."""
    if (_LONG_NUMBER_TEXT.search(raw) if isinstance(raw, str) else _LONG_NUMBER.search(raw)):
        # orjson reads integers beyond 64 bits as floats; the standard library keeps them exact.
        return json.loads(raw)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        # orjson refuses big integers and NaN/Infinity the standard library accepts; it reports
        # genuinely malformed input again, with the standard library's message.
        return json.loads(raw)


# Deep copies ---------------------------------------------------------------------------------------

# Types orjson would silently turn into something else (an ISO string, a plain str/dict) raise instead,
# so a copy never changes a value's type behind its owner's back.
_EXACT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def clone(value: Any) -> Any:
    """A deep copy of JSON-shaped data that shares no dict or list with ``value``.

    Encoding to JSON and decoding again (orjson, in C) is about three times faster than walking the
    data in Python; values JSON cannot hold exactly (integers beyond 64 bits, non-string keys,
    datetimes, subclasses) fall back to the walk. As everywhere the server encodes JSON, a tuple comes
    back as a list and a NaN or infinity as ``None``."""
    return thaw(snapshot(value))


def snapshot(value: Any) -> bytes | Unencodable:
    """``value`` frozen for a later :func:`thaw`: its JSON encoding (the same bytes
    :func:`dumps` gives) or, when JSON cannot hold it exactly, a deep copy."""
    try:
        return orjson.dumps(value, option=_EXACT)
    except TypeError:
        return Unencodable(_walk_copy(value))


def thaw(frozen: bytes | Unencodable) -> Any:
    """A fresh deep copy of what :func:`snapshot` froze."""
    if isinstance(frozen, bytes):
        return orjson.loads(frozen)
    return _walk_copy(frozen.value)


class Unencodable:
    """A value JSON cannot hold exactly, kept as a private deep copy."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _walk_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return _clone_dict(value)
    if isinstance(value, list):
        return _clone_list(value)
    return value


# Scalars, the bulk of any object, are copied without a call each.
def _clone_dict(value: dict[Any, Any]) -> dict[Any, Any]:
    return {k: (_walk_copy(v) if isinstance(v, (dict, list)) else v) for k, v in value.items()}


def _clone_list(value: list[Any]) -> list[Any]:
    return [(_walk_copy(v) if isinstance(v, (dict, list)) else v) for v in value]
