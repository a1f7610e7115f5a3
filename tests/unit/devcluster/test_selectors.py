"""Label and field selector parsing and matching."""

from __future__ import annotations

import pytest

from kro.devcluster.storage import FieldSelector, InvalidSelectorError, LabelSelector


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ("app=web", {"app": "web"}, True),
        ("app==web", {"app": "db"}, False),
        ("app!=web", {}, True),
        ("app in (web, db)", {"app": "db"}, True),
        ("app notin (web,db)", {"app": "db"}, False),
        ("app", {"app": ""}, True),
        ("!app", {"app": "x"}, False),
        ("app=web,tier in (front)", {"app": "web", "tier": "front"}, True),
        ("app=web,tier in (front)", {"app": "web"}, False),
        ("replicas>2", {"replicas": "3"}, True),
        ("replicas<2", {"replicas": "x"}, False),
        ("kro.run/owned=true", {"kro.run/owned": "true"}, True),
        ("", {}, True),
    ],
)
def test_label_selector(selector: str, labels: dict[str, str], expected: bool) -> None:
    assert LabelSelector.parse(selector).matches(labels) is expected


@pytest.mark.parametrize("bad", ["app in web", "=x", "a=b=c", "a>b"])
def test_bad_label_selectors_are_rejected(bad: str) -> None:
    with pytest.raises(InvalidSelectorError):
        LabelSelector.parse(bad)


def test_match_labels_and_expressions() -> None:
    sel = LabelSelector.from_match(
        {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]}
    )
    assert sel.matches({"app": "web", "tier": "front"})
    assert not sel.matches({"app": "web", "tier": "db"})


def test_field_selector() -> None:
    obj = {"metadata": {"name": "a", "namespace": "ns"}, "status": {"phase": "Running"}, "spec": {"x": True}}
    assert FieldSelector.parse("metadata.name=a,metadata.namespace!=other").matches(obj)
    assert FieldSelector.parse("status.phase==Running").matches(obj)
    assert FieldSelector.parse("spec.x=true").matches(obj)
    assert not FieldSelector.parse("metadata.name=b").matches(obj)
    assert FieldSelector.parse("spec.missing=").matches(obj)
    with pytest.raises(InvalidSelectorError):
        FieldSelector.parse("metadata.name")
