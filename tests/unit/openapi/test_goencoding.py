"""Go's encoding of built-in kinds, and the controller's drift check agreeing with it: whatever the
local API server (like kube-apiserver) writes back for a desired body still holds that body."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kro.api.refs import GVK
from kro.openapi.goencoding import (
    TYPE_AND_META,
    UndecodableQuantity,
    drop_unset,
    first_type_error,
    null_empty,
)
from kro.openapi.gofacts import go_facts
from kro.runtime.drift import holds_object

FACTS = go_facts()
DEPLOYMENT = GVK("apps", "v1", "Deployment")


def encoded(gvk: GVK, body: dict[str, Any]) -> dict[str, Any]:
    definition = FACTS.definition_for(gvk)
    assert definition is not None
    out = copy.deepcopy(body)
    drop_unset(FACTS, definition, out, skip=TYPE_AND_META)
    null_empty(FACTS, definition, out, skip=TYPE_AND_META)
    return out


def test_kinds_map_to_their_go_types_and_custom_resources_to_none() -> None:
    assert FACTS.definition_for(DEPLOYMENT) == "io.k8s.api.apps.v1.Deployment"
    assert FACTS.definition_for(GVK("", "v1", "ConfigMap")) == "io.k8s.api.core.v1.ConfigMap"
    assert FACTS.definition_for(GVK("rbac.authorization.k8s.io", "v1", "Role")) == "io.k8s.api.rbac.v1.Role"
    assert FACTS.definition_for(GVK("apps.example.com", "v1", "Deployment")) is None
    assert FACTS.definition_for(GVK("apps", "v9", "Deployment")) is None


def test_a_role_without_rules_has_null_rules_and_a_rule_keeps_its_verbs() -> None:
    role = GVK("rbac.authorization.k8s.io", "v1", "Role")
    assert encoded(role, {"metadata": {"name": "r"}}) == {"metadata": {"name": "r"}, "rules": None}
    rule = {"verbs": ["get"], "resources": [], "apiGroups": [""]}
    assert encoded(role, {"rules": [rule]}) == {"rules": [{"verbs": ["get"], "apiGroups": [""]}]}


def test_a_quantity_go_cannot_parse_is_refused() -> None:
    pod = {"spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": "two"}}}]}}
    with pytest.raises(UndecodableQuantity, match="quantities must match the regular expression"):
        encoded(GVK("", "v1", "Pod"), pod)
    with pytest.raises(UndecodableQuantity):
        encoded(GVK("", "v1", "Pod"), {"spec": {"overhead": {"cpu": True}}})


ZEROS = st.sampled_from([False, 0, "", [], {}, None])
QUANTITIES = st.sampled_from(["0.1", "100m", "1024Mi", "1Gi", "0.5Gi", "2", 2, 0.25, "1e3", "1500"])


@st.composite
def deployments(draw: st.DrawFn) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "c", "image": draw(st.sampled_from(["nginx", ""]))}
    for key in ("args", "env", "stdin", "workingDir", "ports"):
        if draw(st.booleans()):
            container[key] = draw(ZEROS)
    if draw(st.booleans()):
        container["ports"] = [{"containerPort": 80, "hostPort": draw(st.sampled_from([0, 8080])), "name": ""}]
    container["resources"] = {
        "requests": {"cpu": draw(QUANTITIES), "memory": draw(QUANTITIES)},
        "limits": draw(st.sampled_from([{}, {"cpu": "1"}])),
    }
    pod: dict[str, Any] = {"containers": [container]}
    for key in ("hostNetwork", "nodeSelector", "serviceAccountName", "imagePullSecrets", "dnsPolicy"):
        if draw(st.booleans()):
            pod[key] = draw(ZEROS)
    if draw(st.booleans()):
        pod["automountServiceAccountToken"] = draw(st.booleans())
    spec: dict[str, Any] = {"selector": {"matchLabels": {"a": "b"}}, "template": {"spec": pod}}
    for key in ("minReadySeconds", "paused", "revisionHistoryLimit"):
        if draw(st.booleans()):
            spec[key] = draw(st.sampled_from([0, False, 3]))
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": spec}


@settings(max_examples=300, deadline=None)
@given(deployments())
def test_what_the_server_writes_back_holds_the_desired_body(desired: dict[str, Any]) -> None:
    try:
        stored = encoded(DEPLOYMENT, desired)
    except UndecodableQuantity:
        return
    assert holds_object(DEPLOYMENT, stored, desired)
    # and a value that really differs does not hold
    changed = copy.deepcopy(stored)
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = "other"  # "" desired included
    assert not holds_object(DEPLOYMENT, changed, desired)


@settings(max_examples=200, deadline=None)
@given(deployments())
def test_the_encoding_is_idempotent(desired: dict[str, Any]) -> None:
    try:
        once = encoded(DEPLOYMENT, desired)
    except UndecodableQuantity:
        return
    assert encoded(DEPLOYMENT, once) == once


def _first_error(gvk: GVK, body: dict[str, Any]) -> str | None:
    definition = FACTS.definition_for(gvk)
    assert definition is not None
    return first_type_error(FACTS, definition, body, skip=TYPE_AND_META)


def test_well_typed_objects_decode_and_the_first_type_error_is_reported_as_go_words_it() -> None:
    statefulset = {
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "x", "labels": {"a": "b"}},
        "spec": {"serviceName": "x", "replicas": 1, "selector": {"matchLabels": {"app": "x"}},
                 "template": {"metadata": {"labels": {"app": "x"}}, "spec": {
                     "containers": [{"name": "c", "image": "redis", "command": ["redis-server"],
                                     "ports": [{"containerPort": 6379, "protocol": "TCP"}],
                                     "resources": {"limits": {"cpu": 1, "memory": "1Gi"}},
                                     "env": [{"name": "A", "value": "1"}], "readinessProbe": {"tcpSocket": {"port": 6379}}}],
                     "terminationGracePeriodSeconds": 30, "securityContext": {"runAsUser": 1000}}},
                 "updateStrategy": {"rollingUpdate": {"maxUnavailable": "50%"}}},
        "status": {"replicas": 1, "readyReplicas": 1, "currentRevision": "x-1"},
    }  # fmt: skip
    sts = GVK("apps", "v1", "StatefulSet")
    assert _first_error(sts, statefulset) is None
    bad = copy.deepcopy(statefulset)
    bad["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "6379"
    bad["spec"]["replicas"] = 2**31  # `replicas` comes before `template` in the document: it is found first
    assert _first_error(sts, bad) == (
        "json: cannot unmarshal number 2147483648 into Go struct field StatefulSetSpec.spec.replicas of type int32"
    )
    del bad["spec"]["replicas"]
    assert _first_error(sts, bad) == (
        "json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports"
        ".containerPort of type int32"
    )
    assert _first_error(sts, {"spec": {"template": "x"}}) == (
        "json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.template of type v1.PodTemplateSpec"
    )
