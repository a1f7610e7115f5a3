"""JSON merge patch (RFC 7386) and JSON patch (RFC 6902), with the statuses the server answers."""

from __future__ import annotations

from typing import Any

import pytest

from kro.devcluster.patch import (
    MalformedPatchError,
    PatchApplyError,
    PatchType,
    UnsupportedPatchTypeError,
    apply_patch,
    json_merge_patch,
    json_patch,
    parse_body,
    patch_type,
)


@pytest.mark.parametrize(
    ("target", "patch", "result"),
    [  # RFC 7386 appendix A
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"a": "foo"}, None, None),
        ({"a": "foo"}, "bar", "bar"),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_rfc7386_examples(target: object, patch: object, result: object) -> None:
    assert json_merge_patch(target, patch) == result


def test_json_patch_operations() -> None:
    doc: dict[str, Any] = {"metadata": {"labels": {"a": "1"}}, "spec": {"list": [1, 2]}}
    ops = [
        {"op": "add", "path": "/metadata/labels/b", "value": "2"},
        {"op": "replace", "path": "/spec/list/0", "value": 9},
        {"op": "remove", "path": "/metadata/labels/a"},
        {"op": "add", "path": "/spec/list/-", "value": 3},
        {"op": "test", "path": "/spec/list/1", "value": 2},
    ]
    assert json_patch(doc, ops) == {"metadata": {"labels": {"b": "2"}}, "spec": {"list": [9, 2, 3]}}
    assert doc["spec"]["list"] == [1, 2]


def test_json_patch_that_cannot_apply_is_422() -> None:
    with pytest.raises(PatchApplyError) as err:
        json_patch({"a": 1}, [{"op": "test", "path": "/a", "value": 2}])
    assert err.value.status()["code"] == 422
    with pytest.raises(PatchApplyError):
        json_patch({"a": 1}, [{"op": "remove", "path": "/nope"}])


def test_malformed_json_patch_is_400() -> None:
    for bad in ({"op": "add"}, [{"op": "frobnicate", "path": "/a"}], [{"op": "add", "path": "/a"}], [1]):
        with pytest.raises(MalformedPatchError) as err:
            json_patch({}, bad)
        assert err.value.status()["code"] == 400


def test_patch_types_by_media_type() -> None:
    assert patch_type("application/merge-patch+json; charset=utf-8") is PatchType.MERGE
    assert patch_type("application/apply-patch+yaml") is PatchType.APPLY
    with pytest.raises(UnsupportedPatchTypeError):
        patch_type("text/plain")


def test_bodies_parse_as_json_or_apply_yaml_keeping_timestamps_as_strings() -> None:
    doc = parse_body(b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  t: 2024-01-01T00:00:00Z\n",
                     PatchType.APPLY)
    assert doc["data"]["t"] == "2024-01-01T00:00:00Z"
    with pytest.raises(MalformedPatchError):
        parse_body(b"{not json", PatchType.MERGE)
    with pytest.raises(MalformedPatchError):
        parse_body(b"- a list", PatchType.APPLY)


@pytest.mark.parametrize(
    ("body", "doc"),
    [
        (b'{"a": 1, "b": [1.5, null, true], "t": "2024-01-01T00:00:00Z"}',
         {"a": 1, "b": [1.5, None, True], "t": "2024-01-01T00:00:00Z"}),
        (b'{"a": 1e3, "b": 1.5E+3}', {"a": "1e3", "b": 1500.0}),  # read as YAML reads them
        (b'{"a": NaN, "s": "on"}', {"a": "NaN", "s": "on"}),
        (b'{"a": 1, "a": 2}', {"a": 2}),
    ],
)
def test_an_apply_written_as_json_reads_as_the_same_yaml(body: bytes, doc: object) -> None:
    assert parse_body(body, PatchType.APPLY) == doc


def test_apply_patch_result_must_stay_an_object() -> None:
    with pytest.raises(PatchApplyError):
        apply_patch({"a": 1}, ["x"], PatchType.MERGE, schema=None, builtin=True)
    assert apply_patch({"a": 1}, {"b": 2}, PatchType.MERGE, schema=None, builtin=False) == {"a": 1, "b": 2}
