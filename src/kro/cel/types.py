"""CEL types as the project sees them, and their correspondence with OpenAPI v3 schemas.

:class:`CelType` describes what an expression returns (``int``, ``list(string)``, an object shaped
by a Kubernetes schema...) independently of the engine's own type objects, so the compiler can
compare it with a template field's schema (:mod:`kro.cel.compat`) and infer an RGD's status schema
from it (:meth:`CelType.to_openapi`). It is also how a variable is declared when its type comes from
another expression, such as a ``forEach`` iterator typed by the element type of its list.

:func:`from_openapi` reads a schema the way kro does: integer formats are ``int``, ``number`` is
``double``, strings of format ``date-time`` or ``date`` are ``timestamp`` and of format ``duration``
are ``duration`` (as Kubernetes types them for CEL, so ``job.status.completionTime != null`` and
timestamp arithmetic check), every other string is ``string``, int-or-string and schemaless values
are ``dyn``, and ``x-kubernetes-preserve-unknown-fields`` objects are ``map(string, dyn)``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

PRESERVE = "x-kubernetes-preserve-unknown-fields"
INT_OR_STRING = "x-kubernetes-int-or-string"


class Kind(StrEnum):
    DYN = "dyn"
    NULL = "null_type"
    BOOL = "bool"
    INT = "int"
    UINT = "uint"
    DOUBLE = "double"
    STRING = "string"
    BYTES = "bytes"
    TIMESTAMP = "timestamp"
    DURATION = "duration"
    LIST = "list"
    MAP = "map"
    OBJECT = "object"
    """A structured object described by an OpenAPI schema (a run-time protobuf message type)."""
    OPTIONAL = "optional_type"
    TYPE = "type"
    OPAQUE = "opaque"
    """Any other abstract type a library declares; ``name`` holds its name."""
    ERROR = "error"


@dataclass(frozen=True)
class CelType:
    """A CEL type: ``kind`` plus type parameters (element type of a list, key and value of a map,
    value of an optional). For :attr:`Kind.OBJECT`, ``schema`` is the OpenAPI schema the type was
    built from and ``name`` the engine's message type name (empty until an environment builds it).
    """

    kind: Kind
    params: tuple[CelType, ...] = ()
    name: str = ""
    schema: Mapping[str, Any] | None = field(default=None, compare=False, hash=False, repr=False)

    @staticmethod
    def list_of(element: CelType) -> CelType:
        return CelType(Kind.LIST, (element,))

    @staticmethod
    def map_of(key: CelType, value: CelType) -> CelType:
        return CelType(Kind.MAP, (key, value))

    @staticmethod
    def optional_of(value: CelType) -> CelType:
        return CelType(Kind.OPTIONAL, (value,))

    @staticmethod
    def object_of(schema: Mapping[str, Any], name: str = "") -> CelType:
        return CelType(Kind.OBJECT, name=name, schema=schema)

    @property
    def element(self) -> CelType:
        """The element type of a list (what a ``forEach`` iterator over it is), the value type of a
        map or optional; ``dyn`` for anything else."""
        if self.kind in (Kind.LIST, Kind.OPTIONAL) and self.params:
            return self.params[0]
        if self.kind == Kind.MAP and len(self.params) == 2:
            return self.params[1]
        return DYN

    @property
    def is_dyn(self) -> bool:
        return self.kind in (Kind.DYN, Kind.ERROR)

    def __str__(self) -> str:
        if self.kind == Kind.OBJECT:
            return self.name or "object"
        if self.kind == Kind.OPAQUE:
            inner = ", ".join(str(p) for p in self.params)
            return f"{self.name}({inner})" if inner else self.name
        if self.params:
            return f"{self.kind.value}({', '.join(str(p) for p in self.params)})"
        return self.kind.value

    def to_openapi(self) -> dict[str, Any]:
        """The OpenAPI v3 schema of the values of this type, as a CRD status field would declare
        them. An object type gives back the schema it came from; an optional gives its value's
        schema (absence is expressed by leaving the field out); values with no static shape
        (``dyn``, library types) give ``x-kubernetes-preserve-unknown-fields``."""
        k = self.kind
        if k == Kind.OBJECT:
            return copy.deepcopy(dict(self.schema)) if self.schema is not None else _ANY()
        if k == Kind.LIST:
            return {"type": "array", "items": self.element.to_openapi()}
        if k == Kind.MAP:
            if self.element.is_dyn:
                return {"type": "object", PRESERVE: True}
            return {"type": "object", "additionalProperties": self.element.to_openapi()}
        if k == Kind.OPTIONAL:
            return self.element.to_openapi()
        if k == Kind.OPAQUE and self.name in _LIBRARY_OPENAPI:
            return copy.deepcopy(_LIBRARY_OPENAPI[self.name])
        scalar = _SCALAR_OPENAPI.get(k)
        return dict(scalar) if scalar is not None else _ANY()


def _ANY() -> dict[str, Any]:
    return {PRESERVE: True}


_SCALAR_OPENAPI: dict[Kind, dict[str, Any]] = {
    Kind.BOOL: {"type": "boolean"},
    Kind.INT: {"type": "integer"},
    Kind.UINT: {"type": "integer"},
    Kind.DOUBLE: {"type": "number"},
    Kind.STRING: {"type": "string"},
    Kind.BYTES: {"type": "string", "format": "byte"},
    Kind.TIMESTAMP: {"type": "string", "format": "date-time"},
    Kind.DURATION: {"type": "string"},
    Kind.TYPE: {"type": "string"},
}

# The opaque values of kro's libraries, as they come out of an evaluation (kro.cel.library.messages):
# the value types as their canonical string, a condition as its four fields.
_CONDITION_FIELDS = ("type", "status", "reason", "message")
_LIBRARY_OPENAPI: dict[str, dict[str, Any]] = {
    **{f"kro.cel.{n}": {"type": "string"} for n in ("Quantity", "Semver", "URL", "IP", "CIDR")},
    "kro.run.Condition": {
        "type": "object",
        "properties": {f: {"type": "string"} for f in _CONDITION_FIELDS},
    },
}

DYN = CelType(Kind.DYN)
NULL = CelType(Kind.NULL)
BOOL = CelType(Kind.BOOL)
INT = CelType(Kind.INT)
UINT = CelType(Kind.UINT)
DOUBLE = CelType(Kind.DOUBLE)
STRING = CelType(Kind.STRING)
BYTES = CelType(Kind.BYTES)
TIMESTAMP = CelType(Kind.TIMESTAMP)
DURATION = CelType(Kind.DURATION)
DYN_MAP = CelType.map_of(STRING, DYN)

_OPENAPI_SCALARS = {"string": STRING, "integer": INT, "number": DOUBLE, "boolean": BOOL}
_STRING_FORMATS = {"date-time": TIMESTAMP, "date": TIMESTAMP, "duration": DURATION}


def is_object_schema(schema: Mapping[str, Any]) -> bool:
    """Whether the schema describes an object with declared properties and nothing unknown,
    i.e. one that can become a message type with checked field names."""
    return (
        bool(schema.get("properties")) and schema.get(PRESERVE) is not True and not schema.get(INT_OR_STRING)
    )


def from_openapi(schema: Mapping[str, Any] | None) -> CelType:
    """The CEL type of values validated by ``schema`` (see the module docstring for the rules).

    Objects with properties become :attr:`Kind.OBJECT` carrying the schema; an environment gives
    them an engine type when the type is declared."""
    if not isinstance(schema, Mapping) or schema.get(INT_OR_STRING):
        return DYN
    t = schema.get("type")
    if t == "object" or (t is None and ("properties" in schema or "additionalProperties" in schema)):
        if is_object_schema(schema):
            return CelType.object_of(schema)
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping) and schema.get(PRESERVE) is not True and not schema.get("properties"):
            return CelType.map_of(STRING, from_openapi(extra))
        return DYN_MAP
    if t == "array":
        items = schema.get("items")
        return CelType.list_of(from_openapi(items) if isinstance(items, Mapping) else DYN)
    if t == "string":
        return _STRING_FORMATS.get(str(schema.get("format", "")), STRING)
    if isinstance(t, str) and t in _OPENAPI_SCALARS:
        return _OPENAPI_SCALARS[t]
    return DYN
