"""Selector encoding for query strings and local matching."""

from __future__ import annotations

import pytest

from kro.kube.selectors import SelectorError, encode_field_selector, encode_label_selector, selector_matches


def test_strings_pass_through_and_none_stays_none() -> None:
    assert encode_label_selector("app=web,tier!=db") == "app=web,tier!=db"
    assert encode_label_selector(None) is None


def test_mappings_encode_as_sorted_equalities() -> None:
    assert encode_label_selector({"b": "2", "a": "1"}) == "a=1,b=2"
    assert (
        encode_field_selector({"metadata.name": "x", "metadata.namespace": "y"})
        == "metadata.name=x,metadata.namespace=y"
    )


def test_label_selector_documents_encode_all_operators() -> None:
    selector = {
        "matchLabels": {"app": "web"},
        "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["b", "a"]},
            {"key": "env", "operator": "NotIn", "values": ["prod"]},
            {"key": "kro.run/owned", "operator": "Exists"},
            {"key": "legacy", "operator": "DoesNotExist"},
        ],
    }
    assert encode_label_selector(selector) == "app=web,tier in (a,b),env notin (prod),kro.run/owned,!legacy"


def test_empty_label_selector_document_selects_everything() -> None:
    assert encode_label_selector({"matchLabels": {}}) == ""
    assert selector_matches({"matchExpressions": []}, {"any": "thing"})


@pytest.mark.parametrize(
    "bad",
    [
        {"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["x"]}]},
        {"matchExpressions": [{"key": "a", "operator": "In"}]},
        {"matchExpressions": [{"operator": "Exists"}]},
        {"matchLabels": {"a": 1}},
        {"app": None},
    ],
)
def test_malformed_selectors_raise_a_located_error(bad: dict[str, object]) -> None:
    with pytest.raises(SelectorError):
        encode_label_selector(bad)


def test_matching() -> None:
    labels = {"app": "web", "tier": "a"}
    assert selector_matches(None, labels)
    assert selector_matches({"app": "web"}, labels)
    assert not selector_matches({"app": "db"}, labels)
    assert selector_matches(
        {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]}, labels
    )
    assert not selector_matches(
        {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a"]}]}, labels
    )
    assert selector_matches({"matchExpressions": [{"key": "gone", "operator": "DoesNotExist"}]}, labels)
    assert not selector_matches({"matchExpressions": [{"key": "gone", "operator": "Exists"}]}, labels)
    assert not selector_matches(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "x", "operator": "In", "values": ["1"]}],
        },
        labels,
    )
