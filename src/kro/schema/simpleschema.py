"""SimpleSchema → OpenAPI v3: the schema of an RGD instance's ``spec``.

A SimpleSchema is a YAML map whose values are either *field strings*
(``"<type> | marker=value ..."``, see :mod:`kro.schema.typeexpr` and :mod:`kro.schema.markers`) or
nested maps (structs). Custom types live in the RGD's ``types`` block: a map (a struct type) or a
field string (an alias that may carry markers; an alias marked ``required=true`` makes every field
that uses it required unless the field says ``required=false``).

Conversion never stops at the first mistake: :func:`to_openapi` collects every problem, located by its
path inside ``spec.schema`` (``("spec", "replicas")``, ``("types", "Port", "number")``), and raises
one :class:`~kro.schema.errors.SchemaError` listing them all.

Output rules kept for compatibility with upstream kro: ``required`` lists are sorted; a struct whose
fields include a default and which has no required field gets ``default: {}`` (so the API server
fills nested defaults when the user omits the whole struct); ``object`` keeps unknown fields.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kro.schema.constraints import apply_markers
from kro.schema.cycles import dependency_order, find_cycles
from kro.schema.errors import SchemaError, SchemaPath, SchemaProblem, TypeSyntaxError
from kro.schema.markers import parse_markers
from kro.schema.typeexpr import (
    KEYWORDS,
    ListOf,
    MapOf,
    Named,
    Scalar,
    TypeExpr,
    Unstructured,
    parse_type,
    references,
    unknown_type_message,
)

# Nested YAML maps are not bounded by SimpleSchema itself; this only keeps absurd input from
# exhausting the interpreter's stack.
MAX_STRUCT_DEPTH = 64
# Custom types are copied into every place that uses them, so a chain of types that each use the
# previous one twice grows exponentially. Both limits are far beyond any real schema (and a CRD
# must fit in one etcd object anyway); they turn such input into an error instead of a hang.
MAX_TYPE_DEPTH = 64
MAX_SCHEMA_NODES = 20_000


def to_openapi(spec: Mapping[str, Any], types: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The OpenAPI object schema for an instance's ``spec``; raises :class:`SchemaError`."""
    builder = _Builder(types)
    if not isinstance(spec, Mapping):
        builder.problem(("spec",), f"expected a map of field names to types, found {_kind(spec)}")
        raise SchemaError(builder.problems)
    schema = builder.struct(spec, ("spec",), 0)
    if builder.problems:
        raise SchemaError(builder.problems)
    return schema


@dataclass(frozen=True)
class _CustomType:
    schema: dict[str, Any]
    required: bool  # an alias marked required=true
    nodes: int  # schema nodes in ``schema``


def _measure(schema: dict[str, Any]) -> tuple[int, int]:
    """(nesting depth, number of nodes) of a schema, without recursion."""
    depth, nodes = 0, 0
    todo = [(schema, 1)]
    while todo:
        node, level = todo.pop()
        nodes += 1
        depth = max(depth, level)
        children = list((node.get("properties") or {}).values())
        children += [node[k] for k in ("items", "additionalProperties") if isinstance(node.get(k), dict)]
        todo.extend((child, level + 1) for child in children)
    return depth, nodes


class _Builder:
    def __init__(self, types: Mapping[str, Any] | None) -> None:
        self.problems: list[SchemaProblem] = []
        self._defs: dict[str, Any] = {}
        # name → built type, or None when it is broken (its problems are already reported)
        self._built: dict[str, _CustomType | None] = {}
        self._copied_nodes = 0
        self._broken_uses = 0  # uses of a broken type; a type with any is broken too
        if types is not None:
            self._load_types(types)

    def problem(self, path: SchemaPath, message: str) -> None:
        self.problems.append(SchemaProblem(path, message))

    # --- custom types -------------------------------------------------------------------------

    def _load_types(self, types: Mapping[str, Any]) -> None:
        if not isinstance(types, Mapping):
            self.problem(("types",), f"expected a map of type names to definitions, found {_kind(types)}")
            return
        for name, definition in types.items():
            if self._valid_type_name(name):
                self._defs[name] = definition
        deps = {name: _dependencies(d, 0) & self._defs.keys() for name, d in self._defs.items()}
        for cycle in find_cycles(deps):
            self.problem(("types", cycle[0]), f"custom types form a cycle: {' -> '.join(cycle)}")
            self._built.update(dict.fromkeys(cycle))
        for name in dependency_order(deps):
            self._custom(name)

    def _valid_type_name(self, name: Any) -> bool:
        if not isinstance(name, str) or not name:
            self.problem(("types", str(name)), f"type names must be non-empty strings, found {_kind(name)}")
            return False
        if name in KEYWORDS:
            self.problem(
                ("types", name), f"{name!r} is a built-in type and cannot be redefined; pick another name"
            )
            return False
        try:
            ok = isinstance(parse_type(name), Named)
        except TypeSyntaxError:
            ok = False
        if not ok:
            self.problem(
                ("types", name),
                f"{name!r} cannot name a type: use letters, digits, '_', '-' or '.', starting with a letter",
            )
        return ok

    def _custom(self, name: str) -> _CustomType | None:
        if name in self._built:
            return self._built[name]
        self._built[name] = None  # cycles are broken in advance; this only guards re-entry
        definition, path = self._defs[name], ("types", name)
        broken_before = self._broken_uses
        schema: dict[str, Any] | None = None
        required = False
        if isinstance(definition, str):
            field = self.field_string(definition, path)
            if field is not None:
                schema, required = field
        elif isinstance(definition, Mapping):
            schema = self.struct(definition, path, 0)
        else:
            self.problem(
                path, f"a custom type is a field string or a map of fields, found {_kind(definition)}"
            )
        built = None if schema is None else self._sized(name, schema, required)
        if self._broken_uses > broken_before:
            built = None  # it uses a broken type, already reported: say nothing more about it
        self._built[name] = built
        return built

    def _sized(self, name: str, schema: dict[str, Any], required: bool) -> _CustomType | None:
        depth, nodes = _measure(schema)
        if depth > MAX_TYPE_DEPTH:
            self.problem(
                ("types", name),
                f"type {name!r} nests {depth} levels deep; at most {MAX_TYPE_DEPTH} are allowed",
            )
            return None
        return _CustomType(schema, required, nodes)

    # --- fields -------------------------------------------------------------------------------

    def struct(self, fields: Mapping[Any, Any], path: SchemaPath, depth: int) -> dict[str, Any]:
        node: dict[str, Any] = {"type": "object", "properties": {}}
        if depth > MAX_STRUCT_DEPTH:
            self.problem(path, f"structs nest more than {MAX_STRUCT_DEPTH} levels deep")
            return node
        required: set[str] = set()
        for key, value in fields.items():
            if not isinstance(key, str) or not key:
                self.problem((*path, str(key)), f"field names must be non-empty strings, found {_kind(key)}")
                continue
            built = self.field(value, (*path, key), depth)
            if built is None:
                continue
            node["properties"][key] = built[0]
            if built[1]:
                required.add(key)
        if required:
            node["required"] = sorted(required)
        elif any("default" in child for child in node["properties"].values()):
            node["default"] = {}
        return node

    def field(self, value: Any, path: SchemaPath, depth: int) -> tuple[dict[str, Any], bool] | None:
        """A field's node and whether the parent must list it as required."""
        if isinstance(value, Mapping):
            return self.struct(value, path, depth + 1), False
        if isinstance(value, str):
            return self.field_string(value, path)
        self.problem(
            path,
            f"expected a field string such as 'string | required=true' or a map of fields, found {_kind(value)}",
        )
        return None

    def field_string(self, text: str, path: SchemaPath) -> tuple[dict[str, Any], bool] | None:
        type_text, _, marker_text = text.partition("|")
        # the markers' own mistakes (an unknown or repeated marker, a missing value) are reported
        # even when the type is wrong, so that every problem of the field comes out at once
        markers, problems = parse_markers(marker_text)
        try:
            expr = parse_type(type_text)
        except TypeSyntaxError as e:
            self.problem(path, str(e))
            expr = None
        node = None if expr is None else self.resolve(expr, path)
        if node is None:
            for message in problems:
                self.problem(path, message)
            return None
        outcome = apply_markers(node, markers)
        for message in [*problems, *outcome.problems]:
            self.problem(path, message)
        alias = self._built.get(expr.name) if isinstance(expr, Named) else None
        required = outcome.required if outcome.required is not None else bool(alias and alias.required)
        return node, required

    def resolve(self, expr: TypeExpr, path: SchemaPath) -> dict[str, Any] | None:
        """The bare node for a type expression (before markers), or None if it cannot be built."""
        if isinstance(expr, Scalar):
            return {"type": expr.openapi_type}
        if isinstance(expr, Unstructured):
            return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        if isinstance(expr, ListOf):
            item = self.resolve(expr.item, path)
            return None if item is None else {"type": "array", "items": item}
        if isinstance(expr, MapOf):
            value = self.resolve(expr.value, path)
            return None if value is None else {"type": "object", "additionalProperties": value}
        if expr.name not in self._defs:
            self.problem(path, unknown_type_message(expr.name, list(self._defs)))
            return None
        custom = self._custom(expr.name)
        if custom is None:
            self._broken_uses += 1
            return None
        self._copied_nodes += custom.nodes
        if self._copied_nodes > MAX_SCHEMA_NODES:
            self._broken_uses += 1
            if self._copied_nodes - custom.nodes > MAX_SCHEMA_NODES:
                return None  # the budget ran out earlier and that was reported
            self.problem(
                path,
                f"using {expr.name!r} here makes the schema larger than {MAX_SCHEMA_NODES} nodes; "
                "custom types are copied into every field that uses them",
            )
            return None
        return copy.deepcopy(custom.schema)


def _dependencies(definition: Any, depth: int) -> set[str]:
    """Custom type names a definition refers to (syntax errors are reported when it is built)."""
    if isinstance(definition, str):
        try:
            return references(parse_type(definition.partition("|")[0]))
        except TypeSyntaxError:
            return set()
    if isinstance(definition, Mapping) and depth <= MAX_STRUCT_DEPTH:
        return set().union(*(_dependencies(v, depth + 1) for v in definition.values()))
    return set()


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list"}
    for py_type, name in names.items():
        if isinstance(value, py_type):
            return f"{name} ({value!r})" if not isinstance(value, list) else name
    return "a map" if isinstance(value, Mapping) else type(value).__name__
