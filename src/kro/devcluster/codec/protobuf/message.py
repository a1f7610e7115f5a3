"""Kubernetes protobuf messages to and from the JSON-shaped dicts the server works with.

Decoding renders a message the way Go's ``encoding/json`` renders the Go struct it decodes into, so
a protobuf request becomes exactly the JSON body the same client would have sent: pointers appear
when set (even to zero), ``omitempty`` scalars, slices and maps only when non-empty, other fields
always (a missing scalar as its zero value, a missing slice as ``null``), structs always unless
``omitzero``, inlined structs merged into their parent. Encoding is the inverse, field by field.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from kro.devcluster.codec.protobuf import special
from kro.devcluster.codec.protobuf.table import Field, Table
from kro.devcluster.codec.protobuf.wire import (
    FIXED32,
    FIXED64,
    LENGTH,
    VARINT,
    Writer,
    as_double,
    packed_varints,
    read_fields,
    signed,
)

_MAX_DEPTH = 100


class MessageError(ValueError):
    """A message or value that does not fit the table (wrong wire type, bad UTF-8, too deep)."""


class Decoder:
    def __init__(self, table: Table) -> None:
        self._table = table

    def decode(self, data: bytes, message: str, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise MessageError(f"{message}: nested more than {_MAX_DEPTH} levels deep")
        custom = special.decoder(message)
        if custom is not None:
            return custom(data, lambda d, m: self.decode(d, m, depth + 1))
        fields = self._table.fields(message)
        by_number = {f.number: f for f in fields}
        raw: dict[int, list[tuple[int, int | bytes]]] = {}
        for number, wire, value in read_fields(data):
            if number in by_number:
                raw.setdefault(number, []).append((wire, value))
        if message in self._table.arrays:
            items = [self._scalar_or_message(fields[0], w, v, depth) for w, v in raw.get(fields[0].number, [])]
            return items
        out: dict[str, Any] = {}
        for f in fields:
            self._emit(out, f, raw.get(f.number), depth)
        return out

    def _emit(self, out: dict[str, Any], f: Field, values: list[tuple[int, int | bytes]] | None, depth: int) -> None:
        if f.json == "-":
            return  # not part of the JSON rendering
        if f.is_map:
            entries = {self._map_key(f, v): self._map_value(f, v, depth) for _w, v in values or [] if isinstance(v, bytes)}
            if entries or not f.omitempty:
                out[f.json] = entries or None
            return
        if f.repeated:
            items: list[Any] = []
            for wire, element in values or []:
                if wire == LENGTH and isinstance(element, bytes) and f.type not in ("string", "bytes") and f.scalar:
                    items += [self._scalar(f.type, VARINT, v) for v in packed_varints(element)]
                else:
                    items.append(self._scalar_or_message(f, wire, element, depth))
            if items or not f.omitempty:
                out[f.json] = items or None
            return
        if values is None:
            if f.pointer:
                return
            value: Any = self.decode(b"", f.type, depth + 1) if not f.scalar else _zero(f.type)
        else:
            wire, last = values[-1]
            value = self._scalar_or_message(f, wire, last, depth)
        if f.inline and isinstance(value, dict):
            out.update(value)
            return
        if not f.pointer and ((f.omitempty and f.scalar) or f.omitzero) and _is_zero(value):
            return
        out[f.json] = value

    def _scalar_or_message(self, f: Field, wire: int, value: int | bytes, depth: int) -> Any:
        if f.scalar:
            return self._scalar(f.type, wire, value)
        if not isinstance(value, bytes):
            raise MessageError(f"field {f.json}: a {f.type.rsplit('.', 1)[-1]} must be length-delimited")
        return self.decode(value, f.type, depth + 1)

    @staticmethod
    def _scalar(type_name: str, wire: int, value: int | bytes) -> Any:
        if type_name in ("string", "bytes"):
            if not isinstance(value, bytes):
                raise MessageError(f"a {type_name} must be length-delimited")
            if type_name == "bytes":
                return base64.b64encode(value).decode()
            try:
                return value.decode("utf-8")
            except UnicodeDecodeError as e:
                raise MessageError(f"a string is not valid UTF-8: {e}") from e
        if isinstance(value, bytes):
            raise MessageError(f"a {type_name} must not be length-delimited")
        if type_name in ("double", "float"):
            if wire not in (FIXED64, FIXED32):
                raise MessageError(f"a {type_name} must be fixed-width")
            number = as_double(value, wire)
            return int(number) if number.is_integer() and abs(number) < 2**53 else number
        if type_name == "bool":
            return bool(value)
        if type_name == "int32":
            return signed(value, 32)
        if type_name == "int64":
            return signed(value, 64)
        return value

    def _map_key(self, f: Field, entry: bytes) -> str:
        for number, wire, value in read_fields(entry):
            if number == 1:
                return str(self._scalar(f.key_type, wire, value))
        return ""

    def _map_value(self, f: Field, entry: bytes, depth: int) -> Any:
        found: tuple[int, int | bytes] | None = None
        for number, wire, value in read_fields(entry):
            if number == 2:
                found = (wire, value)
        if found is None:
            return _zero(f.type) if f.scalar else self.decode(b"", f.type, depth + 1)
        return self._scalar_or_message(f, found[0], found[1], depth)


def _zero(type_name: str) -> Any:
    if type_name in ("string",):
        return ""
    if type_name == "bytes":
        return None
    if type_name == "bool":
        return False
    return 0


def _is_zero(value: Any) -> bool:
    return value is None or value == "" or value == 0 or value is False or value == {} or value == []


class Encoder:
    """A JSON-shaped dict to message bytes; fields the message does not have are left out."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def encode(self, value: Any, message: str) -> bytes:
        custom = special.encoder(message)
        if custom is not None:
            return custom(value, self.encode)
        fields = self._table.fields(message)
        out = Writer()
        if message in self._table.arrays:
            for item in value or []:
                self._write(out, fields[0], item)
            return out.getvalue()
        if not isinstance(value, Mapping):
            raise MessageError(f"{message.rsplit('.', 1)[-1]}: expected an object, got {type(value).__name__}")
        for f in fields:
            if f.inline:
                out.bytes(f.number, self.encode(value, f.type))
                continue
            if f.json == "-" or f.json not in value or value[f.json] is None:
                continue
            item = value[f.json]
            if f.is_map:
                for key, val in item.items():
                    entry = Writer()
                    self._write(entry, Field(1, "", "optional", f.key_type), key)
                    self._write(entry, Field(2, "", "optional", f.type), val)
                    out.bytes(f.number, entry.getvalue())
            elif f.repeated:
                for element in item:
                    self._write(out, f, element)
            else:
                self._write(out, f, item)
        return out.getvalue()

    def _write(self, out: Writer, f: Field, value: Any) -> None:
        t = f.type
        if not f.scalar:
            out.bytes(f.number, self.encode(value, t))
        elif t == "string":
            out.bytes(f.number, str(value).encode())
        elif t == "bytes":
            try:
                out.bytes(f.number, base64.b64decode(str(value), validate=True))
            except binascii.Error as e:
                raise MessageError(f"field {f.json}: not base64: {e}") from e
        elif t == "double":
            out.double(f.number, float(value))
        elif t == "float":
            out.float(f.number, float(value))
        elif t == "bool":
            out.varint(f.number, int(bool(value)))
        else:
            out.varint(f.number, int(value))
