"""What an update may not change: the rules as data, and Go's rendering of a selector."""

from __future__ import annotations

from kro.api.refs import GVK
from kro.devcluster.immutable import go_label_selector, update_causes

DEPLOYMENT = GVK("apps", "v1", "Deployment")
POD = GVK("", "v1", "Pod")


def test_a_selector_prints_as_go_prints_it() -> None:
    assert go_label_selector({"matchLabels": {"b": "2", "a": "1"}}) == (
        'v1.LabelSelector{MatchLabels:map[string]string{"a":"1", "b":"2"}, '
        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}"
    )
    expressions = {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", 'say "hi"']},
                                        {"key": "x", "operator": "Exists"}]}
    assert go_label_selector(expressions) == (
        "v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{"
        'v1.LabelSelectorRequirement{Key:"tier", Operator:"In", Values:[]string{"web", "say \\"hi\\""}}, '
        'v1.LabelSelectorRequirement{Key:"x", Operator:"Exists", Values:[]string(nil)}}}'
    )


def test_only_what_may_not_change_is_refused() -> None:
    old = {"spec": {"selector": {"matchLabels": {"app": "a"}}, "replicas": 1, "minReadySeconds": 0}}
    # replicas (and the rest of the spec) may change; the selector may not
    same = {"spec": {"selector": {"matchLabels": {"app": "a"}}, "replicas": 3}}
    assert update_causes(DEPLOYMENT, same, old) == ([], [])
    moved = {"spec": {"selector": {"matchLabels": {"app": "b"}}}}
    assert [c.field for c in update_causes(DEPLOYMENT, moved, old)[1]] == ["spec.selector"]


def test_a_pod_may_change_its_images_but_not_the_rest_of_its_spec() -> None:
    old = {"spec": {"containers": [{"name": "c", "image": "nginx"}], "tolerations": [{"key": "k"}]}}
    new = {"spec": {"containers": [{"name": "c", "image": "nginx:1.27"}], "tolerations": [{"key": "k"}, {"key": "l"}]}}
    assert update_causes(POD, new, old) == ([], [])
    new["spec"]["containers"][0]["args"] = ["-v"]
    new["spec"]["hostNetwork"] = True
    (cause,) = update_causes(POD, new, old)[1]
    assert cause.field == "spec" and cause.reason == "FieldValueForbidden"
    assert cause.message.endswith("changed:\n  spec.containers\n  spec.hostNetwork")
