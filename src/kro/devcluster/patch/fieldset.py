"""The field set of an object: which fields it sets, in structured-merge-diff's sense.

Server-side apply records, per manager, the set of fields that manager set. The set of an object is
computed from its schema (:mod:`kro.devcluster.patch.structure`): every scalar, every atomic list or
map, every item of a keyed or set list, every entry of a free-form map, and every field whose value is
``null`` or an empty map. Structs that have content are not members themselves; their fields are.

Fields the server owns are never part of a set: ``apiVersion``, ``kind`` and the identity and
bookkeeping fields of ``metadata`` (name, namespace, uid, resourceVersion, generation,
creationTimestamp, selfLink, managedFields), plus any top-level field the caller ignores (``status``
of a resource with a status subresource).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from kro.devcluster.patch import structure as st
from kro.devcluster.patch.errors import PatchApplyError
from kro.devcluster.patch.fieldpath import FieldSet, Path, field, key_element, render, value_element
from kro.openapi import builtin_schemas

_OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_SERVER_META = ("name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                "selfLink", "managedFields", "clusterName")
_STRIPPED_META = frozenset(field(n) for n in _SERVER_META)
_SERVER_META_NAMES = frozenset(_SERVER_META)
_TOP_NAMES = frozenset({"apiVersion", "kind"})
_METADATA: Path = (field("metadata"),)


class _Member:
    """Marks a member path whose value has members below it (a keyed list item, a map entry)."""

    def __repr__(self) -> str:
        return "MEMBER"


MEMBER = _Member()


@functools.cache
def _object_meta() -> st.Schema:
    """The built-in ``ObjectMeta`` schema, resolved once (every reader only reads it)."""
    return builtin_schemas().resolve_definition(_OBJECT_META)


def object_schema(schema: st.Schema | None) -> st.Schema:
    """The schema with ``metadata`` described as ``ObjectMeta``, whatever the kind's schema says.

    A CRD's schema usually gives ``metadata`` as a bare ``type: object``; the server still merges
    labels, finalizers and ownerReferences as the built-in ``ObjectMeta`` declares.
    """
    base = dict(schema or {"type": "object"})
    props = dict(base.get("properties") or {})
    props["metadata"] = _object_meta()
    props.setdefault("apiVersion", {"type": "string"})
    props.setdefault("kind", {"type": "string"})
    base["properties"] = props
    return base


def field_values(
    obj: Mapping[str, Any],
    schema: st.Schema | None,
    *,
    ignored: Collection[str] = (),
    strict: bool = False,
) -> dict[Path, Any]:
    """Each member path of ``obj`` with its value (:data:`MEMBER` for members that have members).

    ``strict`` (for an applied configuration) rejects keyed-list items without their keys and
    duplicate items; otherwise such a list counts as atomic, so stored objects never fail to diff.
    """
    return values_and_containers(obj, schema, ignored=ignored, strict=strict, containers=False)[0]


def values_and_containers(
    obj: Mapping[str, Any],
    schema: st.Schema | None,
    *,
    ignored: Collection[str] = (),
    strict: bool = False,
    containers: bool = True,
) -> tuple[dict[Path, Any], frozenset[Path]]:
    """:func:`field_values` and :func:`container_paths` of ``obj`` in one walk."""
    out: dict[Path, Any] = {}
    found: set[Path] | None = set() if containers else None
    full = object_schema(schema)
    skip = top_skip(ignored)
    if isinstance(obj, dict) and not st.map_is_atomic(full):
        # Server-owned fields are skipped, not walked and then filtered out.
        walk_fields(obj, full, (), out, strict=strict, containers=found, skip=skip)
        found_paths = frozenset(found or ()) - {_METADATA}
        return out, found_paths
    _walk(obj, full, (), out, strict=strict, containers=found)
    return server_filtered(out, found or set(), skip)


def top_skip(ignored: Collection[str]) -> frozenset[str]:
    """The top-level field names a field set leaves out."""
    return _TOP_NAMES | frozenset(ignored)


def server_filtered(
    values: dict[Path, Any], containers: set[Path], skip: frozenset[str]
) -> tuple[dict[Path, Any], frozenset[Path]]:
    """``values`` and ``containers`` without the paths of server-owned fields (nor ``.metadata``)."""
    top = frozenset(field(name) for name in skip)
    kept = {p: v for p, v in values.items() if not _server_owned(p, top)}
    return kept, frozenset(p for p in containers if not _server_owned(p, top) and p != _METADATA)


def _server_owned(path: Path, top: frozenset[str]) -> bool:
    if not path:
        return False
    return path[0] in top or (path[0] == "f:metadata" and len(path) > 1 and path[1] in _STRIPPED_META)


def field_set(obj: Mapping[str, Any], schema: st.Schema | None, *, ignored: Collection[str] = (),
              strict: bool = False) -> FieldSet:
    return frozenset(field_values(obj, schema, ignored=ignored, strict=strict))


def container_paths(obj: Mapping[str, Any], schema: st.Schema | None, *, ignored: Collection[str] = ()) -> frozenset[Path]:
    """The paths of the structs and maps in ``obj`` (those with content are not members of its field set).

    An update's manager owns such a path (``"."`` in ``fieldsV1``) when the write added it, as
    structured-merge-diff's comparison of the two versions reports it."""
    return values_and_containers(obj, schema, ignored=ignored)[1]


def children(schema: st.Schema | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The declared properties of an object node and the schema of its other entries."""
    if schema is None:
        return None, None
    props = schema.get("properties")
    extra = schema.get("additionalProperties")
    return (props if isinstance(props, dict) else None), (extra if isinstance(extra, dict) else None)


def child_schema(
    props: dict[str, Any] | None, extra: dict[str, Any] | None, name: str
) -> tuple[st.Schema | None, bool]:
    """The schema of field ``name`` and whether it is a struct field (as :func:`st.field_schema` and
    :func:`st.is_struct_field` answer, from :func:`children`)."""
    if props is not None and name in props:
        sub = props[name]
        return (sub if isinstance(sub, dict) else None), True
    return extra, False


def walk_fields(
    value: dict[str, Any], schema: st.Schema | None, path: Path, out: dict[Path, Any], *, strict: bool,
    containers: set[Path] | None, skip: Collection[str] = (),
) -> None:
    """The members of the fields of a granular map or struct ``value`` (except those in ``skip``).

    What :func:`walk_slot` does for each field, inlined: this loop is the hot path of every write's
    bookkeeping."""
    props, extra = children(schema)
    for name, child in value.items():
        if name in skip:
            continue
        if props is not None and name in props:
            sub = props[name]
            sub, struct = (sub if isinstance(sub, dict) else None), True
        else:
            sub, struct = extra, False
        child_path = (*path, "f:" + name)
        if isinstance(child, dict):
            if not child or (sub is not None and sub.get("x-kubernetes-map-type") == "atomic"):
                out[child_path] = child
            else:
                inner = _SERVER_META_NAMES if name == "metadata" and not path else ()
                walk_fields(child, sub, child_path, out, strict=strict, containers=containers, skip=inner)
            if not struct:
                out.setdefault(child_path, MEMBER)
            elif containers is not None:
                containers.add(child_path)
        elif isinstance(child, list):
            _walk(child, sub, child_path, out, strict=strict, containers=containers)
            if not struct:
                out.setdefault(child_path, MEMBER)
        else:
            out[child_path] = child


def walk_slot(
    child: Any, sub: st.Schema | None, child_path: Path, out: dict[Path, Any], *, struct: bool, strict: bool,
    containers: set[Path] | None,
) -> None:
    """The members of one field's value, the field itself included."""
    _walk(child, sub, child_path, out, strict=strict, containers=containers)
    if child is None or (isinstance(child, dict) and not child):
        out[child_path] = child
    elif not struct:
        out.setdefault(child_path, MEMBER)
    if containers is not None and struct and isinstance(child, dict):
        containers.add(child_path)


def walk_item(
    item: Any, items: st.Schema | None, item_path: Path, out: dict[Path, Any], *, strict: bool,
    containers: set[Path] | None,
) -> None:
    """The members of one item of a keyed or set list, the item itself included."""
    _walk(item, items, item_path, out, strict=strict, containers=containers)
    out.setdefault(item_path, MEMBER)


def _walk(
    value: Any, schema: st.Schema | None, path: Path, out: dict[Path, Any], *, strict: bool,
    containers: set[Path] | None = None,
) -> None:
    if isinstance(value, dict):
        if schema is not None and schema.get("x-kubernetes-map-type") == "atomic":
            out[path] = value
            return
        walk_fields(value, schema, path, out, strict=strict, containers=containers)
    elif isinstance(value, list):
        elements = list_elements(value, schema, path, strict=strict)
        if elements is None:
            out[path] = value
            return
        items = st.item_schema(schema)
        for element, item in elements:
            item_path = (*path, element)
            _walk(item, items, item_path, out, strict=strict, containers=containers)
            out.setdefault(item_path, MEMBER)
    else:
        out[path] = value


def list_elements(
    value: list[Any], schema: st.Schema | None, path: Path, *, strict: bool
) -> list[tuple[str, Any]] | None:
    """The path element of each item of a keyed or set list; ``None`` when the list is atomic."""
    shape = st.list_shape(schema)
    if shape.kind == "atomic":
        return None
    out: list[tuple[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        element = _element(item, shape, path, index, strict=strict)
        if element is None:
            return None
        if element in seen:
            if strict:
                raise PatchApplyError(f"{render(path)}: duplicate entries for key {element[2:]}")
            return None
        seen.add(element)
        out.append((element, item))
    return out


def _element(item: Any, shape: st.ListShape, path: Path, index: int, *, strict: bool) -> str | None:
    if shape.kind == "set":
        if isinstance(item, dict | list):
            if strict:
                raise PatchApplyError(f"{render(path)}: element {index}: a set holds only scalars")
            return None
        return value_element(item)
    if not isinstance(item, dict):
        if strict:
            raise PatchApplyError(f"{render(path)}: element {index}: expected an object")
        return None
    for key in shape.keys:
        if not st.has_key(item, key):
            if strict:
                raise PatchApplyError(
                    f"{render(path)}: element {index}: associative list with keys has an element "
                    f"that omits key field {key!r}"
                )
            return None
    return key_element({k: st.key_value(item, k) for k in shape.keys})


@dataclass(frozen=True)
class Comparison:
    """What changed between two versions of an object, as field sets."""

    added: FieldSet
    removed: FieldSet
    modified: FieldSet

    @property
    def changed(self) -> FieldSet:
        return self.added | self.modified


def compare(before: Mapping[Path, Any], after: Mapping[Path, Any]) -> Comparison:
    """Compare two :func:`field_values` results."""
    added = frozenset(p for p in after if p not in before)
    removed = frozenset(p for p in before if p not in after)
    modified = frozenset(
        p
        for p, v in after.items()
        if p in before and v is not MEMBER and before[p] is not MEMBER and before[p] != v
    )
    return Comparison(added, removed, modified)
