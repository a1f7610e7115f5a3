"""kro's own functions: seeded random values, JSON, hashes and map merges.

The expected seeded values, hashes and JSON texts were produced by upstream kro's algorithms under
Go, so generated names and checksums agree between the two implementations.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.unit.cel.library.conftest import EvalError, Evaluate

CASES: list[tuple[str, Any]] = [
    ("random.seededString(10, 'x')", "iot11jnpio"),
    ("random.seededString(20, 'my-app-uid')", "egcmtvrmegcmtvrmegcm"),
    ("random.seededString(1, '')", "e"),
    ("random.seededInt(30000, 32768, 'uid-1')", 30487),
    ("random.seededInt(-9223372036854775807 - 1, 9223372036854775807, 'a')", 5374906597990186442),
    ("random.seededInt(0, 10, 'b')", 6),
    ("hash.fnv64a('hello world')", bytes.fromhex("779a65e7023cd2e7")),
    ("hash.fnv64a('')", bytes.fromhex("cbf29ce484222325")),
    ("hash.sha256('hello world')", hashlib.sha256(b"hello world").digest()),
    ("hash.md5('hello world')", hashlib.md5(b"hello world").digest()),
    ("base64.encode(hash.fnv64a('hello world'))", "d5pl5wI80uc="),
    (
        "json.marshal({'b': '<a&b>\\u2028', 'a': [1, true, null, '\\x01\\b\\f\\n']})",
        '{"a":[1,true,null,"\\u0001\\b\\f\\n"],"b":"\\u003ca\\u0026b\\u003e\\u2028"}',
    ),
    ("json.marshal(3.0)", "3"),
    ("json.marshal(0.1)", "0.1"),
    ("json.marshal(1e20)", "100000000000000000000"),
    ("json.marshal(1e21)", "1e+21"),
    ("json.marshal(1.5e-7)", "1.5e-7"),
    ("json.marshal(0.000001)", "0.000001"),
    ("json.marshal(123456789.125)", "123456789.125"),
    ("json.marshal(2.5e-300)", "2.5e-300"),
    ("json.marshal(7u)", "7"),
    ("json.marshal(b'hi')", '"aGk="'),
    ("json.marshal(timestamp('2024-01-02T03:04:05.5Z'))", '"2024-01-02T03:04:05.5Z"'),
    ("json.marshal(quantity('1.5'))", '"1500m"'),
    ("json.marshal([])", "[]"),
    ("json.marshal({})", "{}"),
    ('json.unmarshal(\'{"name": "test", "n": 1}\').name', "test"),
    ("json.unmarshal('{\"n\": 1}').n", 1.0),
    ('json.unmarshal(\'[1, "a", null, true, {"k": []}]\')', [1.0, "a", None, True, {"k": []}]),
    ("json.unmarshal(json.marshal({'a': [1, 2]})).a[1] == 2", True),
    ("{'a': 1, 'b': 1}.merge({'b': 2, 'c': 3})", {"a": 1, "b": 2, "c": 3}),
    ("{}.merge({})", {}),
    ("{'a': {'x': 1}}.merge({'a': {'y': 2}})", {"a": {"y": 2}}),
    (
        "{'a': {'x': 1, 'l': [1]}, 'k': 1}.deepMerge({'a': {'y': 2, 'l': [2]}})",
        {"a": {"x": 1, "y": 2, "l": [2]}, "k": 1},
    ),
    ("{'a': 1}.deepMerge({'a': {'b': 2}})", {"a": {"b": 2}}),
]


@pytest.mark.parametrize(("expression", "expected"), CASES)
def test_kro_function(evaluate: Evaluate, expression: str, expected: Any) -> None:
    result = evaluate(expression)
    assert result == expected
    assert type(result) is type(expected)


def test_unmarshalled_numbers_are_doubles(evaluate: Evaluate) -> None:
    assert evaluate("type(json.unmarshal('1')) == double") is True


def test_seeded_functions_depend_only_on_arguments(evaluate: Evaluate) -> None:
    uid = {"metadata": {"uid": "0f5e6c1a-1111-2222-3333-444455556666"}}
    first = evaluate("random.seededString(8, x.metadata.uid)", x=uid)
    assert first == evaluate("random.seededString(8, x.metadata.uid)", x=uid)
    assert first != evaluate("random.seededString(8, x.metadata.uid + '-')", x=uid)
    assert len(first) == 8 and first.isalnum() and first == first.lower()
    port = evaluate("random.seededInt(30000, 32768, x.metadata.uid)", x=uid)
    assert 30000 <= port < 32768


def test_merge_leaves_its_inputs_unchanged(evaluate: Evaluate) -> None:
    labels = {"base": {"app": "redis", "tier": "cache"}, "extra": {"tier": "db"}}
    assert evaluate("x.base.merge(x.extra)", x=labels) == {"app": "redis", "tier": "db"}
    assert labels["base"] == {"app": "redis", "tier": "cache"}


ERRORS: list[tuple[str, str]] = [
    ("random.seededString(0, 'x')", r"random.seededString length must be positive"),
    ("random.seededString(-5, 'x')", r"length must be positive"),
    ("random.seededString(10000000, 'x')", r"length must be at most 1000000"),
    ("random.seededInt(5, 5, 'x')", r"random.seededInt min must be less than max"),
    ("json.unmarshal('{bad')", r"json.unmarshal failed to parse JSON"),
    ("json.unmarshal('NaN')", r"json.unmarshal failed to parse JSON: invalid literal NaN"),
    ("json.unmarshal('')", r"json.unmarshal failed to parse JSON"),
    ("json.unmarshal('1 2')", r"json.unmarshal failed to parse JSON"),
    ("json.unmarshal('1e400')", r"number 1e400 is out of the range of a double"),
    ("json.marshal(double('nan'))", r"json.marshal failed to encode value: unsupported value: nan"),
    ("json.marshal({1: 'a'})", r"json.marshal failed to convert value: map keys must be strings"),
    (
        "json.marshal(duration('1s'))",
        r"json.marshal failed to convert value: unsupported type google.protobuf.Duration",
    ),
]


@pytest.mark.parametrize(("expression", "message"), ERRORS)
def test_kro_function_errors(evaluate: Evaluate, expression: str, message: str) -> None:
    with pytest.raises(EvalError, match=message):
        evaluate(expression)


def test_deeply_nested_json_is_an_error_not_a_crash(evaluate: Evaluate) -> None:
    with pytest.raises(EvalError, match=r"json\.unmarshal failed to parse JSON"):
        evaluate("json.unmarshal(s)", s="[" * 100000)
