"""Protocol Buffers wire format: varints, tags, length-delimited and fixed-width values.

Pure functions over bytes. :func:`read_fields` splits one message into ``(number, wire type, value)``
triples (varints and fixed-width values as ints, length-delimited values as bytes);
:class:`Writer` builds a message field by field.
"""

from __future__ import annotations

import builtins
import struct
from collections.abc import Iterator

VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5


class WireError(ValueError):
    """Bytes that are not a well-formed protobuf message."""


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        if pos >= len(data):
            raise WireError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise WireError("varint longer than 10 bytes")


def read_fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    pos = 0
    end = len(data)
    while pos < end:
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise WireError("field number 0")
        if wire == VARINT:
            value, pos = read_varint(data, pos)
            yield number, wire, value
        elif wire == LENGTH:
            size, pos = read_varint(data, pos)
            if pos + size > end:
                raise WireError(f"field {number}: length {size} runs past the end of the message")
            yield number, wire, data[pos:pos + size]
            pos += size
        elif wire in (FIXED64, FIXED32):
            width = 8 if wire == FIXED64 else 4
            if pos + width > end:
                raise WireError(f"field {number}: truncated fixed-width value")
            yield number, wire, int.from_bytes(data[pos:pos + width], "little")
            pos += width
        else:
            raise WireError(f"field {number}: unsupported wire type {wire}")


def signed(value: int, bits: int) -> int:
    """A varint read as a two's-complement int32/int64 (negative values use ten bytes)."""
    value &= (1 << 64) - 1
    if bits == 32:
        value &= 0xFFFFFFFF
        return value - (1 << 32) if value >= 1 << 31 else value
    return value - (1 << 64) if value >= 1 << 63 else value


def as_double(value: int, wire: int) -> float:
    if wire == FIXED32:
        return float(struct.unpack("<f", value.to_bytes(4, "little"))[0])
    return float(struct.unpack("<d", value.to_bytes(8, "little"))[0])


def packed_varints(data: bytes) -> list[int]:
    out: list[int] = []
    pos = 0
    while pos < len(data):
        value, pos = read_varint(data, pos)
        out.append(value)
    return out


def encode_varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


class Writer:
    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def varint(self, number: int, value: int) -> None:
        self._parts.append(encode_varint(number << 3 | VARINT) + encode_varint(value))

    def double(self, number: int, value: float) -> None:
        self._parts.append(encode_varint(number << 3 | FIXED64) + struct.pack("<d", value))

    def float(self, number: int, value: float) -> None:
        self._parts.append(encode_varint(number << 3 | FIXED32) + struct.pack("<f", value))

    def bytes(self, number: int, value: builtins.bytes) -> None:
        self._parts.append(encode_varint(number << 3 | LENGTH) + encode_varint(len(value)) + value)

    def getvalue(self) -> builtins.bytes:
        return b"".join(self._parts)
