"""OpenAPI v3 schemas as protobuf message types built at run time, so the engine type-checks
field names and field types.

The engine checks selections against protobuf descriptors only. :class:`MessageTypes` turns each
object schema with properties into a message (``descriptor_pb2`` into a private
``DescriptorPool``) whose field names are the JSON property names, so ``sts.status.readyReplicas``
checks and ``sts.status.readyReplica`` does not. Field types follow :func:`kro.cel.types.from_openapi`
with the protobuf spellings the engine maps back to CEL types:

* ``integer`` → ``int64``, ``number`` → ``double``, ``string`` → ``string``, except formats
  ``date-time``/``date`` → ``google.protobuf.Timestamp`` and ``duration`` →
  ``google.protobuf.Duration`` (both compare with ``null``);
  a nullable scalar → its wrapper (``google.protobuf.Int64Value``...), which CEL lets compare
  with ``null`` and still use as the scalar;
* an array → a repeated field (nested lists → ``google.protobuf.ListValue``);
* ``additionalProperties`` → a ``map<string, T>`` field;
* int-or-string, schemaless and nullable containers → ``google.protobuf.Value`` (``dyn``);
  preserve-unknown-fields objects → ``google.protobuf.Struct`` (``map(string, dyn)``).

A property name that cannot be a protobuf field name (``x-foo``, ``$ref``, names differing only in
``_`` placement) makes its whole parent a ``map(string, dyn)``: such names are reached with
``obj["x-foo"]`` anyway. Identical object shapes share one message type; names are ``__type_``
followed by the path of the first place the shape was seen.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf import (
    descriptor_pb2,
    descriptor_pool,
    duration_pb2,
    struct_pb2,
    timestamp_pb2,
    wrappers_pb2,
)

from kro.cel import types as t
from kro.cel.types import INT_OR_STRING, PRESERVE, CelType, Kind

MAX_DEPTH = 48
MAX_NODES = 20_000
"""Schema nodes typed per declaration; past it, fields are ``dyn`` (bounds the work on schemas
that inline recursive definitions many times over)."""
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_F = descriptor_pb2.FieldDescriptorProto
_MAX_FIELDS = 18_000  # field numbers 19000-19999 are reserved by protobuf

_SCALAR = {
    Kind.STRING: _F.TYPE_STRING,
    Kind.INT: _F.TYPE_INT64,
    Kind.DOUBLE: _F.TYPE_DOUBLE,
    Kind.BOOL: _F.TYPE_BOOL,
}
_WRAPPER = {
    Kind.STRING: ".google.protobuf.StringValue",
    Kind.INT: ".google.protobuf.Int64Value",
    Kind.DOUBLE: ".google.protobuf.DoubleValue",
    Kind.BOOL: ".google.protobuf.BoolValue",
}
_WELL_KNOWN = {Kind.TIMESTAMP: ".google.protobuf.Timestamp", Kind.DURATION: ".google.protobuf.Duration"}
_VALUE = ".google.protobuf.Value"
_STRUCT = ".google.protobuf.Struct"
_LIST_VALUE = ".google.protobuf.ListValue"


@dataclass(frozen=True)
class _Field:
    """How one property is spelled in protobuf: a scalar type or a message name, possibly repeated,
    or a map whose values are ``value``."""

    scalar: int = 0
    message: str = ""
    repeated: bool = False
    value: _Field | None = None

    @property
    def is_container(self) -> bool:
        return self.repeated or self.value is not None


_DYN_FIELD = _Field(message=_VALUE)
_DYN_MAP_FIELD = _Field(message=_STRUCT)


class MessageTypes:
    """The run-time message types of one family of environments, in one descriptor pool.

    Not thread-safe: an environment family is built and extended by one compiler at a time."""

    def __init__(self, extra_files: Iterable[descriptor_pb2.FileDescriptorProto] = ()) -> None:
        """``extra_files``: other message types expressions may meet (the libraries' values)."""
        self.pool = descriptor_pool.DescriptorPool()
        for dep in (struct_pb2, wrappers_pb2, timestamp_pb2, duration_pb2):
            fdp = descriptor_pb2.FileDescriptorProto()
            dep.DESCRIPTOR.CopyToProto(fdp)
            self.pool.Add(fdp)
        for extra in extra_files:
            self.pool.Add(extra)
        self._schemas: dict[str, Mapping[str, Any]] = {}
        self._by_shape: dict[tuple[Any, ...], str] = {}
        self._files: list[str] = []
        self._pending: descriptor_pb2.FileDescriptorProto | None = None
        self._digests: dict[tuple[int, int], str] = {}
        self._max_depth = MAX_DEPTH
        # By schema identity (the schema is kept, so its id is not reused): a schema met again, as
        # every extension of an environment meets its parent's, costs a lookup, not a walk.
        self._budgets: dict[int, tuple[Mapping[str, Any], int]] = {}
        self._by_identity: dict[tuple[int, int, int], tuple[Mapping[str, Any], str | None]] = {}

    def schema_of(self, name: str) -> Mapping[str, Any] | None:
        """The OpenAPI schema the message type ``name`` was built from."""
        return self._schemas.get(name)

    def resolve(self, ct: CelType, *, hint: str) -> CelType:
        """``ct`` with every object type given a message type of this pool (built as needed); an
        object whose schema cannot be a message becomes ``map(string, dyn)``."""
        self._pending = None
        self._digests = {}
        self._max_depth = min((self._budget(o) for o in _object_schemas(ct)), default=MAX_DEPTH)
        known, shapes, identities = dict(self._schemas), dict(self._by_shape), dict(self._by_identity)
        try:
            resolved = self._resolve(ct, hint, 0)
            self._flush()
        except Exception:
            # Nothing of a failed batch reached the pool: forget its names too.
            self._schemas, self._by_shape, self._by_identity = known, shapes, identities
            raise
        finally:
            self._pending = None
            self._digests = {}
        return resolved

    def _resolve(self, ct: CelType, hint: str, depth: int) -> CelType:
        if ct.kind == Kind.OBJECT:
            if ct.name and ct.schema is not None and self._schemas.get(ct.name) is ct.schema:
                return ct
            name = self._message(ct.schema or {}, hint, depth) if ct.schema is not None else None
            if name is None:
                return t.DYN_MAP
            return CelType.object_of(self._schemas[name], name)
        if ct.params:
            params = tuple(
                self._resolve(p, f"{hint}_{i}" if i else hint, depth + 1) for i, p in enumerate(ct.params)
            )
            return CelType(ct.kind, params, ct.name, ct.schema)
        return ct

    def _budget(self, schema: Mapping[str, Any]) -> int:
        known = self._budgets.get(id(schema))
        if known is None or known[0] is not schema:
            known = (schema, _depth_within_budget(schema))
            self._budgets[id(schema)] = known
        return known[1]

    # -- building -------------------------------------------------------------------------------

    def _file(self) -> descriptor_pb2.FileDescriptorProto:
        if self._pending is None:
            n = len(self._files)
            self._pending = descriptor_pb2.FileDescriptorProto(
                name=f"kro/cel/types_{n}.proto", syntax="proto2"
            )
            self._pending.dependency.extend(
                [
                    "google/protobuf/struct.proto",
                    "google/protobuf/wrappers.proto",
                    "google/protobuf/timestamp.proto",
                    "google/protobuf/duration.proto",
                    *self._files,
                ]
            )
        return self._pending

    def _flush(self) -> None:
        if self._pending is not None and self._pending.message_type:
            self.pool.Add(self._pending)
            self._files.append(self._pending.name)

    def _message(self, schema: Mapping[str, Any], path: str, depth: int) -> str | None:
        """The message type name for an object schema, or ``None`` when it cannot be one. The same
        schema object at the same depth and depth limit always gets the same answer."""
        key = (id(schema), depth, self._max_depth)
        known = self._by_identity.get(key)
        if known is not None and known[0] is schema:
            return known[1]
        name = self._new_message(schema, path, depth)
        self._by_identity[key] = (schema, name)
        return name

    def _new_message(self, schema: Mapping[str, Any], path: str, depth: int) -> str | None:
        props = schema.get("properties")
        if not isinstance(props, Mapping) or not _valid_names(list(props)) or depth > self._max_depth:
            return None
        fields = tuple(
            (str(name), self._field(sub if isinstance(sub, Mapping) else {}, f"{path}_{name}", depth + 1))
            for name, sub in props.items()
        )
        # The schema goes with the type (an object result's OpenAPI is its schema): shapes are shared
        # only when their schemas agree on everything but descriptions, down to the typed depth
        # (counted in JSON nesting: a schema level is ``properties`` plus a name).
        levels = 2 * (self._max_depth - depth) + 2
        key = (fields, _fingerprint(schema, self._digests, levels))
        existing = self._by_shape.get(key)
        if existing is not None:
            return existing
        name = self._unique(path)
        msg = self._file().message_type.add(name=name)
        for number, (fname, spec) in enumerate(fields, start=1):
            _add_field(msg, name, fname, number, spec)
        self._by_shape[key] = name
        self._schemas[name] = schema
        return name

    def _field(self, schema: Mapping[str, Any], path: str, depth: int) -> _Field:
        if depth > self._max_depth or schema.get(INT_OR_STRING):
            return _DYN_FIELD
        ct = t.from_openapi(schema)
        nullable = schema.get("nullable") is True
        if ct.kind in _SCALAR:
            return _Field(message=_WRAPPER[ct.kind]) if nullable else _Field(scalar=_SCALAR[ct.kind])
        if ct.kind in _WELL_KNOWN:
            return _Field(message=_WELL_KNOWN[ct.kind])
        if ct.kind == Kind.OBJECT:
            name = self._message(schema, path, depth)
            return _Field(message=name) if name is not None else _DYN_MAP_FIELD
        if nullable or ct.kind not in (Kind.LIST, Kind.MAP):
            return _DYN_FIELD
        if ct.kind == Kind.LIST:
            items = schema.get("items")
            element = (
                self._field(items, f"{path}_items", depth + 1) if isinstance(items, Mapping) else _DYN_FIELD
            )
            return _Field(*_as_element(element), repeated=True)
        extra = schema.get("additionalProperties")
        if ct == t.DYN_MAP or not isinstance(extra, Mapping) or schema.get(PRESERVE) is True:
            return _DYN_MAP_FIELD
        value = self._field(extra, f"{path}_values", depth + 1)
        return _Field(value=_Field(*_as_element(value)))

    def _unique(self, path: str) -> str:
        base = "__type_" + re.sub(r"[^A-Za-z0-9_]", "_", path)
        name, n = base, 1
        while name in self._schemas or self.pool_has(name):
            n += 1
            name = f"{base}_{n}"
        return name

    def pool_has(self, name: str) -> bool:
        if self._pending is not None and any(m.name == name for m in self._pending.message_type):
            return True
        try:
            self.pool.FindMessageTypeByName(name)
        except KeyError:
            return False
        return True


def _depth_within_budget(schema: Any) -> int:
    """The deepest level (in schema edges from ``schema``) up to which typing stays within
    :data:`MAX_NODES` nodes, counted breadth first: wide schemas are typed near the root and
    ``dyn`` further down, rather than typed deeply along their first branch only."""
    level, seen, frontier = 0, 0, [schema]
    while frontier and level <= MAX_DEPTH:
        seen += len(frontier)
        if seen > MAX_NODES:
            return max(level - 1, 0)
        frontier = [child for node in frontier for child in _subschemas(node)]
        level += 1
    return MAX_DEPTH


def _subschemas(node: Any) -> list[Any]:
    if not isinstance(node, Mapping):
        return []
    out = [v for v in (node.get("items"), node.get("additionalProperties")) if isinstance(v, Mapping)]
    props = node.get("properties")
    if isinstance(props, Mapping):
        out.extend(v for v in props.values() if isinstance(v, Mapping))
    return out


def _fingerprint(node: Any, memo: dict[tuple[int, int], str], levels: int) -> str:
    """A digest of ``node`` without its ``description`` fields, down to ``levels`` levels of JSON
    nesting (two per schema level); deeper parts, which stay ``dyn``, count as equal. Built
    bottom-up with ``memo`` (by node identity and depth left, valid while the nodes are alive) so
    each part of a schema is read once."""
    if not isinstance(node, Mapping | list):
        return repr(node)
    if levels <= 0:
        return "..."
    key = (id(node), levels)
    known = memo.get(key)
    if known is not None:
        return known
    if isinstance(node, Mapping):
        items = sorted((repr(k), v) for k, v in node.items() if k != "description")
        parts = ["{"]
    else:
        items = [(str(i), v) for i, v in enumerate(node)]
        parts = ["["]
    for k, v in items:
        parts += (k, _fingerprint(v, memo, levels - 1))
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    memo[key] = digest
    return digest


def _as_element(element: _Field) -> tuple[int, str]:
    """``(scalar, message)`` for an element of a list or map. protobuf has no list of lists or
    map of maps: an element that is itself a container goes through the dynamic JSON messages."""
    if element.repeated:
        return 0, _LIST_VALUE
    if element.value is not None:
        return 0, _STRUCT
    return element.scalar, element.message


def _object_schemas(ct: CelType) -> list[Mapping[str, Any]]:
    """The schemas of the object types in ``ct`` (itself, or a list's or map's elements)."""
    own = [ct.schema] if ct.kind == Kind.OBJECT and ct.schema is not None else []
    return own + [s for p in ct.params for s in _object_schemas(p)]


def _json_name(name: str) -> str:
    """protobuf's default JSON name (``foo_bar`` → ``fooBar``), which must be unique per message."""
    out: list[str] = []
    upper = False
    for ch in name:
        if ch == "_":
            upper = True
        else:
            out.append(ch.upper() if upper else ch)
            upper = False
    return "".join(out)


def _valid_names(names: list[Any]) -> bool:
    if not names or len(names) > _MAX_FIELDS:
        return False
    if not all(isinstance(n, str) and _IDENT.match(n) for n in names):
        return False
    json_names = {_json_name(n) for n in names}
    entries = {_entry_name(n) for n in names}
    return len(json_names) == len(names) and not entries & set(names)


def _entry_name(field: str) -> str:
    """protobuf's required name for the entry type of a map field (``labels`` → ``LabelsEntry``)."""
    parts = field.split("_")
    return "".join(p[:1].upper() + p[1:] for p in parts) + "Entry"


def _add_field(
    msg: descriptor_pb2.DescriptorProto, msg_name: str, name: str, number: int, spec: _Field
) -> None:
    f = msg.field.add(name=name, number=number)
    f.label = _F.LABEL_REPEATED if spec.repeated or spec.value is not None else _F.LABEL_OPTIONAL
    if spec.value is not None:
        entry = msg.nested_type.add(name=_entry_name(name))
        entry.options.map_entry = True
        entry.field.add(name="key", number=1, type=_F.TYPE_STRING, label=_F.LABEL_OPTIONAL)
        _set_type(entry.field.add(name="value", number=2, label=_F.LABEL_OPTIONAL), spec.value)
        f.type = _F.TYPE_MESSAGE
        f.type_name = f".{msg_name}.{entry.name}"
    else:
        _set_type(f, spec)


def _set_type(f: descriptor_pb2.FieldDescriptorProto, spec: _Field) -> None:
    if spec.message:
        f.type = _F.TYPE_MESSAGE
        f.type_name = spec.message if spec.message.startswith(".") else f".{spec.message}"
    else:
        f.type = spec.scalar
