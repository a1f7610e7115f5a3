"""From a checked expression to the program that evaluates it: guards inserted into the tree.

The checking environment type-checks an expression and expands its macros; the evaluating
environment runs that checked tree (``Env.deserialize``), so what runs is exactly what was
checked. Before it runs, the tree is rewritten:

* every ``lists.range(n)`` becomes ``lists.range(@kro.rangeSize(n))``, which refuses sizes the
  engine would allocate before any iteration budget applies (and gives upstream's empty list for
  a negative ``n``);
* when ``metered``, every call that builds a string, bytes, list or map ``x`` becomes
  ``cel.bind(@kro.vN, x, @kro.charge(size(@kro.vN)) ? @kro.vN : @kro.vN)``, so the evaluation's
  :class:`~kro.cel.library.guards.Meter` counts the size of each value built and stops the
  evaluation once its budget is spent, one step after the first value that crosses it: values
  cannot grow past a small multiple of the budget.

Each inserted node gets a fresh id past the tree's own. Metering costs a call into Python per
built value, so only expressions whose estimated cost could exceed the budget
(:mod:`kro.cel.cost`) are metered.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from google.protobuf import any_pb2

from kro.cel import checked_expr
from kro.cel.library.guards import CHARGE, RANGE_SIZE

_RANGE = "lists.range"
_SIZED = frozenset({"list_type", "map_type"})
_SIZED_PRIMITIVES = frozenset({5, 6})  # STRING, BYTES
# Calls that build nothing new, or nothing larger than what they were given.
_NOT_BUILDING = frozenset({"_[_]", "_?._", "_[?_]", "dyn", CHARGE, RANGE_SIZE, "@not_strictly_false"})


def prepare(serialized: bytes, *, metered: bool) -> bytes:
    """``serialized`` (an ``Expression.serialize()`` of a checked expression) with the guards in."""
    wrapper = any_pb2.Any()
    wrapper.ParseFromString(serialized)
    checked = checked_expr.decode(serialized)
    if not _needs_rewrite(checked.expr, metered=metered):
        return serialized
    ids = _Ids(max(_all_ids(checked.expr), default=0) + 1)
    _rewrite(checked, checked.expr, ids, metered=metered)
    wrapper.value = checked.SerializeToString()
    return bytes(wrapper.SerializeToString())


class _Ids:
    def __init__(self, start: int) -> None:
        self.next = start

    def take(self) -> int:
        self.next += 1
        return self.next - 1


def _children(e: Any) -> Iterator[Any]:
    kind = e.WhichOneof("expr_kind")
    if kind == "select_expr":
        yield e.select_expr.operand
    elif kind == "call_expr":
        if e.call_expr.HasField("target"):
            yield e.call_expr.target
        yield from e.call_expr.args
    elif kind == "list_expr":
        yield from e.list_expr.elements
    elif kind == "struct_expr":
        for entry in e.struct_expr.entries:
            if entry.HasField("map_key"):
                yield entry.map_key
            yield entry.value
    elif kind == "comprehension_expr":
        c = e.comprehension_expr
        yield from (c.iter_range, c.accu_init, c.loop_condition, c.loop_step, c.result)


def _all_ids(e: Any) -> Iterator[int]:
    stack = [e]
    while stack:
        node = stack.pop()
        yield int(node.id)
        stack.extend(_children(node))


def _needs_rewrite(e: Any, *, metered: bool) -> bool:
    if metered:
        return True
    stack = [e]
    while stack:
        node = stack.pop()
        if node.WhichOneof("expr_kind") == "call_expr" and node.call_expr.function == _RANGE:
            return True
        stack.extend(_children(node))
    return False


def _rewrite(
    checked: Any, e: Any, ids: _Ids, *, metered: bool, accumulators: frozenset[str] = frozenset()
) -> None:
    kind = e.WhichOneof("expr_kind")
    inner = accumulators
    if kind == "comprehension_expr":
        inner = accumulators | {e.comprehension_expr.accu_var}
    for child in list(_children(e)):
        _rewrite(checked, child, ids, metered=metered, accumulators=inner)
    if kind != "call_expr":
        return
    call = e.call_expr
    if call.function == _RANGE and len(call.args) == 1 and not call.HasField("target"):
        guard = _call(ids, RANGE_SIZE, [call.args[0]])
        checked.type_map[guard.id].primitive = 2  # INT64
        call.args[0].CopyFrom(guard)
    if (
        metered
        and call.function not in _NOT_BUILDING
        and not _appends_to_accumulator(call, accumulators)
        and _is_sized(checked.type_map.get(e.id))
    ):
        _meter(checked, e, ids)


def _appends_to_accumulator(call: Any, accumulators: frozenset[str]) -> bool:
    """``@result + [x]``, the step of ``map``/``filter``: the engine appends in place, so only
    the new element (charged where it was built) costs anything."""
    if call.function != "_+_" or not call.args:
        return False
    first = call.args[0]
    return first.WhichOneof("expr_kind") == "ident_expr" and first.ident_expr.name in accumulators


def _is_sized(t: Any) -> bool:
    if t is None:
        return False
    kind = t.WhichOneof("type_kind")
    return kind in _SIZED or (kind == "primitive" and t.primitive in _SIZED_PRIMITIVES)


def _meter(checked: Any, e: Any, ids: _Ids) -> None:
    """``e`` → ``cel.bind(v, e, @kro.charge(size(v)) ? v : v)`` (``cel.bind``'s own expansion)."""
    value = checked_expr.Expr()
    value.CopyFrom(e)
    var = f"@kro.v{ids.next}"
    charge = _call(ids, CHARGE, [_call(ids, "size", [_ident(ids, var)])])
    body = _call(ids, "_?_:_", [charge, _ident(ids, var), _ident(ids, var)])
    out = checked_expr.Expr(id=ids.take())
    c = out.comprehension_expr
    c.iter_var = "#unused"
    c.iter_range.id = ids.take()
    c.iter_range.list_expr.SetInParent()
    c.accu_var = var
    c.accu_init.CopyFrom(value)
    c.loop_condition.id = ids.take()
    c.loop_condition.const_expr.bool_value = False
    c.loop_step.CopyFrom(_ident(ids, var))
    c.result.CopyFrom(body)
    for node in (out, body):
        checked.type_map[node.id].CopyFrom(checked.type_map[e.id])
    e.CopyFrom(out)


def _call(ids: _Ids, function: str, args: list[Any]) -> Any:
    node = checked_expr.Expr(id=ids.take())
    node.call_expr.function = function
    for a in args:
        node.call_expr.args.add().CopyFrom(a)
    return node


def _ident(ids: _Ids, name: str) -> Any:
    node = checked_expr.Expr(id=ids.take())
    node.ident_expr.name = name
    return node
