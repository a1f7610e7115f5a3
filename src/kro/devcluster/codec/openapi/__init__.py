"""The protobuf renderings of the OpenAPI documents, as kube-apiserver serves them to clients that
ask for ``application/com.github.proto-openapi.spec.v2@v1.0+protobuf`` (kubectl's ``/openapi/v2``
request) or ``...spec.v3@v1.0+protobuf``: gnostic's ``openapi.v2.Document`` / ``openapi.v3.Document``.

The messages and field numbers come from ``openapi_v2_messages.json`` / ``openapi_v3_messages.json``
(written by ``scripts/generate_protobuf_table.py`` from gnostic's published models). The JSON
document maps onto them by gnostic's rules: a field ``base_path`` is the key ``basePath`` (``_ref`` is
``$ref``); ``x-`` keys are vendor extensions (their values as YAML); maps (definitions, properties,
paths, responses) are repeated ``Named*`` name/value pairs; one-of wrappers take the member the
value's shape selects; free-form values (defaults, enums, examples) are ``Any`` with YAML text.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from kro.devcluster.codec.protobuf.wire import Writer

V2_MEDIA_TYPE = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
V3_MEDIA_TYPE = "application/com.github.proto-openapi.spec.v3@v1.0+protobuf"
_EXTENSION_FIELDS = ("vendor_extension", "specification_extension")
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_SCALARS = frozenset({"string", "bool", "int64", "int32", "double", "float"})


@dataclass(frozen=True)
class _Field:
    number: int
    name: str
    label: str  # optional, repeated or oneof
    type: str
    key: str  # the JSON key: base_path -> basePath, _ref -> $ref


def _key(name: str) -> str:
    if name == "_ref":
        return "$ref"
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@functools.cache
def _table(version: str) -> dict[str, tuple[_Field, ...]]:
    raw = json.loads(resources.files(__package__).joinpath(f"openapi_{version}_messages.json").read_text())
    return {name: tuple(_Field(int(n), str(f), str(label), str(t), _key(str(f))) for n, f, label, t in rows)
            for name, rows in raw["messages"].items()}


@functools.cache
def _keys(version: str, message: str) -> frozenset[str]:
    return frozenset(f.key for f in _table(version)[message])


class _Encoder:
    def __init__(self, version: str) -> None:
        self._version = version
        self._messages = _table(version)

    def message(self, value: Any, name: str) -> bytes:
        fields = self._messages[name]
        out = Writer()
        if name == "Any":
            out.bytes(2, yaml.dump(value, Dumper=_DUMPER, default_flow_style=False, sort_keys=False).encode())
            return out.getvalue()
        if fields and all(f.label == "oneof" for f in fields):
            self._oneof(out, value, fields)
            return out.getvalue()
        if len(fields) == 1 and fields[0].label == "repeated" and not fields[0].type.startswith("Named"):
            # a wrapper of one list (TypeItem, ItemsItem, StringArray): a single value is a list of one
            for item in value if isinstance(value, list) else [value]:
                self._write(out, fields[0], item)
            return out.getvalue()
        if not isinstance(value, Mapping):
            return out.getvalue()
        self._object(out, value, fields, _keys(self._version, name))
        return out.getvalue()

    def _object(self, out: Writer, value: Mapping[str, Any], fields: tuple[_Field, ...], keys: frozenset[str]) -> None:
        for f in fields:
            if f.name in _EXTENSION_FIELDS:
                for key, item in value.items():
                    if isinstance(key, str) and key.startswith("x-"):
                        self._write(out, f, {"name": key, "value": item})
            elif f.label == "repeated" and f.type.startswith("Named"):
                # the entries of a map (definitions, properties, paths, responses): every key that
                # no other field of the message claims
                for key, item in value.items():
                    if key in keys - {f.key} or str(key).startswith("x-"):
                        continue
                    self._write(out, f, {"name": key, "value": item})
            elif f.key in value and value[f.key] is not None:
                item = value[f.key]
                for element in item if f.label == "repeated" and isinstance(item, list) else [item]:
                    self._write(out, f, element)

    def _oneof(self, out: Writer, value: Any, fields: tuple[_Field, ...]) -> None:
        chosen = _choose(value, fields)
        if chosen is not None:
            self._write(out, chosen, value)

    def _write(self, out: Writer, f: _Field, value: Any) -> None:
        t = f.type
        if t == "string":
            out.bytes(f.number, str(value).encode())
        elif t == "bool":
            out.varint(f.number, int(bool(value)))
        elif t in ("int64", "int32"):
            out.varint(f.number, int(value))
        elif t in ("double", "float"):
            out.double(f.number, float(value))
        elif t.startswith("Named"):
            out.bytes(f.number, self._named(value, t))
        else:
            out.bytes(f.number, self.message(value, t))

    def _named(self, entry: Mapping[str, Any], name: str) -> bytes:
        fields = {f.name: f for f in self._messages[name]}
        out = Writer()
        out.bytes(fields["name"].number, str(entry["name"]).encode())
        value_field = fields["value"]
        if value_field.type in _SCALARS:
            self._write(out, value_field, entry["value"])
        else:
            out.bytes(value_field.number, self.message(entry["value"], value_field.type))
        return out.getvalue()


def _choose(value: Any, fields: tuple[_Field, ...]) -> _Field | None:
    """The one-of member a JSON value selects."""
    by_type = {f.type: f for f in fields}
    if isinstance(value, bool):
        return by_type.get("bool")
    if isinstance(value, (int, float)):
        return by_type.get("double") or by_type.get("int64")
    if isinstance(value, str):
        return by_type.get("string")
    if not isinstance(value, Mapping):
        return None
    if "$ref" in value:
        ref = next((f for f in fields if f.type in ("JsonReference", "Reference")), None)
        if ref is not None:
            return ref
    where = value.get("in")
    if isinstance(where, str):
        if "BodyParameter" in by_type and "NonBodyParameter" in by_type:
            return by_type["BodyParameter" if where == "body" else "NonBodyParameter"]
        snake = "form_data" if where == "formData" else where
        match = next((f for f in fields if f.name.startswith(snake + "_")), None)
        if match is not None:
            return match
    if value.get("type") == "file" and "FileSchema" in by_type:
        return by_type["FileSchema"]
    return next((f for f in fields if f.type not in _SCALARS and f.type not in ("JsonReference", "Reference")), None)


def encode_v2(document: Mapping[str, Any]) -> bytes:
    """A Swagger 2.0 document (JSON-shaped) as a gnostic ``openapi.v2.Document``."""
    return _Encoder("v2").message(document, "Document")


def encode_v3(document: Mapping[str, Any]) -> bytes:
    """An OpenAPI 3.0 document (JSON-shaped) as a gnostic ``openapi.v3.Document``."""
    return _Encoder("v3").message(document, "Document")
