"""Strategic merge patch (``application/strategic-merge-patch+json``), as kubectl sends it.

Like a JSON merge patch, except that lists merge as the schema says
(``x-kubernetes-patch-strategy: merge`` with ``x-kubernetes-patch-merge-key``: containers by name,
ports by containerPort, env and volumes by name; scalar lists with strategy ``merge`` are unioned),
and these directives are understood:

- ``$patch: replace`` in a map replaces the map; as a list item, replaces the list with the others;
- ``$patch: delete`` in a map deletes it; as an item of a keyed list, deletes the item with that key;
- ``$patch: merge`` is the default;
- ``$retainKeys: [..]`` keeps only the listed keys of the merged map;
- ``$deleteFromPrimitiveList/<field>: [..]`` removes those values from a scalar list;
- ``$setElementOrder/<field>: [..]`` puts the merged list in that order.

kube-apiserver refuses this patch type for custom resources (415): their schemas carry no patch
strategies. :func:`strategic_merge_patch` takes the kind's schema; the caller decides, with
``builtin``, whether the kind is one the strategy applies to.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from kro.devcluster.patch import structure as st
from kro.devcluster.patch.errors import MalformedPatchError, UnsupportedPatchTypeError
from kro.devcluster.patch.fieldset import object_schema

PATCH = "$patch"
RETAIN_KEYS = "$retainKeys"
DELETE_FROM = "$deleteFromPrimitiveList/"
SET_ORDER = "$setElementOrder/"
UNSUPPORTED_MESSAGE = (
    "the body of the request was in an unknown format - accepted media types include: "
    "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
)


class _Deleted:
    """What a ``$patch: delete`` map merges to: the parent drops the field."""


_DELETED = _Deleted()


def strategic_merge_patch(
    original: Mapping[str, Any], patch: Any, *, schema: st.Schema | None, builtin: bool = True
) -> dict[str, Any]:
    """``patch`` applied to ``original`` (neither is modified). ``builtin=False`` (a custom resource)
    raises :class:`~.errors.UnsupportedPatchTypeError`, as kube-apiserver answers 415."""
    if not builtin:
        raise UnsupportedPatchTypeError(UNSUPPORTED_MESSAGE)
    if not isinstance(patch, Mapping):
        raise MalformedPatchError("a strategic merge patch must be a JSON object")
    try:
        merged = _merge_map(original, patch, object_schema(schema), "")
    except RecursionError as e:
        raise MalformedPatchError("strategic merge patch is nested too deeply") from e
    return {} if isinstance(merged, _Deleted) else merged


def _merge_map(original: Mapping[str, Any], patch: Mapping[str, Any], schema: st.Schema | None,
               where: str) -> dict[str, Any] | _Deleted:
    directive = patch.get(PATCH, "merge")
    if directive == "delete":
        return _DELETED
    if directive == "replace":
        replaced: dict[str, Any] = _clean(patch, schema)
        return replaced
    if directive != "merge":
        raise MalformedPatchError(f"{where or '.'}: unknown patch directive {PATCH}: {directive!r}")
    out = dict(original)
    for key, value in patch.items():
        if key.startswith(DELETE_FROM):
            name = key[len(DELETE_FROM):]
            out[name] = _delete_from(out.get(name), value, f"{where}.{name}")
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        path = f"{where}.{key}"
        if value is None:
            out.pop(key, None)
            continue
        merged = _merge_value(out.get(key), value, st.field_schema(schema, key), path)
        if isinstance(merged, _Deleted):
            out.pop(key, None)
        else:
            out[key] = merged
    for key, value in patch.items():
        if key.startswith(SET_ORDER):
            name = key[len(SET_ORDER):]
            if isinstance(out.get(name), list):
                out[name] = _reorder(out[name], value, st.field_schema(schema, name), f"{where}.{name}")
    if RETAIN_KEYS in patch:
        out = _retain(out, patch[RETAIN_KEYS], where)
    return out


def _merge_value(original: Any, patch: Any, schema: st.Schema | None, where: str) -> Any:
    if isinstance(patch, Mapping):
        return _merge_map(original if isinstance(original, Mapping) else {}, patch, schema, where)
    if isinstance(patch, list):
        return _merge_list(original if isinstance(original, list) else [], patch, schema, where)
    return patch


def _merge_list(original: list[Any], patch: list[Any], schema: st.Schema | None, where: str) -> list[Any]:
    # A lone {"$patch": "replace"} element replaces the whole list; with a merge key it replaces one item.
    markers = [p for p in patch if isinstance(p, Mapping) and PATCH in p and len(p) == 1]
    replace_marker = [p for p in markers if p[PATCH] == "replace"]
    rest = [p for p in patch if not any(p is m for m in markers)]
    items = st.item_schema(schema)
    if replace_marker or "merge" not in st.patch_strategies(schema):
        return [_clean(p, items) for p in rest]
    key = st.patch_merge_key(schema)
    if key is None:
        return _union(original, [_clean(p, items) for p in rest])
    out = [copy.deepcopy(o) for o in original]
    for index, item in enumerate(patch):
        if not isinstance(item, Mapping):
            raise MalformedPatchError(f"{where}[{index}]: expected an object with merge key {key!r}")
        if key not in item:
            raise MalformedPatchError(f"{where}[{index}]: does not contain declared merge key {key!r}")
        position = next((i for i, o in enumerate(out) if isinstance(o, Mapping) and o.get(key) == item[key]),
                        None)
        if item.get(PATCH) == "delete":
            out = [o for o in out if not (isinstance(o, Mapping) and o.get(key) == item[key])]
        elif position is None:
            out.append(_clean(item, items))
        else:
            merged = _merge_map(out[position], item, items, f"{where}[{key}={item[key]}]")
            if isinstance(merged, _Deleted):
                del out[position]
            else:
                out[position] = merged
    return out


def _union(original: list[Any], added: list[Any]) -> list[Any]:
    out = list(original)
    for value in added:
        if value not in out:
            out.append(value)
    return out


def _delete_from(current: Any, values: Any, where: str) -> Any:
    if not isinstance(values, list):
        raise MalformedPatchError(f"{where}: {DELETE_FROM} expects a list")
    if not isinstance(current, list):
        return current
    return [v for v in current if v not in values]


def _reorder(merged: list[Any], order: Any, schema: st.Schema | None, where: str) -> list[Any]:
    """Put the items named in ``order`` in that order, in the slots those items occupy; items the
    order does not name stay where they are."""
    if not isinstance(order, list):
        raise MalformedPatchError(f"{where}: {SET_ORDER} expects a list")
    key = st.patch_merge_key(schema)

    def identity(v: Any) -> Any:
        return v.get(key) if key and isinstance(v, Mapping) else v

    wanted = [identity(o) for o in order]
    present = [w for w in wanted if any(identity(m) == w for m in merged)]
    queue = iter([next(m for m in merged if identity(m) == w) for w in present])
    return [next(queue) if identity(m) in present else m for m in merged]


def _retain(merged: dict[str, Any], keys: Any, where: str) -> dict[str, Any]:
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise MalformedPatchError(f"{where or '.'}: {RETAIN_KEYS} expects a list of field names")
    return {k: v for k, v in merged.items() if k in keys}


def _clean(value: Any, schema: st.Schema | None) -> Any:
    """A patch value as content: directives removed (nested directives merge against nothing)."""
    if isinstance(value, Mapping):
        merged = _merge_map({}, {k: v for k, v in value.items() if k != PATCH}, schema, "")
        return {} if isinstance(merged, _Deleted) else {k: v for k, v in merged.items()}
    if isinstance(value, list):
        return [_clean(v, st.item_schema(schema)) for v in value]
    return value
