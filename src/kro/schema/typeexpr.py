"""SimpleSchema type expressions: the part of a field string before the first ``|``.

Grammar (whitespace around each part is ignored)::

    type  := "string" | "integer" | "boolean" | "float" | "object"
           | "[]" type                 a list
           | "map[string]" type        a map; any key type other than string is an error
           | NAME                      a custom type from the RGD's ``types``

``float`` is the SimpleSchema spelling of OpenAPI ``number``; the word ``number`` itself is not a
keyword (it would name a custom type). Expressions nest at most :data:`MAX_NESTING` levels deep.
"""

from __future__ import annotations

from dataclasses import dataclass

from kro.schema.errors import TypeSyntaxError, did_you_mean

MAX_NESTING = 16

# SimpleSchema keyword → OpenAPI type.
SCALARS = {"string": "string", "integer": "integer", "boolean": "boolean", "float": "number"}
KEYWORDS = (*SCALARS, "object")

# Spellings from other languages that users reach for, with what SimpleSchema calls them.
FOREIGN_SPELLINGS = {
    "number": "float",
    "double": "float",
    "float64": "float",
    "int": "integer",
    "int32": "integer",
    "int64": "integer",
    "bool": "boolean",
    "str": "string",
    "map": "map[string]<type>",
    "dict": "map[string]<type>",
    "list": "[]<type>",
    "array": "[]<type>",
}


@dataclass(frozen=True)
class Scalar:
    openapi_type: str  # string | integer | boolean | number


@dataclass(frozen=True)
class Unstructured:
    """``object``: any JSON object, kept as written (``x-kubernetes-preserve-unknown-fields``)."""


@dataclass(frozen=True)
class ListOf:
    item: TypeExpr


@dataclass(frozen=True)
class MapOf:
    value: TypeExpr


@dataclass(frozen=True)
class Named:
    name: str


TypeExpr = Scalar | Unstructured | ListOf | MapOf | Named


def parse_type(text: str) -> TypeExpr:
    """Parse a type expression; raises :class:`TypeSyntaxError` with a user-facing message."""
    return _parse(text, text, 0)


def _parse(text: str, whole: str, depth: int) -> TypeExpr:
    if depth > MAX_NESTING:
        raise TypeSyntaxError(f"type {whole.strip()!r} nests more than {MAX_NESTING} levels deep")
    s = text.strip()
    if not s:
        raise TypeSyntaxError(_empty_message(whole, depth))
    if s in SCALARS:
        return Scalar(SCALARS[s])
    if s == "object":
        return Unstructured()
    if s.startswith("[]"):
        return ListOf(_parse(s[2:], whole, depth + 1))
    if s.startswith("map["):
        key, sep, rest = s[4:].partition("]")
        if not sep:
            raise TypeSyntaxError(f"map type {s!r} has no closing ']' after its key type")
        if key.strip() != "string":
            raise TypeSyntaxError(
                f"map keys must be strings: write map[string]<type>, found key type {key.strip()!r} in {s!r}"
            )
        return MapOf(_parse(rest, whole, depth + 1))
    if not _is_name(s):
        raise TypeSyntaxError(
            f"{s!r} is not a type: expected string, integer, boolean, float, object, []<type>, "
            "map[string]<type> or the name of a custom type"
        )
    return Named(s)


def _empty_message(whole: str, depth: int) -> str:
    if depth == 0:
        return "the field has no type: expected e.g. 'string', 'integer | default=1' or '[]string'"
    return f"type {whole.strip()!r} is missing its element type after '[]' or 'map[string]'"


def _is_name(s: str) -> bool:
    return s.replace("_", "a").replace("-", "a").replace(".", "a").isalnum() and not s[0].isdigit()


def references(expr: TypeExpr) -> set[str]:
    """The custom type names an expression uses."""
    if isinstance(expr, Named):
        return {expr.name}
    if isinstance(expr, ListOf):
        return references(expr.item)
    if isinstance(expr, MapOf):
        return references(expr.value)
    return set()


def unknown_type_message(name: str, custom_types: list[str]) -> str:
    """Explain an unknown type name, pointing at the keyword or custom type most likely meant."""
    if name in FOREIGN_SPELLINGS:
        hint = f"; SimpleSchema spells it {FOREIGN_SPELLINGS[name]!r}"
    else:
        hint = did_you_mean(name, [*KEYWORDS, *custom_types])
    known = ", ".join(sorted(custom_types)) if custom_types else "none are defined"
    return (
        f"unknown type {name!r}{hint}; built-in types are string, integer, boolean, float, object, "
        f"[]<type>, map[string]<type>; custom types: {known}"
    )
