"""What a compiled expression reads, found by walking its abstract syntax tree.

The walk follows CEL's scoping: a comprehension (``all``, ``exists``, ``map``, ``filter``...) binds
its iteration variables and its accumulator (``@result``) inside the loop, and ``cel.bind(name,
value, body)`` expands to a comprehension whose accumulator is ``name``; those names are local and
are neither references nor the start of a field path. Field selection chains rooted at a free
identifier become field paths: ``statefulset.status.readyReplicas`` gives ``("statefulset",
"status", "readyReplicas")``; ``has(x.a.b)`` and the optional selection ``x.?a.b`` (the ``_?._``
call) continue a chain like a plain ``.``. Indexing (``x.items[0]``, ``m["k"]``) ends the chain: the
path stops at the indexed value.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kro.cel import types as t
from kro.cel.types import CelType, Kind

OPTIONAL_SELECT = "_?._"


@dataclass(frozen=True)
class Inspection:
    """The free root identifiers of an expression and the field paths it selects."""

    roots: frozenset[str]
    field_paths: frozenset[tuple[str, ...]]


def inspect(expr: Any, *, variables: Collection[str]) -> Inspection:
    """Free identifiers and field paths of ``expr`` (a ``cel.expr.Expr``), keeping only those whose
    root is one of ``variables``."""
    walker = _Walker()
    walker.visit(expr, frozenset())
    names = set(variables)
    return Inspection(
        frozenset(r for r in walker.roots if r in names),
        frozenset(p for p in walker.paths if p[0] in names),
    )


class _Walker:
    def __init__(self) -> None:
        self.roots: set[str] = set()
        self.paths: set[tuple[str, ...]] = set()

    def visit(self, e: Any, scope: frozenset[str]) -> None:
        kind = e.WhichOneof("expr_kind")
        if kind in ("select_expr", "ident_expr") or _is_optional_select(e):
            chain = _select_chain(e)
            if chain is not None:
                if chain[0] not in scope:
                    self.roots.add(chain[0])
                    self.paths.add(chain)
                return
        for child, inner in _children(e, scope):
            self.visit(child, inner)


def _is_optional_select(e: Any) -> bool:
    if e.WhichOneof("expr_kind") != "call_expr":
        return False
    call = e.call_expr
    return (
        call.function == OPTIONAL_SELECT
        and not call.HasField("target")
        and len(call.args) == 2
        and call.args[1].const_expr.WhichOneof("constant_kind") == "string_value"
    )


def _select_chain(e: Any) -> tuple[str, ...] | None:
    """``(root, field, field...)`` when ``e`` is a chain of selections ending in an identifier."""
    fields: list[str] = []
    while True:
        kind = e.WhichOneof("expr_kind")
        if kind == "select_expr":
            fields.append(e.select_expr.field)
            e = e.select_expr.operand
        elif kind == "ident_expr":
            return (e.ident_expr.name, *reversed(fields))
        elif _is_optional_select(e):
            fields.append(e.call_expr.args[1].const_expr.string_value)
            e = e.call_expr.args[0]
        else:
            return None


def plain_selection(e: Any) -> tuple[str, ...] | None:
    """``(root, field, field...)`` when ``e`` is nothing but field selections on an identifier
    (``schema.spec.name``; no ``has()``, no optional selection, no index, no call)."""
    fields: list[str] = []
    while e.WhichOneof("expr_kind") == "select_expr" and not e.select_expr.test_only:
        fields.append(e.select_expr.field)
        e = e.select_expr.operand
    if e.WhichOneof("expr_kind") != "ident_expr" or not fields:
        return None
    return (e.ident_expr.name, *reversed(fields))


def _children(e: Any, scope: frozenset[str]) -> Iterator[tuple[Any, frozenset[str]]]:
    kind = e.WhichOneof("expr_kind")
    if kind == "select_expr":
        yield e.select_expr.operand, scope
    elif kind == "call_expr":
        call = e.call_expr
        if call.HasField("target"):
            yield call.target, scope
        for a in call.args:
            yield a, scope
    elif kind == "list_expr":
        for el in e.list_expr.elements:
            yield el, scope
    elif kind == "struct_expr":
        for entry in e.struct_expr.entries:
            if entry.HasField("map_key"):
                yield entry.map_key, scope
            yield entry.value, scope
    elif kind == "comprehension_expr":
        c = e.comprehension_expr
        yield c.iter_range, scope
        yield c.accu_init, scope
        loop = scope | {c.iter_var, c.accu_var} | ({c.iter_var2} if c.iter_var2 else set())
        yield c.loop_condition, loop
        yield c.loop_step, loop
        yield c.result, scope | {c.accu_var}


def children(e: Any) -> Iterator[Any]:
    """The direct subexpressions of a node, in the order the engine evaluates them."""
    for child, _ in _children(e, frozenset()):
        yield child


def calls(expr: Any) -> Iterator[tuple[int, str, tuple[int, ...]]]:
    """Every call of a tree: its id, its function name and the ids of its operands (the receiver
    of a method call first)."""
    stack = [expr]
    while stack:
        e = stack.pop()
        if e.WhichOneof("expr_kind") == "call_expr":
            call = e.call_expr
            operands = ([call.target] if call.HasField("target") else []) + list(call.args)
            yield e.id, call.function, tuple(o.id for o in operands)
        stack.extend(child for child, _ in _children(e, frozenset()))


def leaked_optional(expr: Any, types: Mapping[int, CelType], *, guarded: Collection[str]) -> int | None:
    """The id of an optional value that could reach one of the ``guarded`` functions, or ``None``.

    An optional is harmless where it is consumed (``orValue``, ``hasValue``, ``==``...), kept
    (its parent is itself optional-typed and is judged in turn), or unwrapped (``[?x]``,
    ``{?k: v}``). It leaks when passed to a guarded function or when its type is erased: an
    element or entry of a ``dyn`` list or map, a ``dyn(...)`` conversion, a branch of a ternary
    whose type is not optional. Erased values can travel anywhere, so once the expression calls a
    guarded function at all, every erasure counts."""
    if not any(function in guarded for _, function, _ in calls(expr)):
        return None
    stack: list[Any] = [expr]
    while stack:
        parent = stack.pop()
        kept = holds_optional(types.get(parent.id, t.DYN))
        into_python = parent.WhichOneof("expr_kind") == "call_expr" and parent.call_expr.function in guarded
        for child, unwrapped in _operands(parent):
            stack.append(child)
            if into_python and holds_optional(types.get(child.id, t.DYN)):
                return int(child.id)  # whatever the call returns, the optional reaches Python
            if kept or unwrapped or not holds_optional(types.get(child.id, t.DYN)):
                continue
            if parent.WhichOneof("expr_kind") != "call_expr":
                return int(child.id)
            function = parent.call_expr.function
            if function in guarded or function in ("dyn", "_?_:_"):
                return int(child.id)
    return None


def _operands(e: Any) -> Iterator[tuple[Any, bool]]:
    """The direct sub-expressions of ``e`` and whether ``e`` unwraps each (optional list elements
    and map entries)."""
    kind = e.WhichOneof("expr_kind")
    if kind == "list_expr":
        marked = set(e.list_expr.optional_indices)
        for i, el in enumerate(e.list_expr.elements):
            yield el, i in marked
    elif kind == "struct_expr":
        for entry in e.struct_expr.entries:
            if entry.HasField("map_key"):
                yield entry.map_key, False
            yield entry.value, entry.optional_entry
    else:
        for child, _ in _children(e, frozenset()):
            yield child, False


def holds_optional(ct: CelType) -> bool:
    """Whether ``ct`` is an optional or contains one (``list(optional_type(int))``)."""
    return ct.kind == Kind.OPTIONAL or any(holds_optional(p) for p in ct.params)


@dataclass(frozen=True)
class Located:
    """A node of the parsed tree that names something: an identifier or a function call."""

    offset: int
    name: str
    is_call: bool
    namespace_offset: int | None = None
    """For ``ns.f(...)`` with ``ns`` a free identifier: where ``ns`` is (it is not a variable)."""


def named_nodes(parsed: Any, *, variables: Collection[str]) -> list[Located]:
    """Every identifier and call of a parsed (unchecked) tree with its source offset, function names
    qualified as written (``random.seededString``) when the receiver is a chain of identifiers
    that are neither ``variables`` nor local."""
    positions = parsed.source_info.positions
    out: list[Located] = []
    stack: list[tuple[Any, frozenset[str]]] = [(parsed.expr, frozenset())]
    while stack:
        e, scope = stack.pop()
        kind = e.WhichOneof("expr_kind")
        pos = positions.get(e.id, -1)
        if kind == "ident_expr" and e.ident_expr.name not in scope:
            out.append(Located(pos, e.ident_expr.name, is_call=False))
        elif kind == "call_expr":
            call = e.call_expr
            name, ns_offset = call.function, None
            if call.HasField("target"):
                chain = _select_chain(call.target)
                if chain is not None and chain[0] not in scope and chain[0] not in variables:
                    name = ".".join((*chain, call.function))
                    ns_offset = positions.get(call.target.id, -1)
            out.append(Located(pos, name, is_call=True, namespace_offset=ns_offset))
        stack.extend(_children(e, scope))
    return out


def selected_at(parsed: Any, offset: int) -> tuple[str, ...] | None:
    """The chain of names a selection at ``offset`` applies to (``("deploy", "spec")`` for the
    ``.x`` of ``deploy.spec.x``), or ``None`` when there is none or it is not a plain chain."""
    positions = parsed.source_info.positions
    stack = [parsed.expr]
    while stack:
        e = stack.pop()
        if e.WhichOneof("expr_kind") == "select_expr" and positions.get(e.id) == offset:
            return _select_chain(e.select_expr.operand)
        stack.extend(child for child, _ in _children(e, frozenset()))
    return None


_PRIMITIVES = {1: t.BOOL, 2: t.INT, 3: t.UINT, 4: t.DOUBLE, 5: t.STRING, 6: t.BYTES}
_WELL_KNOWN = {1: t.DYN, 2: t.TIMESTAMP, 3: t.DURATION}
_PROTOBUF_MESSAGES = {
    "google.protobuf.Struct": t.DYN_MAP,
    "google.protobuf.Value": t.DYN,
    "google.protobuf.ListValue": CelType.list_of(t.DYN),
    "google.protobuf.Any": t.DYN,
    "google.protobuf.Timestamp": t.TIMESTAMP,
    "google.protobuf.Duration": t.DURATION,
    "google.protobuf.BoolValue": t.BOOL,
    "google.protobuf.Int64Value": t.INT,
    "google.protobuf.Int32Value": t.INT,
    "google.protobuf.UInt64Value": t.UINT,
    "google.protobuf.UInt32Value": t.UINT,
    "google.protobuf.DoubleValue": t.DOUBLE,
    "google.protobuf.FloatValue": t.DOUBLE,
    "google.protobuf.StringValue": t.STRING,
    "google.protobuf.BytesValue": t.BYTES,
}


def cel_type(proto: Any, *, schema_of: Any) -> CelType:
    """The :class:`CelType` of a checked ``cel.expr.Type``; ``schema_of(message name)`` gives the
    OpenAPI schema a run-time message type was built from."""
    kind = proto.WhichOneof("type_kind")
    if kind == "primitive" or kind == "wrapper":
        return _PRIMITIVES.get(getattr(proto, kind), t.DYN)
    if kind == "well_known":
        return _WELL_KNOWN.get(proto.well_known, t.DYN)
    if kind == "null":
        return t.NULL
    if kind == "list_type":
        return CelType.list_of(cel_type(proto.list_type.elem_type, schema_of=schema_of))
    if kind == "map_type":
        m = proto.map_type
        return CelType.map_of(
            cel_type(m.key_type, schema_of=schema_of), cel_type(m.value_type, schema_of=schema_of)
        )
    if kind == "message_type":
        name = proto.message_type
        known = _PROTOBUF_MESSAGES.get(name)
        if known is not None:
            return known
        schema = schema_of(name)
        # A message type not built from a schema is a library's opaque value (quantity, URL...).
        return CelType.object_of(schema, name) if schema is not None else CelType(Kind.OPAQUE, name=name)
    if kind == "type":
        return CelType(Kind.TYPE, (cel_type(proto.type, schema_of=schema_of),))
    if kind == "error":
        return CelType(Kind.ERROR)
    if kind == "abstract_type":
        a = proto.abstract_type
        params = tuple(cel_type(p, schema_of=schema_of) for p in a.parameter_types)
        if a.name == "optional_type":
            return CelType(Kind.OPTIONAL, params or (t.DYN,))
        return CelType(Kind.OPAQUE, params, name=a.name)
    return t.DYN
