"""Drift on built-in kinds: kube-apiserver writes them back as their Go types encode them, so a
value it drops or respells still holds; anything else that differs is still drift."""

from __future__ import annotations

import copy
from typing import Any

from kro.api.refs import GVK
from kro.runtime.drift import holds_object

DEPLOYMENT = GVK("apps", "v1", "Deployment")
WIDGET = GVK("example.com", "v1", "Deployment")  # a custom resource that happens to share the kind


def desired() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {}},
        "spec": {
            "minReadySeconds": 0, "paused": False,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                "hostNetwork": False, "serviceAccountName": "", "nodeSelector": {}, "imagePullSecrets": [],
                "containers": [{
                    "name": "web", "image": "nginx", "args": [], "env": [], "stdin": False,
                    "resources": {"requests": {"cpu": "0.1", "memory": "1024Mi"}, "limits": {"cpu": 1}},
                }],
            }},
        },
    }  # fmt: skip


def as_the_server_has_it() -> dict[str, Any]:
    """What kube-apiserver v1.32 returns for :func:`desired` (defaults added, Go's omissions)."""
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "uid": "u", "resourceVersion": "7", "generation": 1},
        "spec": {
            "replicas": 1, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {"metadata": {"creationTimestamp": None, "labels": {"app": "web"}}, "spec": {
                "containers": [{
                    "name": "web", "image": "nginx", "imagePullPolicy": "Always",
                    "resources": {"requests": {"cpu": "100m", "memory": "1Gi"}, "limits": {"cpu": "1"}},
                    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                }],
                "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
                "securityContext": {}, "terminationGracePeriodSeconds": 30,
            }},
        },
    }  # fmt: skip


def test_what_the_go_types_drop_or_respell_holds() -> None:
    assert holds_object(DEPLOYMENT, as_the_server_has_it(), desired())


def test_for_a_custom_resource_nothing_is_dropped_by_the_server_so_all_of_it_must_be_there() -> None:
    assert not holds_object(WIDGET, as_the_server_has_it(), desired())


def _changed(path: list[Any], value: Any) -> dict[str, Any]:
    obj = as_the_server_has_it()
    target: Any = obj
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return obj


CONTAINER = ["spec", "template", "spec", "containers", 0]


def test_real_differences_are_still_drift() -> None:
    for path, value in [
        (["spec", "template", "spec", "hostNetwork"], True),  # someone turned on what kro set false
        (["spec", "minReadySeconds"], 5),
        ([*CONTAINER, "args"], ["--debug"]),
        ([*CONTAINER, "resources", "requests", "cpu"], "200m"),
        ([*CONTAINER, "resources", "limits", "cpu"], "1001m"),
        ([*CONTAINER, "image"], "nginx:2"),
    ]:
        assert not holds_object(DEPLOYMENT, _changed(path, value), desired()), path


def test_a_zero_that_is_a_type_error_or_a_pointer_field_is_not_taken_for_unset() -> None:
    want = desired()
    want["spec"]["template"]["spec"]["automountServiceAccountToken"] = False  # a *bool: the server keeps it
    assert not holds_object(DEPLOYMENT, as_the_server_has_it(), want)
    have = as_the_server_has_it()
    have["spec"]["template"]["spec"]["automountServiceAccountToken"] = False
    assert holds_object(DEPLOYMENT, have, want)
    want = desired()
    want["spec"]["paused"] = 0  # not a bool: not Go's zero value for this field
    assert not holds_object(DEPLOYMENT, as_the_server_has_it(), want)


def test_a_kept_empty_list_or_a_null_answer_holds_an_empty_one() -> None:
    have = as_the_server_has_it()
    container = have["spec"]["template"]["spec"]["containers"][0]
    container["args"] = []  # a server that kept it (or an older one)
    container["env"] = None
    assert holds_object(DEPLOYMENT, have, desired())
    unchanged = copy.deepcopy(desired())
    assert holds_object(DEPLOYMENT, have, unchanged)


def test_a_secrets_string_data_holds_once_the_server_moved_it_into_data() -> None:
    secret = GVK("", "v1", "Secret")
    want = {"kind": "Secret", "stringData": {"password": "hunter2"}, "data": {"user": "YWRh"}, "type": "Opaque"}
    stored = {"kind": "Secret", "data": {"user": "YWRh", "password": "aHVudGVyMg=="}, "type": "Opaque"}
    assert holds_object(secret, stored, want)
    stored["data"]["password"] = "b3RoZXI="  # someone changed it
    assert not holds_object(secret, stored, want)
