"""Field paths and field sets in the ``FieldsV1`` encoding of ``metadata.managedFields``.

A path is a tuple of path elements, each kept in its ``FieldsV1`` spelling so sets of paths are plain
hashable Python values:

- ``f:<name>``: a field of a map or struct;
- ``k:{"name":"nginx"}``: the item of a keyed list (``x-kubernetes-list-type: map``) with those keys,
  the JSON object's fields sorted by name, compact;
- ``v:<json>``: the item of a set list with that value;
- ``i:<n>``: a list position (read from other servers' documents; never produced here).

A field set is a ``frozenset`` of member paths. In ``FieldsV1`` a node that is itself a member and has
members below it carries a ``"."`` entry; a member with nothing below it is ``{}``.
"""

from __future__ import annotations

import functools
import json
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any, Generic, TypeVar

import orjson

from kro.devcluster.patch.errors import MalformedPatchError

PathElement = str
Path = tuple[PathElement, ...]
FieldSet = frozenset[Path]
K = TypeVar("K")
V = TypeVar("V")


def field(name: str) -> PathElement:
    return "f:" + name


def key_element(keys: Mapping[str, Any]) -> PathElement:
    if len(keys) == 1:  # the common case (an item keyed by its name), without sorting
        for k, v in keys.items():
            return "k:{" + _scalar_json(k) + ":" + _scalar(v) + "}"
    return "k:{" + ",".join([_scalar(k) + ":" + _scalar(keys[k]) for k in sorted(keys)]) + "}"


def value_element(value: Any) -> PathElement:
    return "v:" + _scalar(value)


def _scalar(value: Any) -> str:
    if type(value) in (str, int, float, bool) or value is None:
        return _scalar_json(value)
    return _canonical(value)


@functools.lru_cache(maxsize=8192, typed=True)  # typed: True and 1 must not share an entry
def _scalar_json(value: str | int | float | bool | None) -> str:
    return json.dumps(value, ensure_ascii=False)


def _canonical(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


class _Recent(Generic[K, V]):
    """A bounded map that forgets the least recently used entry first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        if len(self._items) > self._size:
            self._items.popitem(last=False)


# Most writes leave most managers' sets as they were, and many objects share a set (every replica's
# Pod, every instance's StatefulSet): the same sets are encoded and decoded over and over. Both caches
# hold immutable values only (the JSON text, the frozenset); callers get fresh documents.
_ENCODED: _Recent[FieldSet, bytes] = _Recent(4096)
_DECODED: _Recent[bytes, tuple[FieldSet, bool]] = _Recent(4096)


def encode(fields: Iterable[Path]) -> dict[str, Any]:
    """The ``fieldsV1`` document of a field set."""
    if not isinstance(fields, frozenset):
        return _encode(fields)
    text = _ENCODED.get(fields)
    if text is not None:
        loaded: dict[str, Any] = orjson.loads(text)
        return loaded
    tree = _encode(fields)
    text = orjson.dumps(tree)
    _ENCODED.put(fields, text)
    if () not in fields:  # the one set the document cannot carry whole
        _DECODED.put(text, (fields, True))  # the next write of this object decodes what this one stored
    return tree


def _encode(fields: Iterable[Path]) -> dict[str, Any]:
    members = set(fields)
    tree: dict[str, Any] = {}
    for path in sorted(members):
        node = tree
        for element in path:
            node = node.setdefault(element, {})
    _mark_members(tree, (), members)
    return tree


def _mark_members(node: dict[str, Any], prefix: Path, members: set[Path]) -> None:
    for element in list(node):
        if element == ".":
            continue
        path = (*prefix, element)
        child = node[element]
        _mark_members(child, path, members)
        if child and path in members:
            # "." first, as structured-merge-diff writes a node's own membership before its children.
            node[element] = {".": {}, **child}


def decode(fields_v1: Any) -> FieldSet:
    """The field set of a ``fieldsV1`` document; a located :class:`MalformedPatchError` if it is not one."""
    return decode_exact(fields_v1)[0]


def decode_exact(fields_v1: Any) -> tuple[FieldSet, bool]:
    """:func:`decode`, and whether ``fields_v1`` is exactly what :func:`encode` makes of the set
    (known for documents this process encoded), so it can stand for the set's encoding."""
    out: set[Path] = set()
    if fields_v1 is None:
        return frozenset(), False
    if not isinstance(fields_v1, Mapping):
        raise MalformedPatchError("metadata.managedFields: fieldsV1 must be an object")
    try:
        text = orjson.dumps(fields_v1)
    except orjson.JSONEncodeError:
        text = None  # not plain JSON: decode (and locate what is wrong) without caching
    if text is not None:
        known = _DECODED.get(text)
        if known is not None:
            return known
    _decode_into(fields_v1, (), out)
    decoded = frozenset(out)
    if text is not None:
        _DECODED.put(text, (decoded, False))
    return decoded, False


def _decode_into(node: Mapping[str, Any], prefix: Path, out: set[Path]) -> None:
    for raw, child in node.items():
        if raw == ".":
            out.add(prefix)
            continue
        element = _normalise(raw, prefix)
        path = (*prefix, element)
        if not isinstance(child, Mapping):
            raise MalformedPatchError(f"metadata.managedFields: {render(path)}: expected an object")
        if not child:
            out.add(path)
        else:
            _decode_into(child, path, out)


def _normalise(raw: str, prefix: Path) -> PathElement:
    kind, sep, body = raw.partition(":")
    if not sep or kind not in ("f", "k", "v", "i"):
        raise MalformedPatchError(f"metadata.managedFields: {render(prefix)}: bad path element {raw!r}")
    if kind in ("k", "v"):
        try:
            parsed = json.loads(body)
        except json.JSONDecodeError as e:
            raise MalformedPatchError(f"metadata.managedFields: bad path element {raw!r}") from e
        if kind == "k":
            if not isinstance(parsed, dict):
                raise MalformedPatchError(f"metadata.managedFields: bad key element {raw!r}")
            return key_element(parsed)
        return value_element(parsed)
    return raw


def render(path: Path) -> str:
    """The path as kube-apiserver prints it in conflicts: ``.spec.containers[name="nginx"].image``."""
    parts: list[str] = []
    for element in path:
        kind, body = element[0], element[2:]
        if kind == "f":
            parts.append("." + body)
        elif kind == "k":
            keys = json.loads(body)
            parts.append("[" + ",".join(f"{k}={_canonical(v)}" for k, v in keys.items()) + "]")
        elif kind == "v":
            parts.append("[=" + body + "]")
        else:
            parts.append("[" + body + "]")
    return "".join(parts)


def is_prefix(prefix: Path, path: Path) -> bool:
    return len(prefix) < len(path) and path[: len(prefix)] == prefix


def under(fields: Iterable[Path], prefix: Path) -> bool:
    """Whether any path of ``fields`` lies strictly below ``prefix``."""
    return any(is_prefix(prefix, p) for p in fields)
