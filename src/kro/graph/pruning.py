"""Cutting each resource's schema down to the fields the RGD's expressions can reach.

Declaring a variable builds a message type for every object in its schema; a Deployment's schema
holds hundreds (the whole PodSpec), and an RGD declares one variable per resource. Expressions only
ever reach a resource through selection chains that start with its id
(``statefulset.status.readyReplicas``), so the schema is pruned to those chains before declaring it.

The pruning is conservative, which keeps type checking exactly as on the full schema: chains are
found lexically (string literals skipped); a chain stops at anything but ``.field`` / ``.?field``
(an index, a method call, an operator), and the subtree where it stops is kept whole; an id used
without selection keeps its whole schema; maps, lists and schemaless objects are never cut into.
A pruned object keeps at least one field, so that selecting a field it lacks is still an error.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

# A string literal (raw, triple- or single-quoted), an identifier, or any other character.
_TOKEN = re.compile(
    r"""(?P<str>[rR]?(?:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"))"""
    r"""|(?P<id>[A-Za-z_][A-Za-z0-9_]*)|(?P<other>\S)""",
    re.DOTALL,
)
_SELECT = re.compile(r"\s*\.\s*\??\s*([A-Za-z_][A-Za-z0-9_]*)(\s*\()?")

# ``.size()``, or a comprehension macro with its loop variable: ``.all(s,``
_MACRO = re.compile(
    r"\s*\.\s*(?:(size)\s*\(\s*\)|(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,)"
)
TOUCH: tuple[str, ...] = ("\x00",)
"""A chain that selects no real field: the value is used, none of its fields are read."""

Trie = dict[str, "Trie"]
WHOLE: Trie = {}


def selection_chains(sources: Iterable[str], names: Collection[str]) -> dict[str, set[tuple[str, ...]]]:
    """For each of ``names`` used in ``sources``: the field chains selected from it (an empty
    chain: used whole).

    A list (a collection) walked by a macro (``shards.all(s, s.status.ready)``) contributes the
    chains of the loop variable, which select from its elements; a list only counted
    (``size(shards)``, ``shards.size()``) contributes :data:`TOUCH`, a chain that reaches nothing."""
    out: dict[str, set[tuple[str, ...]]] = {}
    for source in sources:
        recent: list[str] = []
        for m in _TOKEN.finditer(source):
            ident = m.group("id")
            if ident is not None and ident in names and recent[-1:] != ["."]:
                counted = recent[-2:] == ["size", "("] and source[m.end() :].lstrip().startswith(")")
                out.setdefault(ident, set()).update({TOUCH} if counted else _uses(source, m.end()))
            recent = [*recent[-1:], m.group(0)]
    return out


def _uses(source: str, pos: int) -> set[tuple[str, ...]]:
    chain = _chain(source, pos)
    if chain:
        return {chain}
    m = _MACRO.match(source, pos)
    if m is None:
        return {()}
    if m.group(1) == "size":
        return {TOUCH}
    loop = m.group(2)
    inner = selection_chains([source[m.end() :]], {loop}).get(loop)
    return inner or {TOUCH}


def _chain(source: str, pos: int) -> tuple[str, ...]:
    chain: list[str] = []
    while True:
        m = _SELECT.match(source, pos)
        if m is None or m.group(2) is not None:  # not a selection, or a method call: stop here
            return tuple(chain)
        chain.append(m.group(1))
        pos = m.end()


def prune(schema: Mapping[str, Any], chains: Collection[tuple[str, ...]]) -> Mapping[str, Any]:
    """``schema`` keeping only what ``chains`` can reach (see the module docstring)."""
    if not chains or any(not c for c in chains):
        return schema
    trie: Trie = {}
    for chain in chains:
        node = trie
        for name in chain:
            node = node.setdefault(name, {})
        node["__whole__"] = WHOLE
    return _prune(schema, trie)


def _prune(schema: Mapping[str, Any], trie: Trie) -> Mapping[str, Any]:
    props = schema.get("properties")
    if "__whole__" in trie or not _plain_object(schema) or not isinstance(props, Mapping):
        return schema
    kept = {name: _prune(props[name], sub) for name, sub in trie.items() if name in props}
    if not kept:
        spare = next(
            (n for n, p in props.items() if isinstance(p, Mapping) and p.get("type") in _SCALARS), None
        )
        if spare is None:
            return schema
        kept[spare] = props[spare]
    out = {k: v for k, v in schema.items() if k not in ("properties", "required")}
    out["properties"] = kept
    required = [r for r in schema.get("required") or [] if r in kept]
    if required:
        out["required"] = required
    return out


_SCALARS = frozenset({"string", "integer", "number", "boolean"})
_OPEN = (
    "additionalProperties",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string",
    "allOf",
    "anyOf",
    "oneOf",
    "items",
)


def _plain_object(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") in (None, "object") and not any(k in schema for k in _OPEN)
