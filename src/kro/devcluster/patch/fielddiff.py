"""What a write changed, as field sets, from walking the old and the new object together.

:func:`diff_fields` answers what comparing the two objects' whole :func:`~.fieldset.field_values`
(and :func:`~.fieldset.container_paths`) answers, but walks only where the two objects differ: a
field or keyed-list item whose old and new values are the same JSON contributes the same members to
both sides, so it is skipped without being walked. Where the two sides do not line up (a field turned
from a map into a scalar, a list that is keyed on one side and atomic on the other) both sides of that
one field are walked whole, exactly as the full walk does, and compared.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from kro.devcluster.patch import structure as st
from kro.devcluster.patch.fieldpath import FieldSet, Path
from kro.devcluster.patch.fieldset import (
    Comparison,
    child_schema,
    children,
    compare,
    list_elements,
    object_schema,
    server_filtered,
    top_skip,
    values_and_containers,
    walk_item,
    walk_slot,
)

_ABSENT: Any = object()
_SERVER_META = frozenset({"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                          "selfLink", "managedFields", "clusterName"})


@dataclass(frozen=True)
class FieldDiff:
    """The comparison of two versions' field sets, and the struct and map paths (see
    :func:`~.fieldset.container_paths`) only the old or only the new version has."""

    comparison: Comparison
    containers_gone: FieldSet
    containers_new: FieldSet


class _Sides:
    """The members (and containers) of the parts of the old and new object that differ."""

    __slots__ = ("after", "after_containers", "before", "before_containers")

    def __init__(self, containers: bool) -> None:
        self.before: dict[Path, Any] = {}
        self.after: dict[Path, Any] = {}
        self.before_containers: set[Path] | None = set() if containers else None
        self.after_containers: set[Path] | None = set() if containers else None


def diff_fields(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    schema: st.Schema | None,
    *,
    ignored: Collection[str] = (),
    containers: bool = False,
) -> FieldDiff:
    """Compare the field sets of ``old`` and ``new`` (both non-strict, as stored objects are walked)."""
    full = object_schema(schema)
    skip = top_skip(ignored)
    if not (isinstance(old, dict) and isinstance(new, dict)) or st.map_is_atomic(full):
        before, had = values_and_containers(old, schema, ignored=ignored, containers=containers)
        after, has = values_and_containers(new, schema, ignored=ignored, containers=containers)
        return FieldDiff(compare(before, after), had - has, has - had)
    sides = _Sides(containers)
    _diff_fields(old, new, full, (), sides, skip=skip)
    before, had = server_filtered(sides.before, sides.before_containers or set(), skip)
    after, has = server_filtered(sides.after, sides.after_containers or set(), skip)
    return FieldDiff(compare(before, after), had - has, has - had)


def same(a: Any, b: Any) -> bool:
    """Whether two JSON values are the same, types included (``1``, ``1.0`` and ``true`` are three
    values here: they name different keyed-list items and set members)."""
    if a is b:
        return True
    if a != b:
        return False
    if type(a) is str:
        return True
    try:
        return orjson.dumps(a) == orjson.dumps(b)
    except orjson.JSONEncodeError:
        return False  # not plain JSON (an integer past 64 bits): walk it


def _diff_fields(
    old: dict[str, Any], new: dict[str, Any], schema: st.Schema | None, path: Path, sides: _Sides, *,
    skip: Collection[str] = (),
) -> None:
    props, extra = children(schema)
    for name, old_child in old.items():
        if name in skip:
            continue
        sub, struct = child_schema(props, extra, name)
        child_path = (*path, "f:" + name)
        new_child = new.get(name, _ABSENT)
        if new_child is _ABSENT:
            walk_slot(old_child, sub, child_path, sides.before, struct=struct, strict=False,
                      containers=sides.before_containers)
        elif not same(old_child, new_child):
            meta = _SERVER_META if name == "metadata" and not path else ()
            _diff_slot(old_child, new_child, sub, child_path, sides, struct=struct, skip=meta)
    for name, new_child in new.items():
        if name in old or name in skip:
            continue
        sub, struct = child_schema(props, extra, name)
        walk_slot(new_child, sub, (*path, "f:" + name), sides.after, struct=struct, strict=False,
                  containers=sides.after_containers)


def _diff_slot(
    old: Any, new: Any, schema: st.Schema | None, path: Path, sides: _Sides, *, struct: bool,
    skip: Collection[str],
) -> None:
    """One field whose old and new values differ."""
    if isinstance(old, dict) and isinstance(new, dict) and old and new and not st.map_is_atomic(schema):
        # Both sides give the field itself the same standing (a member or a container): only what
        # is below it can differ.
        _diff_fields(old, new, schema, path, sides, skip=skip)
        return
    if isinstance(old, list) and isinstance(new, list) and _diff_items(old, new, schema, path, sides):
        return
    walk_slot(old, schema, path, sides.before, struct=struct, strict=False, containers=sides.before_containers)
    walk_slot(new, schema, path, sides.after, struct=struct, strict=False, containers=sides.after_containers)


def _diff_items(old: list[Any], new: list[Any], schema: st.Schema | None, path: Path, sides: _Sides) -> bool:
    """The items of a keyed or set list on both sides; ``False`` (nothing done) when either side
    is atomic."""
    old_elements = list_elements(old, schema, path, strict=False)
    if old_elements is None:
        return False
    new_elements = list_elements(new, schema, path, strict=False)
    if new_elements is None:
        return False
    items = st.item_schema(schema)
    old_items = dict(old_elements)
    new_items = dict(new_elements)
    for element, item in old_elements:
        if element not in new_items:
            walk_item(item, items, (*path, element), sides.before, strict=False, containers=sides.before_containers)
    for element, item in new_elements:
        item_path = (*path, element)
        old_item = old_items.get(element, _ABSENT)
        if old_item is _ABSENT:
            walk_item(item, items, item_path, sides.after, strict=False, containers=sides.after_containers)
        elif same(old_item, item):
            continue
        elif isinstance(old_item, dict) and isinstance(item, dict) and not st.map_is_atomic(items):
            _diff_fields(old_item, item, items, item_path, sides)  # both are members: "." on both sides
        else:
            walk_item(old_item, items, item_path, sides.before, strict=False, containers=sides.before_containers)
            walk_item(item, items, item_path, sides.after, strict=False, containers=sides.after_containers)
    return True


def is_container(obj: Mapping[str, Any], schema: st.Schema | None, path: Path, *, ignored: Collection[str]) -> bool:
    """Whether ``path`` is in :func:`~.fieldset.container_paths` of ``obj``, looked up along the path."""
    if not path or any(not element.startswith("f:") for element in path):
        return path in values_and_containers(obj, schema, ignored=ignored)[1]
    names = [element[2:] for element in path]
    if names[0] in top_skip(ignored) or names == ["metadata"]:
        return False
    if names[0] == "metadata" and names[1] in _SERVER_META:
        return False
    node: Any = obj
    node_schema: st.Schema | None = object_schema(schema)
    for name in names:
        if not isinstance(node, dict) or st.map_is_atomic(node_schema) or name not in node:
            return False
        props, extra = children(node_schema)
        sub, struct = child_schema(props, extra, name)
        node, parent_struct, node_schema = node[name], struct, sub
    return isinstance(node, dict) and parent_struct
