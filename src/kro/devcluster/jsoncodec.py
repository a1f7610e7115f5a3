"""JSON encoding and decoding for the server's hot paths (request bodies, responses, watch events,
the SQLite rows).

``orjson`` does both several times faster than the standard library, which matters at thousands of
writes per second. It refuses a few things the standard library accepts (integers beyond 64 bits,
non-string keys, ``NaN``/``Infinity`` literals); those fall back to :mod:`json` so every document the
server took before is still taken and encoded the same way. Output is compact, UTF-8, no ``\\u``
escapes for non-ASCII text: the same JSON value either way.
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
