"""The client's JSON encoding and decoding (orjson with the standard library where they differ)
against the standard library's ``json`` as the reference, on generated documents."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kro.kube.transport import dumps, loads

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
_keys = st.text(max_size=8) | st.integers(min_value=-5, max_value=5) | st.booleans() | st.none()
documents = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=25,
)


def _reference(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


@settings(max_examples=400)
@given(documents)
def test_dumps_writes_what_json_writes(body: Any) -> None:
    ours, reference = dumps(body), _reference(body)
    if _has_float(body):  # a float may be spelled differently (6.1e-05, 0.000061): the same number
        assert _equal(json.loads(ours), json.loads(reference))
    else:
        assert ours == reference


def test_dumps_keeps_what_orjson_would_change() -> None:
    assert dumps({"a": float("nan")}) == b'{"a":NaN}'
    assert dumps({"a": "é\x7f"}) == b'{"a":"\\u00e9\\u007f"}'
    assert dumps({1: 2}) == b'{"1":2}'
    assert dumps({"big": 2**70}) == b'{"big":1180591620717411303424}'
    assert dumps({"a": None}) == b'{"a":null}'
    assert dumps({"a": (1, 2)}) == b'{"a":[1,2]}'


def test_dumps_refuses_what_json_refuses() -> None:
    import datetime

    with pytest.raises(TypeError):
        dumps({"when": datetime.datetime(2024, 1, 1)})
    with pytest.raises(TypeError):
        dumps({"set": {1}})


@settings(max_examples=400)
@given(documents)
def test_loads_reads_what_json_reads(body: Any) -> None:
    text = _reference(body)
    ours, reference = loads(text), json.loads(text)
    if "e+" in text.decode() or _has_big_int(reference):
        return  # huge numbers: orjson reads past-64-bit integers as floats, as kube-apiserver does
    assert _equal(ours, reference)


def test_loads_reads_what_orjson_refuses_and_fails_like_json() -> None:
    assert loads(b'"\\ud800"') == "\ud800"
    assert loads(b'{"a": NaN}')["a"] != 0
    assert loads("[1]".encode("utf-16")) == [1]
    with pytest.raises(ValueError):
        loads(b"{not json")


def _has_float(v: Any) -> bool:
    if isinstance(v, float):
        return True
    if isinstance(v, list):
        return any(_has_float(x) for x in v)
    if isinstance(v, dict):
        return any(_has_float(x) for x in v.values())
    return False


def _has_big_int(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return not -(2**63) <= v < 2**64
    if isinstance(v, list):
        return any(_has_big_int(x) for x in v)
    if isinstance(v, dict):
        return any(_has_big_int(x) for x in v.values())
    return False


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_equal(a[k], b[k]) for k in a)
    return bool(a == b)
