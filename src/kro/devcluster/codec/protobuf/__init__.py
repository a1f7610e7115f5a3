"""Kubernetes' protobuf encoding (``application/vnd.kubernetes.protobuf``) of built-in kinds.

A body is the magic ``k8s\\x00`` followed by a ``runtime.Unknown`` message: ``typeMeta`` (apiVersion,
kind), ``raw`` (the kind's own message), ``contentEncoding`` and ``contentType``. The kind's message
is read with the field table (:mod:`.table`) into the same JSON-shaped dict a JSON request of the
same object gives (:mod:`.message`). Custom resources have no protobuf encoding.
"""

from __future__ import annotations

from typing import Any

from kro.devcluster.codec.protobuf.message import Decoder, Encoder, MessageError
from kro.devcluster.codec.protobuf.special import SpecialError
from kro.devcluster.codec.protobuf.table import Table, kubernetes_table
from kro.devcluster.codec.protobuf.wire import WireError, Writer, read_fields

MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"
_UNKNOWN = "k8s.io.apimachinery.pkg.runtime.Unknown"


class ProtobufError(ValueError):
    """A body that is not a Kubernetes protobuf object this server can read."""


class UnknownKind(ProtobufError):
    """A well-formed envelope around a kind that has no protobuf message here."""


def decode_object(data: bytes, *, default_api_version: str = "", default_kind: str = "", table: Table | None = None) -> dict[str, Any]:
    """The object in a protobuf body, as a JSON-shaped dict with ``apiVersion`` and ``kind`` first.

    ``default_*``: the endpoint's group version and kind, used where the envelope leaves them empty
    (as kube-apiserver does)."""
    table = table or kubernetes_table()
    if not data:
        raise ProtobufError("empty data")
    if not data.startswith(MAGIC):
        raise ProtobufError(f"provided data does not appear to be a protobuf message, expected prefix {list(MAGIC)}")
    if len(data) == len(MAGIC):
        raise ProtobufError("empty body")
    try:
        envelope = Decoder(table).decode(data[len(MAGIC):], _UNKNOWN)
        # runtime.Unknown inlines its TypeMeta: apiVersion and kind are top-level keys.
        api_version = envelope.get("apiVersion") or default_api_version
        kind = envelope.get("kind") or default_kind
        if not kind:
            raise ProtobufError("Object 'Kind' is missing from the protobuf body")
        if not api_version:
            raise ProtobufError("Object 'apiVersion' is missing from the protobuf body")
        message = table.message_for_kind(api_version, kind)
        if message is None:
            raise UnknownKind(f"no kind {kind!r} is registered for version {api_version!r} in the protobuf encoding")
        raw = b""
        for number, _wire, value in read_fields(data[len(MAGIC):]):
            if number == 2 and isinstance(value, bytes):
                raw = value
        body = Decoder(table).decode(raw, message)
    except (WireError, MessageError, SpecialError) as e:
        raise ProtobufError(f"the protobuf body could not be decoded: {e}") from e
    return {"apiVersion": api_version, "kind": kind, **body}


def encode_object(obj: dict[str, Any], *, table: Table | None = None) -> bytes:
    """A JSON-shaped object of a built-in kind as a protobuf body (envelope included)."""
    table = table or kubernetes_table()
    api_version, kind = str(obj.get("apiVersion") or ""), str(obj.get("kind") or "")
    message = table.message_for_kind(api_version, kind)
    if message is None:
        raise UnknownKind(f"{api_version}/{kind} has no protobuf encoding")
    try:
        raw = Encoder(table).encode(obj, message)
    except (MessageError, SpecialError, TypeError, ValueError, AttributeError) as e:
        raise ProtobufError(f"{kind} could not be encoded: {e}") from e
    type_meta = Writer()
    type_meta.bytes(1, api_version.encode())
    type_meta.bytes(2, kind.encode())
    envelope = Writer()
    envelope.bytes(1, type_meta.getvalue())
    envelope.bytes(2, raw)
    envelope.bytes(3, b"")
    envelope.bytes(4, b"")
    return MAGIC + envelope.getvalue()


def not_marshalable(go_type: str) -> str:
    """The protobuf serializer's message for an object it cannot encode or decode (custom resources
    are ``Unstructured`` / ``UnstructuredList`` there)."""
    return (f"object *unstructured.{go_type} does not implement the protobuf marshalling interface and cannot be "
            "encoded to a protobuf message")


def has_encoding(api_version: str, kind: str) -> bool:
    return kubernetes_table().message_for_kind(api_version, kind) is not None


__all__ = [
    "MAGIC", "MEDIA_TYPE", "ProtobufError", "UnknownKind", "decode_object", "encode_object", "has_encoding", "not_marshalable",
]
