"""The managedFields bookkeeping against a plain reference, on generated objects and writes.

The server computes what a write changed by walking the old and new object together and skipping
equal parts, and caches encoded and decoded field sets. The reference below walks both objects whole,
compares the two complete field sets and encodes every entry afresh, as the bookkeeping is specified;
both must give the same managedFields, byte for byte, for any pair of objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as s

from kro.devcluster.patch import PatchError, fieldpath, record_update, server_side_apply
from kro.devcluster.patch import structure as st
from kro.devcluster.patch.fielddiff import diff_fields
from kro.devcluster.patch.fieldpath import FieldSet, Path, field, key_element, value_element
from kro.devcluster.patch.fieldset import MEMBER, object_schema
from kro.devcluster.patch.managedfields import decode_entries

_ITEM = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "port": {"type": "integer"},
        "protocol": {"type": "string"},
        "value": {},
        "tags": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
_POD_SPEC = {
    "type": "object",
    "properties": {
        "replicas": {"type": "integer"},
        "selector": {"type": "object", "x-kubernetes-map-type": "atomic"},
        "ports": {"type": "array", "x-kubernetes-list-type": "map",
                  "x-kubernetes-list-map-keys": ["port", "protocol"], "items": _ITEM},
        "containers": {"type": "array", "x-kubernetes-patch-strategy": "merge",
                       "x-kubernetes-patch-merge-key": "name", "items": _ITEM},
        "finalizers": {"type": "array", "x-kubernetes-list-type": "set", "items": {}},
        "args": {"type": "array", "items": {"type": "string"}},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "data": {"type": "object", "additionalProperties": {}},
    },
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {"type": "object", "properties": {
            **_POD_SPEC["properties"],  # type: ignore[dict-item]
            "template": {"type": "object", "properties": {
                "metadata": {"type": "object", "properties": {
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}}}},
                "spec": _POD_SPEC,
            }},
        }},
        "status": _POD_SPEC,
        "data": {"type": "object", "additionalProperties": {}},
    },
}
ZERO = [(field("spec"),), (field("spec"), field("template")), (field("spec"), field("template"), field("metadata")),
        (field("status"),)]

_KEYS = ["name", "port", "protocol", "value", "tags", "replicas", "selector", "ports", "containers",
         "finalizers", "args", "labels", "template", "metadata", "spec", "data", "x"]
# 1, 1.0 and True are equal in Python and three different JSON values (keys, set members).
_SCALARS = s.sampled_from([None, True, False, 0, 1, 1.0, 0.0, "", "a", "b", "TCP", "UDP"])
_JSON = s.recursive(
    _SCALARS,
    lambda inner: s.lists(inner, max_size=3) | s.dictionaries(s.sampled_from(_KEYS), inner, max_size=4),
    max_leaves=12,
)
_ITEMS = s.lists(
    s.fixed_dictionaries({"name": s.sampled_from(["a", "b", "c"])},
                         optional={"port": s.sampled_from([1, 1.0, True, 2]), "protocol": s.sampled_from(["TCP", "UDP"]),
                                   "value": _JSON, "tags": s.dictionaries(s.sampled_from(_KEYS), _SCALARS, max_size=2)}),
    max_size=3,
)
_SPEC_FIELDS: dict[str, s.SearchStrategy[Any]] = {
    "replicas": _SCALARS, "selector": _JSON, "ports": _ITEMS | _JSON, "containers": _ITEMS | _JSON,
    "finalizers": s.lists(_SCALARS, max_size=3) | _JSON, "args": _JSON,
    "labels": s.dictionaries(s.sampled_from(_KEYS), _SCALARS, max_size=3) | _JSON, "data": _JSON,
}
_SPEC = s.fixed_dictionaries({}, optional=_SPEC_FIELDS)
_META = s.fixed_dictionaries({"name": s.just("o")}, optional={
    "labels": s.dictionaries(s.sampled_from(_KEYS), _SCALARS, max_size=3), "resourceVersion": s.sampled_from(["1", "2"]),
    "finalizers": s.lists(s.sampled_from(["a", "b"]), max_size=2), "annotations": _JSON,
})
OBJECTS = s.fixed_dictionaries({"apiVersion": s.just("example.com/v1"), "kind": s.just("Thing"), "metadata": _META},
                                optional={
    "spec": s.fixed_dictionaries({}, optional={
        **_SPEC_FIELDS,
        "template": s.fixed_dictionaries({}, optional={"metadata": _JSON, "spec": _SPEC}) | _JSON}) | _JSON,
    "status": _SPEC | _JSON,
    "data": _JSON,
})
IGNORED = s.sampled_from([frozenset(), frozenset({"status"}), frozenset({"metadata", "spec", "data"})])


# ---- the reference: whole field sets of both versions, compared -------------------------------------

def _values(obj: Any, ignored: frozenset[str], containers: set[Path] | None = None) -> dict[Path, Any]:
    out: dict[Path, Any] = {}
    _walk(obj, object_schema(SCHEMA), (), out, containers)
    top = {field(n) for n in {"apiVersion", "kind", *ignored}}
    meta = {field(n) for n in ("name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                               "selfLink", "managedFields", "clusterName")}

    def server(p: Path) -> bool:
        return bool(p) and (p[0] in top or (p[0] == "f:metadata" and len(p) > 1 and p[1] in meta))

    if containers is not None:
        kept = {p for p in containers if not server(p) and p != (field("metadata"),)}
        containers.clear()
        containers.update(kept)
    return {p: v for p, v in out.items() if not server(p)}


def _walk(value: Any, schema: Any, path: Path, out: dict[Path, Any], containers: set[Path] | None) -> None:
    if isinstance(value, dict):
        if st.map_is_atomic(schema):
            out[path] = value
            return
        for name, child in value.items():
            child_path = (*path, field(name))
            _walk(child, st.field_schema(schema, name), child_path, out, containers)
            if child is None or (isinstance(child, dict) and not child):
                out[child_path] = child
            elif not st.is_struct_field(schema, name):
                out.setdefault(child_path, MEMBER)
            if containers is not None and isinstance(child, dict) and st.is_struct_field(schema, name):
                containers.add(child_path)
    elif isinstance(value, list):
        elements = _elements(value, schema)
        if elements is None:
            out[path] = value
            return
        for element, item in elements:
            _walk(item, st.item_schema(schema), (*path, element), out, containers)
            out.setdefault((*path, element), MEMBER)
    else:
        out[path] = value


def _elements(value: list[Any], schema: Any) -> list[tuple[str, Any]] | None:
    shape = st.list_shape(schema)
    if shape.kind == "atomic":
        return None
    out: list[tuple[str, Any]] = []
    for item in value:
        if shape.kind == "set":
            if isinstance(item, dict | list):
                return None
            element = value_element(item)
        else:
            if not isinstance(item, dict) or not all(st.has_key(item, k) for k in shape.keys):
                return None
            element = key_element({k: st.key_value(item, k) for k in shape.keys})
        if element in (e for e, _ in out):
            return None
        out.append((element, item))
    return out


def _compare(before: Mapping[Path, Any], after: Mapping[Path, Any]) -> tuple[FieldSet, FieldSet, FieldSet]:
    added = frozenset(p for p in after if p not in before)
    removed = frozenset(p for p in before if p not in after)
    modified = frozenset(p for p, v in after.items() if p in before and v is not MEMBER
                         and before[p] is not MEMBER and before[p] != v)
    return added, removed, modified


def _encode(fields: FieldSet) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in sorted(fields):
        node = tree
        for element in path:
            node = node.setdefault(element, {})

    def mark(node: dict[str, Any], prefix: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for element, child in node.items():
            marked = mark(child, (*prefix, element))
            out[element] = {".": {}, **marked} if marked and (*prefix, element) in fields else marked
        return out

    return mark(tree, ())


def _stripped(obj: dict[str, Any]) -> dict[str, Any]:
    return {**obj, "metadata": {k: v for k, v in obj["metadata"].items() if k != "managedFields"}}


def _reference_update(old: dict[str, Any] | None, new: dict[str, Any], *, manager: str, now: str,
                      ignored: frozenset[str]) -> dict[str, Any]:
    managers = decode_entries(((old or {}).get("metadata") or {}).get("managedFields"))
    old_content, new_content = _stripped(old or {"metadata": {}}), _stripped(new)
    fields = {k: e.fields for k, e in managers.items()}
    times = {k: e.time for k, e in managers.items()}
    if old is None or old_content != new_content:
        had_c: set[Path] = set()
        has_c: set[Path] = set()
        before = _values(old_content, ignored, had_c) if old is not None else {}
        after = _values(new_content, ignored, has_c)
        if old is None:
            after = {p: v for p, v in after.items() if v is not None}
        added, removed, modified = _compare(before, after)
        had = set(ZERO) | had_c
        added |= has_c - had
        if old is not None:
            removed |= had - has_c
        taken = added | modified | removed
        for k in fields:
            fields[k] -= taken
        mine = (manager, "Update", new["apiVersion"], "")
        previous = fields.get(mine, frozenset())
        own = previous - removed | added | modified
        if mine not in fields or own != previous:
            times[mine] = now
        fields[mine] = own
    entries = []
    for (mgr, op, version, sub), fs in fields.items():
        if fs:
            entries.append({"manager": mgr, "operation": op, "apiVersion": version, "time": times[(mgr, op, version, sub)],
                            "fieldsType": "FieldsV1", "fieldsV1": _encode(fs)})
    entries.sort(key=lambda e: (e["operation"], e["time"], e["manager"]))
    out = {**new, "metadata": {k: v for k, v in new["metadata"].items() if k != "managedFields"}}
    if entries:
        out["metadata"]["managedFields"] = entries
    return out


# ---- the properties --------------------------------------------------------------------------------

@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OBJECTS, OBJECTS, IGNORED)
def test_diff_of_two_objects_matches_comparing_their_whole_field_sets(
    old: dict[str, Any], new: dict[str, Any], ignored: frozenset[str]
) -> None:
    had: set[Path] = set()
    has: set[Path] = set()
    expected = _compare(_values(old, ignored, had), _values(new, ignored, has))
    got = diff_fields(old, new, SCHEMA, ignored=ignored, containers=True)
    assert (got.comparison.added, got.comparison.removed, got.comparison.modified) == expected
    assert (got.containers_gone, got.containers_new) == (frozenset(had - has), frozenset(has - had))


def _edited(data: s.DataObject, obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with a few fields somewhere in it replaced, added or removed (a write's typical change)."""
    out: dict[str, Any] = orjson.loads(orjson.dumps(obj))
    for _ in range(data.draw(s.integers(1, 3))):
        node: Any = out
        while isinstance(node, dict) and node and data.draw(s.booleans()):
            key = data.draw(s.sampled_from(sorted(node)))
            if not isinstance(node[key], dict) or not node[key]:
                break
            node = node[key]
        if isinstance(node, dict):
            action = data.draw(s.sampled_from(["set", "drop"]))
            key = data.draw(s.sampled_from(_KEYS))
            if action == "drop":
                node.pop(key, None)
            else:
                node[key] = data.draw(_JSON | _ITEMS)
    if not isinstance(out.get("metadata"), dict):
        out["metadata"] = {}
    out["metadata"]["name"] = "o"
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OBJECTS, s.data(), IGNORED)
def test_a_chain_of_writes_records_what_the_reference_records(
    first: dict[str, Any], data: s.DataObject, ignored: frozenset[str]
) -> None:
    zero = ZERO
    ours = record_update(None, first, schema=SCHEMA, manager="creator", now="t0", zero_structs=zero)
    ref = _reference_update(None, first, manager="creator", now="t0", ignored=frozenset())
    assert orjson.dumps(ours) == orjson.dumps(ref)
    for step in range(1, 4):
        new = _edited(data, ours)
        new["metadata"].pop("managedFields", None)
        new["metadata"]["managedFields"] = ours["metadata"].get("managedFields")
        manager = data.draw(s.sampled_from(["creator", "editor", "other"]))
        ours_next = record_update(ours, new, schema=SCHEMA, manager=manager, now=f"t{step}", ignored=ignored,
                                  zero_structs=zero)
        ref_next = _reference_update(ref, {**new, "metadata": dict(new["metadata"])}, manager=manager,
                                     now=f"t{step}", ignored=ignored)
        assert orjson.dumps(ours_next) == orjson.dumps(ref_next)
        ours, ref = ours_next, ref_next


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OBJECTS, OBJECTS)
def test_an_apply_onto_a_live_object_records_the_same_set_on_every_try(live: dict[str, Any], applied: dict[str, Any]) -> None:
    """Cached field sets give the same answer as fresh ones: each apply is made twice, the second
    time with every set already cached."""
    live = record_update(None, live, schema=SCHEMA, manager="creator", now="t0")
    answers = []
    for _ in range(2):
        try:
            result = server_side_apply(live, applied, schema=SCHEMA, manager="applier", now="t1", force=True)
        except PatchError as e:  # the same refusal both times is the property
            answers.append(type(e).__name__)
        else:
            answers.append(orjson.dumps(result.object).decode())
    assert answers[0] == answers[1]


@given(OBJECTS)
def test_decoding_an_encoded_set_gives_the_set_back(obj: dict[str, Any]) -> None:
    fields = frozenset(_values(obj, frozenset()))
    encoded = fieldpath.encode(fields)
    assert encoded == _encode(fields)
    assert fieldpath.decode(orjson.loads(orjson.dumps(encoded))) == fields - {()}


_TWINS: dict[Any, list[Any]] = {1: [1, 1.0, True], 0: [0, 0.0, False]}


def _twin(data: s.DataObject, value: Any) -> Any:
    """``value`` with some of its numbers and booleans swapped for an equal one of another type."""
    if isinstance(value, dict):
        return {k: _twin(data, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_twin(data, v) for v in value]
    if isinstance(value, bool | int | float) and value in _TWINS:
        return data.draw(s.sampled_from(_TWINS[int(value)]))
    return value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OBJECTS, s.data(), IGNORED)
def test_values_equal_in_python_but_not_in_json_are_changes(
    old: dict[str, Any], data: s.DataObject, ignored: frozenset[str]
) -> None:
    new = _twin(data, old)
    had: set[Path] = set()
    has: set[Path] = set()
    expected = _compare(_values(old, ignored, had), _values(new, ignored, has))
    got = diff_fields(old, new, SCHEMA, ignored=ignored, containers=True)
    assert (got.comparison.added, got.comparison.removed, got.comparison.modified) == expected
