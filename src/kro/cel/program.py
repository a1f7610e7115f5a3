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
  cannot grow past a small multiple of the budget. A comprehension's accumulator grows in place
  (``@result + [x]``, ``cel.@mapInsert(@result, k, v)``): there what is charged is the size of
  each element added, even one built once and added many times, so a list of many references to
  one large string costs what its ``join()`` or its conversion to data would build. Every
  loop's condition also asks ``@kro.withinBudget()``, so a loop stops at the first step past
  the budget (CEL errors are values: a failed charge alone does not end a ``map``), and the
  evaluation reports the spent budget whatever value the cut-short loop produced;
* every ``map``/``filter`` over a list runs over chunks of its list (:func:`_chunk`): the engine
  copies a loop's accumulated list at every step and frees the copies only when the evaluation
  ends.

Each inserted node gets a fresh id past the tree's own. Metering costs a call into Python per
built value, so only expressions whose estimated cost could exceed the budget
(:mod:`kro.cel.cost`) are metered.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from google.protobuf import any_pb2

from kro.cel import checked_expr
from kro.cel.ast import children
from kro.cel.library.guards import CHARGE, CHARGE_TEXT, RANGE_SIZE, WITHIN_BUDGET

_RANGE = "lists.range"
_SIZED = frozenset({"list_type", "map_type"})
_SIZED_PRIMITIVES = frozenset({5, 6})  # STRING, BYTES
# Calls that build nothing new, or nothing larger than what they were given.
_NOT_BUILDING = frozenset(
    {"_[_]", "_?._", "_[?_]", "dyn", CHARGE, CHARGE_TEXT, RANGE_SIZE, WITHIN_BUDGET, "@not_strictly_false"}
)
_MAP_INSERT = "cel.@mapInsert"


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


def _all_ids(e: Any) -> Iterator[int]:
    stack = [e]
    while stack:
        node = stack.pop()
        yield int(node.id)
        stack.extend(children(node))


def _needs_rewrite(e: Any, *, metered: bool) -> bool:
    if metered:
        return True
    stack = [e]
    while stack:
        node = stack.pop()
        kind = node.WhichOneof("expr_kind")
        if kind == "comprehension_expr" or (kind == "call_expr" and node.call_expr.function == _RANGE):
            return True
        stack.extend(children(node))
    return False


CHUNK = 32
"""Elements per chunk of a chunked ``map``/``filter`` (see :func:`_chunk`)."""


def _is_list_building(checked: Any, e: Any) -> bool:
    """``map``/``filter`` over a list: one loop variable, an empty list accumulated and returned."""
    c = e.comprehension_expr
    range_type = checked.type_map.get(c.iter_range.id)
    return (
        not c.iter_var2
        and range_type is not None
        and range_type.WhichOneof("type_kind") == "list_type"
        and c.accu_init.WhichOneof("expr_kind") == "list_expr"
        and not c.accu_init.list_expr.elements
        and c.result.WhichOneof("expr_kind") == "ident_expr"
        and c.result.ident_expr.name == c.accu_var
    )


def _chunk(checked: Any, e: Any, ids: _Ids) -> None:
    """The engine builds a ``map``/``filter`` result by copying the accumulated list at every
    step and keeps every copy until the evaluation ends: ``n`` elements cost ``n²/2`` (9,000
    elements: over a gigabyte). The same loop over chunks of :data:`CHUNK` elements, flattened,
    costs about ``n · CHUNK``::

        cel.bind(r, RANGE, lists.range((size(r) + CHUNK - 1) / CHUNK).map(c,
            <the loop over r.slice(c * CHUNK, min((c + 1) * CHUNK, size(r)))>).flatten())
    """
    r, chunk, acc = f"@kro.v{ids.take()}", f"@kro.v{ids.take()}", f"@kro.v{ids.take()}"
    original = checked_expr.Expr()
    original.CopyFrom(e)
    loop = original.comprehension_expr
    start = _call(ids, "_*_", [_ident(ids, chunk), _int(ids, CHUNK)])
    stop = _call(ids, "_*_", [_call(ids, "_+_", [_ident(ids, chunk), _int(ids, 1)]), _int(ids, CHUNK)])
    size_r = _call(ids, "size", [_ident(ids, r)])
    end = _call(ids, "_?_:_", [_call(ids, "_<_", [stop, size_r]), stop, _call(ids, "size", [_ident(ids, r)])])
    piece = _call(ids, "slice", [start, end])
    piece.call_expr.target.CopyFrom(_ident(ids, r))
    loop.iter_range.CopyFrom(piece)
    count = _call(
        ids,
        "_/_",
        [_call(ids, "_+_", [_call(ids, "size", [_ident(ids, r)]), _int(ids, CHUNK - 1)]), _int(ids, CHUNK)],
    )
    outer = checked_expr.Expr(id=ids.take())
    o = outer.comprehension_expr
    o.iter_var = chunk
    o.iter_range.CopyFrom(_call(ids, _RANGE, [count]))
    o.accu_var = acc
    o.accu_init.id = ids.take()
    o.accu_init.list_expr.SetInParent()
    o.loop_condition.id = ids.take()
    o.loop_condition.const_expr.bool_value = True
    appended = checked_expr.Expr(id=ids.take())
    appended.list_expr.elements.add().CopyFrom(original)
    o.loop_step.CopyFrom(_call(ids, "_+_", [_ident(ids, acc), appended]))
    o.result.CopyFrom(_ident(ids, acc))
    flat = _call(ids, "flatten", [])
    flat.call_expr.target.CopyFrom(outer)
    e.CopyFrom(_bind(ids, r, original_range(e), flat))


def original_range(e: Any) -> Any:
    out = checked_expr.Expr()
    out.CopyFrom(e.comprehension_expr.iter_range)
    return out


def _rewrite(
    checked: Any, e: Any, ids: _Ids, *, metered: bool, accumulators: frozenset[str] = frozenset()
) -> None:
    kind = e.WhichOneof("expr_kind")
    for child in list(children(e)):
        # Only a loop's step appends to its accumulator (cel.bind's "accumulator" is its variable).
        step = kind == "comprehension_expr" and child is e.comprehension_expr.loop_step
        inner = accumulators | {e.comprehension_expr.accu_var} if step else accumulators
        _rewrite(checked, child, ids, metered=metered, accumulators=inner)
    if kind == "comprehension_expr" and metered:
        _stop_when_spent(e, ids)
    if kind == "comprehension_expr" and _is_list_building(checked, e):
        _chunk(checked, e, ids)
    if kind != "call_expr":
        return
    call = e.call_expr
    if call.function == _RANGE and len(call.args) == 1 and not call.HasField("target"):
        guard = _call(ids, RANGE_SIZE, [call.args[0]])
        checked.type_map[guard.id].primitive = 2  # INT64
        call.args[0].CopyFrom(guard)
    if not metered:
        return
    if _appends_to_accumulator(call, accumulators):
        # ``@result + [x]`` (map, filter) or ``cel.@mapInsert(@result, k, v)``: what grows is the
        # accumulated value, by the size of what is added, which may be a value built once and
        # added many times.
        for added in _added(call):
            _meter(checked, added, ids)
    elif call.function not in _NOT_BUILDING:
        if call.function == "replace" and call.HasField("target") and len(call.args) >= 2:
            _precharge_replace(checked, e, ids)
        _meter(checked, e, ids)


def _appends_to_accumulator(call: Any, accumulators: frozenset[str]) -> bool:
    if call.function not in ("_+_", _MAP_INSERT) or not call.args:
        return False
    first = call.args[0]
    return first.WhichOneof("expr_kind") == "ident_expr" and first.ident_expr.name in accumulators


def _added(call: Any) -> list[Any]:
    if call.function == _MAP_INSERT:
        return list(call.args[1:])
    added = call.args[1] if len(call.args) > 1 else None
    if added is not None and added.WhichOneof("expr_kind") == "list_expr":
        return list(added.list_expr.elements)
    return [added] if added is not None else []


def _charge_function(t: Any) -> str | None:
    """The charge for a value of checked type ``t``, or ``None`` when it has no size."""
    if t is None:
        return None
    kind = t.WhichOneof("type_kind")
    if kind in _SIZED:
        return CHARGE
    if kind == "primitive" and t.primitive in _SIZED_PRIMITIVES:
        return CHARGE_TEXT
    return None


def _meter(checked: Any, e: Any, ids: _Ids) -> None:
    """``e`` → ``cel.bind(v, e, @kro.charge(size(v)) ? v : v)`` (``cel.bind``'s own expansion),
    when ``e`` is a string, bytes, list or map."""
    charge_function = _charge_function(checked.type_map.get(e.id))
    if charge_function is None:
        return
    value = checked_expr.Expr()
    value.CopyFrom(e)
    var = f"@kro.v{ids.next}"
    charge = _call(ids, charge_function, [_call(ids, "size", [_ident(ids, var)])])
    body = _call(ids, "_?_:_", [charge, _ident(ids, var), _ident(ids, var)])
    out = _bind(ids, var, value, body)
    for node in (out, body):
        checked.type_map[node.id].CopyFrom(checked.type_map[e.id])
    e.CopyFrom(out)


def _stop_when_spent(e: Any, ids: _Ids) -> None:
    """A loop's condition ``LC`` → ``LC && @kro.withinBudget()``: CEL errors are values, so a
    failed charge alone would not stop a ``map`` from running (and building) to its end."""
    c = e.comprehension_expr
    condition = checked_expr.Expr()
    condition.CopyFrom(c.loop_condition)
    c.loop_condition.CopyFrom(_call(ids, "_&&_", [condition, _call(ids, WITHIN_BUDGET, [])]))


def _precharge_replace(checked: Any, e: Any, ids: _Ids) -> None:
    """``s.replace(old, new)`` can build ``size(s) / size(old) * size(new)`` characters from small
    arguments, so it is charged that much before it runs:
    ``cel.bind(a, s, cel.bind(b, new, @kro.chargeText((size(a) / |old| + 1) * size(b)) ?
    a.replace(old, b) : a))`` (``|old|`` when ``old`` is a literal, else 1)."""
    call = e.call_expr
    old = call.args[0]
    literal = old.const_expr.string_value if old.WhichOneof("expr_kind") == "const_expr" else ""
    a, b = f"@kro.v{ids.take()}", f"@kro.v{ids.take()}"
    target, new = checked_expr.Expr(), checked_expr.Expr()
    target.CopyFrom(call.target)
    new.CopyFrom(call.args[1])
    replaced = checked_expr.Expr()
    replaced.CopyFrom(e)
    replaced.id = ids.take()
    replaced.call_expr.target.CopyFrom(_ident(ids, a))
    replaced.call_expr.args[1].CopyFrom(_ident(ids, b))
    pieces = _call(ids, "_/_", [_call(ids, "size", [_ident(ids, a)]), _int(ids, max(len(literal), 1))])
    amount = _call(
        ids, "_*_", [_call(ids, "_+_", [pieces, _int(ids, 1)]), _call(ids, "size", [_ident(ids, b)])]
    )
    body = _call(ids, "_?_:_", [_call(ids, CHARGE_TEXT, [amount]), replaced, _ident(ids, a)])
    string_type = checked.type_map[e.id]
    inner = _bind(ids, b, new, body)
    outer = _bind(ids, a, target, inner)
    for node in (replaced, body, inner, outer):
        checked.type_map[node.id].CopyFrom(string_type)
    e.CopyFrom(outer)


def _bind(ids: _Ids, var: str, init: Any, body: Any) -> Any:
    """``cel.bind(var, init, body)`` as the macro expands it."""
    out = checked_expr.Expr(id=ids.take())
    c = out.comprehension_expr
    c.iter_var = "#unused"
    c.iter_range.id = ids.take()
    c.iter_range.list_expr.SetInParent()
    c.accu_var = var
    c.accu_init.CopyFrom(init)
    c.loop_condition.id = ids.take()
    c.loop_condition.const_expr.bool_value = False
    c.loop_step.CopyFrom(_ident(ids, var))
    c.result.CopyFrom(body)
    return out


def _int(ids: _Ids, value: int) -> Any:
    node = checked_expr.Expr(id=ids.take())
    node.const_expr.int64_value = value
    return node


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
