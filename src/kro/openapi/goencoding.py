"""A built-in object as kube-apiserver writes it back after decoding it into its Go types.

What Go cannot tell from "unset" does not come back (:mod:`kro.openapi.gofacts`): ``false``,
``0`` and ``""`` in non-pointer fields tagged ``omitempty``, empty slices and maps tagged
``omitempty``; an empty or absent slice or map without ``omitempty`` comes back ``null``; a quantity comes
back in canonical spelling (``cpu: "0.1"`` is ``100m``, ``memory: 1024Mi`` is ``1Gi``, ``cpu: 1``
the string ``"1"``). Custom resources are stored as sent: none of this applies to them.

:func:`drop_unset` runs before defaulting and validation (Go's decoder has turned those values into
"unset" by then, so defaults fill them); :func:`null_empty` after (Go validates a nil and an empty
slice alike; only the encoding tells them apart)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from kro.api.quantity import ERR_FORMAT, ERR_NUMERIC, ERR_SUFFIX, go_canonical_value
from kro.api.refs import GVK
from kro.openapi.gofacts import EMPTY, NULL_WHEN_EMPTY, QUANTITY, GoFacts, go_facts, is_empty, is_zero

TYPE_AND_META = frozenset({"apiVersion", "kind", "metadata"})
"""Top-level keys the encoding leaves alone: the type, and metadata (ObjectMeta has its own code)."""


class UndecodableQuantity(ValueError):
    """A quantity Go's decoder refuses; ``str()`` is its message (``quantities must match the
    regular expression ...``)."""


def drop_unset(facts: GoFacts, definition: str, obj: dict[str, Any], *, skip: frozenset[str] = frozenset()) -> None:
    """Drop from ``obj`` (of ``definition``) what its Go type cannot hold apart from unset, and
    canonicalize its quantities, in place. Top-level keys in ``skip`` are left alone. Raises
    :class:`UndecodableQuantity` for a quantity Go cannot decode."""
    fields = facts.fields(definition)
    if not fields:
        return
    for key in [k for k in obj if k in fields and k not in skip]:
        omit, child = fields[key]
        value = obj[key]
        if is_zero(omit, value) or (omit == EMPTY and is_empty(value)):
            del obj[key]
        elif child == QUANTITY:
            _quantities(obj, key, collection=omit in (EMPTY, NULL_WHEN_EMPTY))
        elif child:
            for item in _items(value, collection=omit in (EMPTY, NULL_WHEN_EMPTY)):
                drop_unset(facts, child, item)


def null_empty(facts: GoFacts, definition: str, obj: dict[str, Any], *, skip: frozenset[str] = frozenset()) -> None:
    """Write an empty or absent slice or map that Go writes without ``omitempty`` as ``null``
    (a Role with no rules: ``rules: null``), in place."""
    for key, omit, child in facts.null_paths(definition):
        if key in skip:
            continue
        value = obj.get(key)
        if omit == NULL_WHEN_EMPTY and is_empty(value):
            obj[key] = None
        elif child and value is not None:
            for item in _items(value, collection=omit in (EMPTY, NULL_WHEN_EMPTY)):
                null_empty(facts, child, item)


def _items(value: Any, *, collection: bool) -> list[dict[str, Any]]:
    if not collection:
        return [value] if isinstance(value, dict) else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, dict)]
    return []


def _quantities(obj: dict[str, Any], key: str, *, collection: bool) -> None:
    value = obj[key]
    if not collection:
        obj[key] = _canonical(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            value[k] = _canonical(v)
    elif isinstance(value, list):
        value[:] = [_canonical(v) for v in value]


def _canonical(value: Any) -> Any:
    """The canonical spelling of a quantity (``null`` is Go's zero quantity, kept as sent)."""
    if value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise UndecodableQuantity(ERR_FORMAT)  # what Go's parser makes of `true`, `{...}` or `[...]`
    try:
        return go_canonical_value(value)
    except ValueError as e:
        reason = next((r for r in (ERR_NUMERIC, ERR_SUFFIX) if r in str(e)), ERR_FORMAT)
        raise UndecodableQuantity(reason) from e


_INT_RANGES = {
    "int8": (-(2**7), 2**7 - 1), "int16": (-(2**15), 2**15 - 1), "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1), "int": (-(2**63), 2**63 - 1),
    "uint8": (0, 2**8 - 1), "uint16": (0, 2**16 - 1), "uint32": (0, 2**32 - 1), "uint64": (0, 2**64 - 1),
    "uint": (0, 2**64 - 1),
}  # fmt: skip


def first_type_error(
    facts: GoFacts, definition: str, obj: Mapping[str, Any], *, skip: frozenset[str] = frozenset()
) -> str | None:
    """The error Go's JSON decoder reports first for ``obj`` decoded into ``definition`` (fields in
    the order sent, depth first), or ``None``: ``json: cannot unmarshal string into Go struct
    field DeploymentSpec.spec.replicas of type int32``. ``null`` is never an error (it decodes to
    the zero value); fields Go does not know are ignored, as its decoder does."""
    return _first_error(facts, definition, obj, [], skip)


def _first_error(
    facts: GoFacts, definition: str, obj: Mapping[str, Any], stack: list[str], skip: frozenset[str] = frozenset()
) -> str | None:
    types = facts.go_types(definition)
    fields = facts.fields(definition)
    struct = definition.rsplit(".", 1)[-1]
    for key, value in obj.items():
        found = types.get(key)
        if found is None or value is None or key in skip:
            continue
        kind, go_name = found
        if (kind == "s" and type(value) is str) or (kind == "b" and type(value) is bool):
            continue  # the common cases, without the general walk
        if kind == "n" and type(value) is int and -(2**31) <= value < 2**31:
            continue  # fits int32 and int64, the only signed integer types of these fields
        stack.append(key)
        fact = fields.get(key)
        error = _value_error(facts, kind, go_name, value, struct, stack, fact[1] if fact else "")
        stack.pop()
        if error is not None:
            return error
    return None


def _value_error(
    facts: GoFacts, kind: str, go_name: str, value: Any, struct: str, path: list[str], child: str
) -> str | None:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)

    def mismatch(word: str = "") -> str:
        return _mismatch(word or _json_word(value), struct, path, go_name)
    if kind == "s":
        return None if isinstance(value, str) else mismatch()
    if kind == "b":
        return None if isinstance(value, bool) else mismatch()
    if kind == "f":
        return None if is_number else mismatch()
    if kind in ("n", "u"):
        if not is_number:
            return mismatch()
        low, high = _INT_RANGES.get(go_name, _INT_RANGES["int64"])  # a named integer type: int64's range
        if isinstance(value, float) or not low <= value <= high:
            return mismatch(f"number {value!r}")
        return None
    if kind == "o":
        if not isinstance(value, dict):
            return mismatch()
        return _first_error(facts, child, value, path) if child and child != QUANTITY else None
    if kind[:1] == "a":
        if not isinstance(value, list):
            return mismatch()
        element = go_name[2:] if go_name.startswith("[]") else ""
        return _elements_error(facts, kind[1:], element, value, struct, path, child)
    if kind[:1] == "m":
        if not isinstance(value, dict):
            return mismatch()
        element = go_name[go_name.index("]") + 1 :] if go_name.startswith("map[") else ""
        return _elements_error(facts, kind[1:], element, list(value.values()), struct, path, child)
    return None  # decoded by its own code


def _json_word(value: Any) -> str:
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "object" if isinstance(value, dict) else "array"


def _mismatch(word: str, struct: str, path: list[str], go_name: str) -> str:
    return f"json: cannot unmarshal {word} into Go struct field {struct}.{'.'.join(path)} of type {go_name}"


def _elements_error(
    facts: GoFacts, kind: str, go_name: str, items: list[Any], struct: str, path: list[str], child: str
) -> str | None:
    if not go_name:
        return None  # a named collection type: its elements' Go name is not recorded
    for item in items:
        if item is None:
            continue
        error = _value_error(facts, kind, go_name, item, struct, path, child)
        if error is not None:
            return error
    return None


def as_written_back(gvk: GVK, obj: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``obj``, an object of ``gvk``, as kube-apiserver writes it back (a custom
    resource: as it is). Raises :class:`UndecodableQuantity` as :func:`drop_unset` does."""
    out = copy.deepcopy(dict(obj))
    facts = go_facts()
    definition = facts.definition_for(gvk)
    if definition is not None:
        drop_unset(facts, definition, out, skip=TYPE_AND_META)
        null_empty(facts, definition, out, skip=TYPE_AND_META)
    return out
