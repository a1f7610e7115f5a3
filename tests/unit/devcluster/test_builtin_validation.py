"""kube-apiserver's typed validation of built-in kinds: one test per rule, with its exact wording."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kro.devcluster.builtin_validation import builtin_causes, name_causes
from kro.devcluster.errors import Cause

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end "
    "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1035_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
CONFIG_KEY_MSG = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
    "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
)

WORKLOAD: dict[str, Any] = {
    "metadata": {"name": "web"},
    "spec": {
        "replicas": 1,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web", "tier": "front"}},
            "spec": {"containers": [{"name": "app", "image": "nginx", "ports": [{"containerPort": 80}]}]},
        },
    },
}


def workload(**spec: Any) -> dict[str, Any]:
    obj = copy.deepcopy(WORKLOAD)
    obj["spec"].update(spec)
    return obj


def container(**fields: Any) -> dict[str, Any]:
    return {"name": "app", "image": "nginx", **fields}


def with_containers(*containers: dict[str, Any]) -> dict[str, Any]:
    obj = workload()
    obj["spec"]["template"]["spec"]["containers"] = list(containers)
    return obj


def test_valid_workloads_have_no_causes() -> None:
    for kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
        assert builtin_causes("apps", kind, workload()) == []
    assert builtin_causes("batch", "Job", workload(selector=None)) == []


def test_names_are_dns1123_subdomains_for_most_kinds() -> None:
    assert name_causes("", "ConfigMap", "my.config-1") == []
    assert name_causes("apps", "Deployment", "Bad_Name") == [
        Cause("metadata.name", "FieldValueInvalid", f'Invalid value: "Bad_Name": {SUBDOMAIN_MSG}')
    ]


def test_too_long_name_reports_length_then_format() -> None:
    causes = name_causes("", "Secret", "a" * 254)
    assert [c.message.split(": ", 2)[2] for c in causes] == ["must be no more than 253 characters"]


def test_namespace_names_are_dns1123_labels() -> None:
    assert name_causes("", "Namespace", "123-abc") == []
    assert name_causes("", "Namespace", "a.b") == [
        Cause("metadata.name", "FieldValueInvalid", f'Invalid value: "a.b": {LABEL_MSG}')
    ]


def test_service_names_are_dns1035_labels() -> None:
    assert name_causes("", "Service", "my-svc") == []
    assert name_causes("", "Service", "1svc") == [
        Cause("metadata.name", "FieldValueInvalid", f'Invalid value: "1svc": {DNS1035_MSG}')
    ]


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "ReplicaSet"])
def test_replicas_must_not_be_negative(kind: str) -> None:
    assert builtin_causes("apps", kind, workload(replicas=-1)) == [
        Cause("spec.replicas", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0")
    ]
    assert builtin_causes("apps", kind, workload(replicas=0)) == []


def test_selector_must_match_template_labels() -> None:
    obj = workload(selector={"matchLabels": {"app": "other"}})
    assert builtin_causes("apps", "Deployment", obj) == [
        Cause(
            "spec.template.metadata.labels",
            "FieldValueInvalid",
            'Invalid value: {"app":"web","tier":"front"}: `selector` does not match template `labels`',
        )
    ]
    expressions = {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "back"]}]}
    assert builtin_causes("apps", "StatefulSet", workload(selector=expressions)) == []


def test_selector_is_required_and_job_selector_only_when_manual() -> None:
    assert builtin_causes("apps", "DaemonSet", workload(selector=None)) == [
        Cause("spec.selector", "FieldValueRequired", "Required value")
    ]
    mismatched = workload(selector={"matchLabels": {"app": "other"}})
    assert builtin_causes("batch", "Job", mismatched) == []
    assert [c.field for c in builtin_causes("batch", "Job", {**mismatched, "spec": {**mismatched["spec"], "manualSelector": True}})] == [
        "spec.template.metadata.labels"
    ]


def test_template_needs_containers() -> None:
    obj = workload()
    del obj["spec"]["template"]
    # As in kube-apiserver, a missing template is an empty one: unlabelled, and without containers.
    assert builtin_causes("apps", "ReplicaSet", obj) == [
        Cause("spec.template.metadata.labels", "FieldValueInvalid", "Invalid value: null: `selector` does not match template `labels`"),
        Cause("spec.template.spec.containers", "FieldValueRequired", "Required value"),
    ]
    cron = {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}}}}
    assert builtin_causes("batch", "CronJob", cron) == [
        Cause("spec.jobTemplate.spec.template.spec.containers", "FieldValueRequired", "Required value")
    ]


def test_containers_need_name_and_image() -> None:
    causes = builtin_causes("apps", "Deployment", with_containers({"name": "", "image": ""}))
    assert causes == [
        Cause("spec.template.spec.containers[0].name", "FieldValueRequired", "Required value"),
        Cause("spec.template.spec.containers[0].image", "FieldValueRequired", "Required value"),
    ]


def test_container_names_are_unique_dns1123_labels() -> None:
    causes = builtin_causes("", "Pod", {"spec": {"containers": [container(), container(), container(name="Web_1")]}})
    assert causes == [
        Cause("spec.containers[1].name", "FieldValueDuplicate", 'Duplicate value: "app"'),
        Cause("spec.containers[2].name", "FieldValueInvalid", f'Invalid value: "Web_1": {LABEL_MSG}'),
    ]


def test_container_ports_are_in_range() -> None:
    ports = [{"containerPort": 65536}, {"containerPort": 0}, {"containerPort": 8080}]
    assert builtin_causes("apps", "Deployment", with_containers(container(ports=ports))) == [
        Cause(
            "spec.template.spec.containers[0].ports[0].containerPort",
            "FieldValueInvalid",
            "Invalid value: 65536: must be between 1 and 65535, inclusive",
        ),
        Cause("spec.template.spec.containers[0].ports[1].containerPort", "FieldValueRequired", "Required value"),
    ]


def test_service_ports_are_in_range() -> None:
    svc = {"spec": {"ports": [{"port": 0}, {"port": 80, "targetPort": 70000}, {"port": 443, "targetPort": "https"}]}}
    assert builtin_causes("", "Service", svc) == [
        Cause("spec.ports[0].port", "FieldValueInvalid", "Invalid value: 0: must be between 1 and 65535, inclusive"),
        Cause("spec.ports[1].targetPort", "FieldValueInvalid", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
    ]


def test_config_keys_are_validated() -> None:
    cm = {"data": {"good.key_1-A": "v", "bad key": "v", "..": "v"}, "binaryData": {"a/b": "eA=="}}
    assert builtin_causes("", "ConfigMap", cm) == [
        Cause("data[bad key]", "FieldValueInvalid", f'Invalid value: "bad key": {CONFIG_KEY_MSG}'),
        Cause("data[..]", "FieldValueInvalid", "Invalid value: \"..\": must not be '..'"),
        Cause("binaryData[a/b]", "FieldValueInvalid", f'Invalid value: "a/b": {CONFIG_KEY_MSG}'),
    ]
    assert [c.field for c in builtin_causes("", "Secret", {"data": {"k:": "eA=="}})] == ["data[k:]"]


def test_malformed_shapes_are_reported_not_crashed_on() -> None:
    assert builtin_causes("apps", "Deployment", {"spec": "nonsense"}) == [
        Cause("spec.selector", "FieldValueRequired", "Required value"),
        Cause("spec.template.spec.containers", "FieldValueRequired", "Required value"),
    ]
    assert builtin_causes("", "ConfigMap", {"data": ["x"]}) == []
