"""FieldsV1 encoding of field sets, and paths as conflicts print them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as s

from kro.devcluster.patch import MalformedPatchError
from kro.devcluster.patch.fieldpath import decode, encode, field, key_element, render, value_element


def test_member_with_children_carries_a_dot() -> None:
    item = (field("spec"), field("containers"), key_element({"name": "a"}))
    fields = {item, (*item, field("image")), (field("spec"), field("replicas"))}
    assert encode(fields) == {
        "f:spec": {"f:containers": {'k:{"name":"a"}': {".": {}, "f:image": {}}}, "f:replicas": {}}
    }
    assert decode(encode(fields)) == frozenset(fields)


def test_key_elements_are_canonical_whatever_order_they_come_in() -> None:
    assert key_element({"protocol": "TCP", "containerPort": 80}) == 'k:{"containerPort":80,"protocol":"TCP"}'
    assert decode({'k:{"protocol":"TCP","containerPort":80}': {}}) == frozenset(
        {('k:{"containerPort":80,"protocol":"TCP"}',)})


def test_render_matches_kube_apiserver() -> None:
    path = (field("spec"), field("containers"), key_element({"name": "a"}), field("ports"),
            key_element({"containerPort": 80, "protocol": "TCP"}))
    assert render(path) == '.spec.containers[name="a"].ports[containerPort=80,protocol="TCP"]'
    assert render((field("metadata"), field("finalizers"), value_element("x"))) == '.metadata.finalizers[="x"]'


def test_bad_fields_v1_is_rejected() -> None:
    with pytest.raises(MalformedPatchError):
        decode({"x:nope": {}})
    with pytest.raises(MalformedPatchError):
        decode({"f:a": 1})


names = s.text(alphabet="abcxyz", min_size=1, max_size=3)
elements = s.one_of(names.map(field), s.dictionaries(names, s.integers(0, 9), min_size=1, max_size=2).map(key_element))


@given(s.sets(s.lists(elements, min_size=1, max_size=4).map(tuple), max_size=8))
def test_encode_decode_round_trip(fields: set[tuple[str, ...]]) -> None:
    assert decode(encode(fields)) == frozenset(fields)
