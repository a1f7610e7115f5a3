"""Protobuf message types that stand for the library's opaque CEL values.

Kubernetes' CEL libraries return opaque values (Quantity, URL, IP, CIDR, Semver) and kro returns a
typed Condition.  cel-expr-python cannot return an opaque value from Python, but it can return a
protobuf message of a type known to the environment's descriptor pool, and a message type is a
real CEL type: member functions are declared on it, misuse fails type-checking, and ``==`` works.
Each value type is a message with one string field holding a canonical form of the value, so that
equal values are equal messages.  The Condition message has kro's four condition fields, which
expressions read directly (``runtime.condition(schema, 'Ready').status``).

The descriptors are added to the default descriptor pool when this module is imported, as
generated ``*_pb2`` modules do; an environment built on another pool must first call
:func:`register_types` on that pool.
"""

from __future__ import annotations

from typing import Any

from cel_expr_python import cel
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

VALUE_PACKAGE = "kro.cel"
CONDITION_PACKAGE = "kro.run"

QUANTITY = f"{VALUE_PACKAGE}.Quantity"
SEMVER = f"{VALUE_PACKAGE}.Semver"
URL = f"{VALUE_PACKAGE}.URL"
IP = f"{VALUE_PACKAGE}.IP"
CIDR = f"{VALUE_PACKAGE}.CIDR"
CONDITION = f"{CONDITION_PACKAGE}.Condition"
OMIT = f"{CONDITION_PACKAGE}.Omit"

CONDITION_FIELDS = ("type", "status", "reason", "message")
_VALUE_TYPES = ("Quantity", "Semver", "URL", "IP", "CIDR")
_STRING = descriptor_pb2.FieldDescriptorProto.TYPE_STRING
_OPTIONAL = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL


def _file(
    name: str, package: str, messages: dict[str, tuple[str, ...]]
) -> descriptor_pb2.FileDescriptorProto:
    proto = descriptor_pb2.FileDescriptorProto(name=name, package=package, syntax="proto3")
    for message_name, fields in messages.items():
        message = proto.message_type.add(name=message_name)
        for number, field in enumerate(fields, start=1):
            message.field.add(name=field, number=number, type=_STRING, label=_OPTIONAL, json_name=field)
    return proto


def file_descriptors() -> tuple[descriptor_pb2.FileDescriptorProto, ...]:
    """The library's message types, to add to a custom descriptor pool."""
    return (
        _file("kro/cel/library_values.proto", VALUE_PACKAGE, {n: ("value",) for n in _VALUE_TYPES}),
        _file("kro/run/condition.proto", CONDITION_PACKAGE, {"Condition": CONDITION_FIELDS, "Omit": ()}),
    )


def register_types(pool: descriptor_pool.DescriptorPool) -> None:
    """Add the library's message types to ``pool`` unless it already has them."""
    for proto in file_descriptors():
        try:
            pool.FindFileByName(proto.name)
        except KeyError:
            pool.Add(proto)


def _register_default() -> dict[str, Any]:
    pool = descriptor_pool.Default()
    register_types(pool)
    names = [f"{VALUE_PACKAGE}.{n}" for n in _VALUE_TYPES] + [CONDITION, OMIT]
    return {n: message_factory.GetMessageClass(pool.FindMessageTypeByName(n)) for n in names}


# Message classes by full name; fixed once at import, like a generated module's classes.
_CLASSES = _register_default()


def new(type_name: str, **fields: str) -> Any:
    """A new message of the library type ``type_name`` with the given string fields."""
    return _CLASSES[type_name](**fields)


def type_name_of(value: object) -> str | None:
    """The full protobuf name of ``value`` if it is a message, else ``None``."""
    descriptor = getattr(value, "DESCRIPTOR", None)
    full_name = getattr(descriptor, "full_name", None)
    return full_name if isinstance(full_name, str) else None


def cel_type(type_name: str) -> cel.Type:
    """The CEL type of the library message ``type_name``."""
    return cel.Type(type_name)


def native_value(value: Any) -> Any:
    """Convert a library message to plain data for output; other values are returned unchanged.

    Value types become their canonical string; a Condition becomes a dict of its four fields;
    ``omit()``'s message becomes :data:`kro.cel.library.omit.OMIT`.
    """
    name = type_name_of(value)
    if name == OMIT:
        from kro.cel.library.omit import OMIT as omitted

        return omitted
    if name == CONDITION:
        return {field: getattr(value, field) for field in CONDITION_FIELDS}
    if name is not None and name.startswith(VALUE_PACKAGE + "."):
        return str(value.value)
    return value
