"""Protobuf descriptors of CEL's abstract syntax tree (``cel.expr.ParsedExpr``/``CheckedExpr``).

``Expression.serialize()`` returns the compiled expression as a ``google.protobuf.Any`` holding a
``cel.expr.CheckedExpr`` (or a ``cel.expr.ParsedExpr`` when type checking was skipped). No package on
the registries ships Python classes for these messages, so they are declared here from the field
numbers of the CEL specification (``cel/expr/syntax.proto`` and ``checked.proto``) and built into a
private descriptor pool. Only decoding is needed; the ``SourceInfo.extensions`` field is left out and
simply skipped by the decoder.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import (
    any_pb2,
    descriptor_pb2,
    descriptor_pool,
    duration_pb2,
    empty_pb2,
    message_factory,
    struct_pb2,
    timestamp_pb2,
)

_F = descriptor_pb2.FieldDescriptorProto
_SCALARS = {
    "string": _F.TYPE_STRING,
    "bool": _F.TYPE_BOOL,
    "int64": _F.TYPE_INT64,
    "uint64": _F.TYPE_UINT64,
    "int32": _F.TYPE_INT32,
    "double": _F.TYPE_DOUBLE,
    "bytes": _F.TYPE_BYTES,
}
_ENUMS = {".google.protobuf.NullValue", ".cel.expr.Type.PrimitiveType", ".cel.expr.Type.WellKnownType"}

# (name, number, type, repeated, oneof index or None)
_FieldSpec = tuple[str, int, str, bool, int | None]


def _add_fields(msg: descriptor_pb2.DescriptorProto, fields: list[_FieldSpec]) -> None:
    for name, number, type_, repeated, oneof in fields:
        f = msg.field.add(name=name, number=number)
        f.label = _F.LABEL_REPEATED if repeated else _F.LABEL_OPTIONAL
        if type_ in _SCALARS:
            f.type = _SCALARS[type_]
        else:
            f.type = _F.TYPE_ENUM if type_ in _ENUMS else _F.TYPE_MESSAGE
            f.type_name = type_
        if oneof is not None:
            f.oneof_index = oneof


def _add_map(msg: descriptor_pb2.DescriptorProto, full_name: str, field: tuple[str, int, str, str]) -> None:
    """A ``map<key, value>`` field: protobuf spells it as a repeated nested ``<Name>Entry`` message."""
    name, number, key, value = field
    entry_name = "".join(p.capitalize() for p in name.split("_")) + "Entry"
    entry = msg.nested_type.add(name=entry_name)
    entry.options.map_entry = True
    _add_fields(entry, [("key", 1, key, False, None), ("value", 2, value, False, None)])
    _add_fields(msg, [(name, number, f"{full_name}.{entry_name}", True, None)])


def _message(
    container: Any, full_prefix: str, name: str, fields: list[_FieldSpec], oneofs: tuple[str, ...] = ()
) -> descriptor_pb2.DescriptorProto:
    msg = container.add(name=name)
    for o in oneofs:
        msg.oneof_decl.add(name=o)
    _add_fields(msg, fields)
    return msg


def _syntax_and_checked_file() -> descriptor_pb2.FileDescriptorProto:
    fd = descriptor_pb2.FileDescriptorProto(name="kro/cel/expr.proto", package="cel.expr", syntax="proto3")
    fd.dependency.extend(
        [
            "google/protobuf/struct.proto",
            "google/protobuf/empty.proto",
            "google/protobuf/duration.proto",
            "google/protobuf/timestamp.proto",
        ]
    )
    top = fd.message_type
    e = ".cel.expr.Expr"
    t = ".cel.expr.Type"
    expr = _message(
        top,
        ".cel.expr",
        "Expr",
        [
            ("id", 2, "int64", False, None),
            ("const_expr", 3, ".cel.expr.Constant", False, 0),
            ("ident_expr", 4, f"{e}.Ident", False, 0),
            ("select_expr", 5, f"{e}.Select", False, 0),
            ("call_expr", 6, f"{e}.Call", False, 0),
            ("list_expr", 7, f"{e}.CreateList", False, 0),
            ("struct_expr", 8, f"{e}.CreateStruct", False, 0),
            ("comprehension_expr", 9, f"{e}.Comprehension", False, 0),
        ],
        ("expr_kind",),
    )
    nested = expr.nested_type
    _message(nested, e, "Ident", [("name", 1, "string", False, None)])
    _message(
        nested,
        e,
        "Select",
        [
            ("operand", 1, e, False, None),
            ("field", 2, "string", False, None),
            ("test_only", 3, "bool", False, None),
        ],
    )
    _message(
        nested,
        e,
        "Call",
        [("target", 1, e, False, None), ("function", 2, "string", False, None), ("args", 3, e, True, None)],
    )
    _message(
        nested,
        e,
        "CreateList",
        [("elements", 1, e, True, None), ("optional_indices", 2, "int32", True, None)],
    )
    struct = _message(
        nested,
        e,
        "CreateStruct",
        [("message_name", 1, "string", False, None), ("entries", 2, f"{e}.CreateStruct.Entry", True, None)],
    )
    _message(
        struct.nested_type,
        f"{e}.CreateStruct",
        "Entry",
        [
            ("id", 1, "int64", False, None),
            ("field_key", 2, "string", False, 0),
            ("map_key", 3, e, False, 0),
            ("value", 4, e, False, None),
            ("optional_entry", 5, "bool", False, None),
        ],
        ("key_kind",),
    )
    _message(
        nested,
        e,
        "Comprehension",
        [
            ("iter_var", 1, "string", False, None),
            ("iter_range", 2, e, False, None),
            ("accu_var", 3, "string", False, None),
            ("accu_init", 4, e, False, None),
            ("loop_condition", 5, e, False, None),
            ("loop_step", 6, e, False, None),
            ("result", 7, e, False, None),
            ("iter_var2", 8, "string", False, None),
        ],
    )
    _message(
        top,
        ".cel.expr",
        "Constant",
        [
            ("null_value", 1, ".google.protobuf.NullValue", False, 0),
            ("bool_value", 2, "bool", False, 0),
            ("int64_value", 3, "int64", False, 0),
            ("uint64_value", 4, "uint64", False, 0),
            ("double_value", 5, "double", False, 0),
            ("string_value", 6, "string", False, 0),
            ("bytes_value", 7, "bytes", False, 0),
            ("duration_value", 8, ".google.protobuf.Duration", False, 0),
            ("timestamp_value", 9, ".google.protobuf.Timestamp", False, 0),
        ],
        ("constant_kind",),
    )
    source = _message(
        top,
        ".cel.expr",
        "SourceInfo",
        [
            ("syntax_version", 1, "string", False, None),
            ("location", 2, "string", False, None),
            ("line_offsets", 3, "int32", True, None),
        ],
    )
    _add_map(source, ".cel.expr.SourceInfo", ("positions", 4, "int64", "int32"))
    _add_map(source, ".cel.expr.SourceInfo", ("macro_calls", 5, "int64", e))
    _message(
        top,
        ".cel.expr",
        "ParsedExpr",
        [("expr", 2, e, False, None), ("source_info", 3, ".cel.expr.SourceInfo", False, None)],
    )
    _add_type_messages(top)
    _message(
        top,
        ".cel.expr",
        "Reference",
        [
            ("name", 1, "string", False, None),
            ("overload_id", 3, "string", True, None),
            ("value", 4, ".cel.expr.Constant", False, None),
        ],
    )
    checked = _message(
        top,
        ".cel.expr",
        "CheckedExpr",
        [
            ("source_info", 5, ".cel.expr.SourceInfo", False, None),
            ("expr_version", 6, "string", False, None),
            ("expr", 4, e, False, None),
        ],
    )
    _add_map(checked, ".cel.expr.CheckedExpr", ("reference_map", 2, "int64", ".cel.expr.Reference"))
    _add_map(checked, ".cel.expr.CheckedExpr", ("type_map", 3, "int64", t))
    return fd


def _add_type_messages(top: Any) -> None:
    t = ".cel.expr.Type"
    type_msg = _message(
        top,
        ".cel.expr",
        "Type",
        [
            ("dyn", 1, ".google.protobuf.Empty", False, 0),
            ("null", 2, ".google.protobuf.NullValue", False, 0),
            ("primitive", 3, f"{t}.PrimitiveType", False, 0),
            ("wrapper", 4, f"{t}.PrimitiveType", False, 0),
            ("well_known", 5, f"{t}.WellKnownType", False, 0),
            ("list_type", 6, f"{t}.ListType", False, 0),
            ("map_type", 7, f"{t}.MapType", False, 0),
            ("function", 8, f"{t}.FunctionType", False, 0),
            ("message_type", 9, "string", False, 0),
            ("type_param", 10, "string", False, 0),
            ("type", 11, t, False, 0),
            ("error", 12, ".google.protobuf.Empty", False, 0),
            ("abstract_type", 14, f"{t}.AbstractType", False, 0),
        ],
        ("type_kind",),
    )
    nested = type_msg.nested_type
    _message(nested, t, "ListType", [("elem_type", 1, t, False, None)])
    _message(nested, t, "MapType", [("key_type", 1, t, False, None), ("value_type", 2, t, False, None)])
    _message(nested, t, "FunctionType", [("result_type", 1, t, False, None), ("arg_types", 2, t, True, None)])
    _message(
        nested, t, "AbstractType", [("name", 1, "string", False, None), ("parameter_types", 2, t, True, None)]
    )
    prim = type_msg.enum_type.add(name="PrimitiveType")
    for i, n in enumerate(
        ["PRIMITIVE_TYPE_UNSPECIFIED", "BOOL", "INT64", "UINT64", "DOUBLE", "STRING", "BYTES"]
    ):
        prim.value.add(name=n, number=i)
    wk = type_msg.enum_type.add(name="WellKnownType")
    for i, n in enumerate(["WELL_KNOWN_TYPE_UNSPECIFIED", "ANY", "TIMESTAMP", "DURATION"]):
        wk.value.add(name=n, number=i)


def _build() -> dict[str, Any]:
    pool = descriptor_pool.DescriptorPool()
    for dep in (struct_pb2, empty_pb2, duration_pb2, timestamp_pb2):
        fdp = descriptor_pb2.FileDescriptorProto()
        dep.DESCRIPTOR.CopyToProto(fdp)
        pool.Add(fdp)
    pool.Add(_syntax_and_checked_file())
    return {
        name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"cel.expr.{name}"))
        for name in ("CheckedExpr", "ParsedExpr", "Expr", "Type", "Constant")
    }


_CLASSES = _build()
CheckedExpr: Any = _CLASSES["CheckedExpr"]
ParsedExpr: Any = _CLASSES["ParsedExpr"]
Expr: Any = _CLASSES["Expr"]
Type: Any = _CLASSES["Type"]

_CHECKED_URL = "type.googleapis.com/cel.expr.CheckedExpr"
_PARSED_URL = "type.googleapis.com/cel.expr.ParsedExpr"


def decode(serialized: bytes) -> Any:
    """The ``CheckedExpr`` (or ``ParsedExpr``) message inside an ``Expression.serialize()`` result."""
    wrapper = any_pb2.Any()
    wrapper.ParseFromString(serialized)
    if wrapper.type_url == _CHECKED_URL:
        msg = CheckedExpr()
    elif wrapper.type_url == _PARSED_URL:
        msg = ParsedExpr()
    else:
        raise ValueError(f"unexpected serialized CEL AST type {wrapper.type_url!r}")
    msg.ParseFromString(wrapper.value)
    return msg
