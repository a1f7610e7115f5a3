"""Kubernetes protobuf bodies: every built-in kind the server serves round-trips through the codec.

Each kind gets a sample object with every field of its message set (recursively, to a depth limit),
is encoded with the table-driven encoder and decoded again; the result must equal the sample. A few
hand-made messages check the wire facts independently of the table (field numbers, Go's JSON
rendering of zero values, times, int-or-string, quantities, embedded JSON).
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from kro.devcluster.codec import protobuf
from kro.devcluster.codec.protobuf import special
from kro.devcluster.codec.protobuf.message import Decoder
from kro.devcluster.codec.protobuf.table import Field, kubernetes_table
from kro.devcluster.codec.protobuf.wire import Writer
from kro.devcluster.registry import Registry

_DEPTH = 7
_SAMPLES: dict[str, Any] = {
    special.TIME: "2024-01-02T03:04:05Z",
    special.MICRO_TIME: "2024-01-02T03:04:05.123456Z",
    special.DURATION: "1m30s",
    special.QUANTITY: "250m",
    special.FIELDS_V1: {"f:metadata": {"f:labels": {}}},
    special.RAW_EXTENSION: {"apiVersion": "v1", "kind": "ConfigMap"},
    special.EXT_JSON: {"any": ["json", 1]},
}


def _scalar(f: Field, salt: int) -> Any:
    return {
        "string": f"{f.json or 'v'}-{salt}",
        "bytes": base64.b64encode(b"bytes%d" % salt).decode(),
        "bool": True,
        "double": 1.5,
        "float": 0.5,
    }.get(f.type, 7 + salt)


def _sample(message: str, depth: int) -> Any:
    table = kubernetes_table()
    if message in _SAMPLES:
        return _SAMPLES[message]
    if message == special.INT_OR_STRING:
        return "http" if depth % 2 else 8080
    if message in (special.OR_ARRAY, special.OR_BOOL, special.OR_STRING_ARRAY):
        return _sample(special.SCHEMA, depth + 1) if depth < _DEPTH else None
    if message in table.arrays:
        return [_scalar(table.fields(message)[0], depth)]
    if depth >= _DEPTH:
        return Decoder(table).decode(b"", message)  # what a message with no fields set reads as
    out: dict[str, Any] = {}
    for f in table.fields(message):
        if f.json == "-":
            continue
        value = _scalar(f, depth) if f.scalar else _sample(f.type, depth + 1)
        if value is None:
            continue
        if f.inline:
            out.update(value)
        elif f.is_map:
            out[f.json] = {"key": value}
        elif f.repeated:
            out[f.json] = [value]
        else:
            out[f.json] = value
    return out


def _served_builtin_kinds() -> list[tuple[str, str]]:
    return sorted({(rt.api_version, rt.kind) for rt in Registry() if not rt.is_custom})


@pytest.mark.parametrize(("api_version", "kind"), _served_builtin_kinds())
def test_every_served_builtin_kind_round_trips(api_version: str, kind: str) -> None:
    table = kubernetes_table()
    message = table.message_for_kind(api_version, kind)
    assert message is not None, f"{api_version} {kind} has no protobuf message"
    sample = {"apiVersion": api_version, "kind": kind, **_sample(message, 0)}
    body = protobuf.encode_object(sample)
    assert body.startswith(b"k8s\x00")
    assert protobuf.decode_object(body) == sample


def _message(*fields: tuple[int, Any]) -> bytes:
    w = Writer()
    for number, value in fields:
        if isinstance(value, bytes):
            w.bytes(number, value)
        else:
            w.varint(number, value)
    return w.getvalue()


def _envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    type_meta = _message((1, api_version.encode()), (2, kind.encode()))
    return b"k8s\x00" + _message((1, type_meta), (2, raw), (3, b""), (4, b""))


def test_a_hand_made_configmap_reads_as_go_renders_it() -> None:
    meta = _message((1, b"cfg"), (11, _message((1, b"app"), (2, b"web"))))
    data = _message((1, b"a"), (2, b"1"))
    body = _envelope("v1", "ConfigMap", _message((1, meta), (2, data)))
    assert protobuf.decode_object(body) == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cfg", "labels": {"app": "web"}},
        "data": {"a": "1"},
    }


def test_zero_values_follow_go_json_rules() -> None:
    # A Deployment with replicas 0 (a pointer: kept), an empty template (a struct: rendered),
    # a container with only a name (its non-omitempty fields are rendered, resources as {}).
    container = _message((1, b"c"))
    pod_spec = _message((2, container))
    template = _message((2, pod_spec))
    spec = _message((1, 0), (3, template))
    body = _envelope("apps/v1", "Deployment", _message((1, _message((1, b"d"))), (2, spec)))
    obj = protobuf.decode_object(body)
    assert obj["spec"]["replicas"] == 0
    assert "selector" not in obj["spec"]  # a nil pointer
    assert obj["spec"]["template"]["spec"]["containers"] == [{"name": "c", "resources": {}}]
    assert obj["metadata"] == {"name": "d"}  # creationTimestamp is omitzero
    assert obj["status"] == {}


def test_int_or_string_quantity_and_time() -> None:
    port = _message((3, 80), (4, _message((1, 1), (3, b"http"))))  # targetPort as a string
    spec = _message((1, port))
    meta = _message((1, b"s"), (9, _message((1, 1_700_000_000), (2, 5))))
    body = _envelope("v1", "Service", _message((1, meta), (2, spec)))
    obj = protobuf.decode_object(body)
    assert obj["spec"]["ports"][0]["targetPort"] == "http"
    assert obj["metadata"]["deletionTimestamp"] == "2023-11-14T22:13:20Z"
    quota = _message((1, _message((1, b"pods"), (2, _message((1, b"10"))))))
    body = _envelope("v1", "ResourceQuota", _message((1, _message((1, b"q"))), (2, quota)))
    assert protobuf.decode_object(body)["spec"]["hard"] == {"pods": "10"}


def test_negative_integers_use_ten_byte_varints() -> None:
    body = _envelope("scheduling.k8s.io/v1", "PriorityClass", _message((1, _message((1, b"low"))), (2, -5)))
    assert protobuf.decode_object(body)["value"] == -5


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty data"),
        (b"{}", "does not appear to be a protobuf message"),
        (b"k8s\x00", "empty body"),
        (b"k8s\x00\x0a\xff", "could not be decoded"),
        (_envelope("v1", "", b""), "'Kind' is missing"),
        (_envelope("example.com/v1", "Widget", b""), "no kind 'Widget'"),
    ],
)
def test_malformed_bodies_are_located_errors(body: bytes, message: str) -> None:
    with pytest.raises(protobuf.ProtobufError, match=message):
        protobuf.decode_object(body)


def test_go_durations() -> None:
    assert special.go_duration(90 * 10**9) == "1m30s"
    assert special.go_duration(3600 * 10**9 + 500 * 10**6) == "1h0m0.5s"
    assert special.go_duration(1500 * 10**3) == "1.5ms"
    assert special.parse_go_duration("1h0m0.5s") == 3600 * 10**9 + 500 * 10**6
