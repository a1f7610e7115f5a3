"""The generated CRD: names, versions, root schema, injected status fields, printer columns,
labels, and located validation of every naming field."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest

from kro.api import Labels
from kro.schema import SchemaError, build_crd, crd_from_rgd_schema

REDIS = {
    "apiVersion": "v1alpha1",
    "kind": "Redis",
    "spec": {
        "replicas": "integer | default=1",
        "maxMemory": 'string | default="256mb"',
        "maxMemoryPolicy": 'string | default="allkeys-lru"',
    },
    "status": {"ready": "${statefulset.status.readyReplicas >= 1}"},
}
STATUS = {"type": "object", "properties": {"ready": {"type": "boolean"}, "endpoint": {"type": "string"}}}


def crd(block: dict[str, Any], status: dict[str, Any] | None = None) -> dict[str, Any]:
    return crd_from_rgd_schema(
        block, rgd_name="redis", status_schema=status, kro_version="0.1.0", rgd_uid="uid-1"
    )


def located(block: dict[str, Any]) -> dict[tuple[Any, ...], str]:
    with pytest.raises(SchemaError) as info:
        crd(block)
    return {p.path: p.message for p in info.value.problems}


def test_redis_crd() -> None:
    out = crd(REDIS, STATUS)
    assert out["apiVersion"] == "apiextensions.k8s.io/v1"
    assert out["kind"] == "CustomResourceDefinition"
    assert out["metadata"]["name"] == "redis.kro.run"
    spec = out["spec"]
    assert spec["group"] == "kro.run"
    assert spec["scope"] == "Namespaced"
    assert spec["names"] == {"kind": "Redis", "listKind": "RedisList", "plural": "redis", "singular": "redis"}
    [version] = spec["versions"]
    assert (version["name"], version["served"], version["storage"]) == ("v1alpha1", True, True)
    assert version["subresources"] == {"status": {}}
    root = version["schema"]["openAPIV3Schema"]
    assert root["type"] == "object"
    assert list(root["properties"]) == ["apiVersion", "kind", "metadata", "spec", "status"]
    assert root["properties"]["metadata"] == {"type": "object"}
    assert root["properties"]["spec"]["properties"]["replicas"] == {"type": "integer", "default": 1}


def test_plural_and_group_in_names() -> None:
    out = crd({"apiVersion": "v1", "kind": "NetworkPolicy", "group": "net.example.com", "scope": "Cluster"})
    assert out["metadata"]["name"] == "networkpolicies.net.example.com"
    assert out["spec"]["names"]["plural"] == "networkpolicies"
    assert out["spec"]["names"]["singular"] == "networkpolicy"
    assert out["spec"]["scope"] == "Cluster"


def test_status_fields_injected() -> None:
    status = crd(REDIS, STATUS)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]
    props = status["properties"]
    assert props["ready"] == {"type": "boolean"}
    assert props["state"] == {"type": "string"}
    conditions = props["conditions"]
    assert conditions["type"] == "array"
    item = conditions["items"]["properties"]
    assert set(item) == {"type", "status", "reason", "message", "lastTransitionTime", "observedGeneration"}
    assert item["lastTransitionTime"] == {"type": "string", "format": "date-time"}
    assert item["observedGeneration"]["type"] == "integer"


def test_status_fields_injected_without_status_schema() -> None:
    status = crd(REDIS)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]
    assert status["type"] == "object"
    assert set(status["properties"]) == {"state", "conditions"}


def test_user_defined_state_and_conditions_are_kept() -> None:
    mine: dict[str, Any] = {
        "type": "object",
        "properties": {"state": {"type": "integer"}, "conditions": {"type": "string"}},
    }
    props = crd(REDIS, mine)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]
    assert props["properties"] == {"state": {"type": "integer"}, "conditions": {"type": "string"}}
    assert mine["properties"]["state"] == {"type": "integer"}  # the caller's dict is not modified


def test_default_printer_columns() -> None:
    columns = crd(REDIS)["spec"]["versions"][0]["additionalPrinterColumns"]
    assert [(c["name"], c["type"], c["jsonPath"]) for c in columns] == [
        ("State", "string", ".status.state"),
        ("Ready", "string", '.status.conditions[?(@.type=="Ready")].status'),
        ("Age", "date", ".metadata.creationTimestamp"),
    ]


def test_custom_printer_columns_replace_defaults() -> None:
    mine = [{"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas", "priority": 1}]
    columns = crd({**REDIS, "additionalPrinterColumns": mine})["spec"]["versions"][0][
        "additionalPrinterColumns"
    ]
    assert columns == mine


def test_labels_and_annotations() -> None:
    block = {**REDIS, "metadata": {"labels": {"team": "cache"}, "annotations": {"note": "anything: goes"}}}
    meta = crd(block)["metadata"]
    assert meta["labels"] == {
        "team": "cache",
        Labels.OWNED: "true",
        Labels.KRO_VERSION: "0.1.0",
        Labels.RGD_NAME: "redis",
        Labels.RGD_ID: "uid-1",
    }
    assert meta["labels"]["kro.run/resource-graph-definition-id"] == "uid-1"
    assert meta["annotations"] == {"note": "anything: goes"}


def test_rgd_id_label_omitted_without_uid() -> None:
    out = crd_from_rgd_schema(REDIS, rgd_name="redis", status_schema=None, kro_version="0.1.0")
    assert Labels.RGD_ID not in out["metadata"]["labels"]


def test_short_names_and_categories() -> None:
    names = crd({**REDIS, "shortNames": ["rd"], "categories": ["all", "cache"]})["spec"]["names"]
    assert names["shortNames"] == ["rd"]
    assert names["categories"] == ["all", "cache"]
    assert "shortNames" not in crd(REDIS)["spec"]["names"]


@pytest.mark.parametrize("kind", ["redis", "9Lives", "Web-App", "A" + "b" * 63, ""])
def test_bad_kind(kind: str) -> None:
    assert "kind must start with an upper-case letter" in located({**REDIS, "kind": kind})[("kind",)]


@pytest.mark.parametrize("version", ["1", "v1.0", "V1", "v1gamma1", "v1alpha", "kro.run/v1"])
def test_bad_api_version(version: str) -> None:
    assert "apiVersion must be a version" in located({**REDIS, "apiVersion": version})[("apiVersion",)]


@pytest.mark.parametrize("version", ["v1", "v2", "v1alpha1", "v10beta22"])
def test_good_api_versions(version: str) -> None:
    assert crd({**REDIS, "apiVersion": version})["spec"]["versions"][0]["name"] == version


def test_missing_kind_and_api_version() -> None:
    found = located({"spec": {}})
    assert found[("kind",)] == "kind is required, e.g. kind: WebApp"
    assert "apiVersion is required" in found[("apiVersion",)]


def test_api_version_with_group_gets_a_hint() -> None:
    assert (
        "give only the version, e.g. 'v1'" in located({**REDIS, "apiVersion": "kro.run/v1"})[("apiVersion",)]
    )


@pytest.mark.parametrize("group", ["kro", "Kro.Run", "-a.b", "a..b"])
def test_bad_group(group: str) -> None:
    assert "group must be a lower-case DNS domain" in located({**REDIS, "group": group})[("group",)]


def test_bad_scope_suggests() -> None:
    assert "did you mean 'Cluster'?" in located({**REDIS, "scope": "cluster"})[("scope",)]


def test_short_name_and_category_problems_are_indexed() -> None:
    found = located({**REDIS, "shortNames": ["ok", "Not_Ok", "ok"], "categories": ["x" * 64]})
    assert "is not a valid name" in found[("shortNames", 1)]
    assert "listed twice" in found[("shortNames", 2)]
    assert "is not a valid name" in found[("categories", 0)]
    assert "at most 32" in located({**REDIS, "shortNames": [f"s{i}" for i in range(33)]})[("shortNames",)]


def test_printer_column_problems_are_indexed() -> None:
    columns = [
        {"name": "A", "type": "int", "jsonPath": ".spec.a"},
        {"name": "B", "type": "string", "jsonpath": ".spec.b"},
        {"name": "A", "type": "string", "jsonPath": "spec.c", "priority": -1, "format": "weird"},
    ]
    found = located({**REDIS, "additionalPrinterColumns": columns})
    assert "did you mean 'integer'?" in found[("additionalPrinterColumns", 0, "type")]
    assert "did you mean 'jsonPath'?" in found[("additionalPrinterColumns", 1, "jsonpath")]
    assert "jsonPath is required" in found[("additionalPrinterColumns", 1, "jsonPath")]
    assert "must start with '.'" in found[("additionalPrinterColumns", 2, "jsonPath")]
    assert "non-negative integer" in found[("additionalPrinterColumns", 2, "priority")]
    assert "format must be one of" in found[("additionalPrinterColumns", 2, "format")]
    assert "used twice" in found[("additionalPrinterColumns", 2, "name")]


def test_metadata_problems() -> None:
    block = {
        **REDIS,
        "metadata": {
            "labels": {Labels.OWNED: "false", "bad key!": "x", "n": 5, "ok": "not valid!"},
            "annotations": {"a": ["list"]},
        },
    }
    found = located(block)
    assert "set by kro" in found[("metadata", "labels", Labels.OWNED)]
    assert "not a valid label key" in found[("metadata", "labels", "bad key!")]
    assert "must be strings" in found[("metadata", "labels", "n")]
    assert "label value 'not valid!' is invalid" in found[("metadata", "labels", "ok")]
    assert "must be strings" in found[("metadata", "annotations", "a")]


def test_unknown_schema_fields() -> None:
    found = located({**REDIS, "validation": ["x"], "shortname": ["r"]})
    assert "has no 'validation' field" in found[("validation",)]
    assert "did you mean 'shortNames'?" in found[("shortname",)]


def test_every_problem_in_one_error() -> None:
    block = {"kind": "bad", "apiVersion": "v1", "scope": "Both", "spec": {"a": "strin"}, "types": {"T": "[]"}}
    assert set(located(block)) == {("kind",), ("scope",), ("spec", "a"), ("types", "T")}


def test_plural_too_long() -> None:
    kind = "A" + "b" * 62  # a valid 63-character kind whose plural has 64
    assert "longer than 63 characters" in located({**REDIS, "kind": kind})[("kind",)]


def test_schema_block_must_be_a_map() -> None:
    with pytest.raises(SchemaError):
        crd_from_rgd_schema(["x"], rgd_name="r", status_schema=None, kro_version="1")  # type: ignore[arg-type]


def test_build_crd_directly() -> None:
    out = build_crd(
        kind="WebApp",
        api_version="v1",
        spec_schema={"type": "object", "properties": {}},
        status_schema=None,
        rgd_name="webapp",
        kro_version="0.1.0",
        short_names=("wa",),
    )
    assert out["metadata"]["name"] == "webapps.kro.run"
    assert out["spec"]["names"]["shortNames"] == ["wa"]
    with pytest.raises(SchemaError) as info:
        build_crd(
            kind="webapp",
            api_version="v1",
            scope="Global",
            spec_schema={},
            status_schema=None,
            rgd_name="w",
            kro_version="1",
        )
    assert {p.path for p in info.value.problems} == {("kind",), ("scope",)}


def test_crd_is_accepted_by_kubernetes_schema_rules() -> None:
    """The kubernetes-validate package checks the generated object against the real CRD schema."""
    out = crd(
        {
            **REDIS,
            "spec": {
                "ports": "[]integer | uniqueItems=true",
                "name": "string | required=true immutable=true",
            },
            "shortNames": ["rd"],
        },
        STATUS,
    )
    kubernetes_validate.validate(out, "1.32", strict=True)


def test_wrongly_shaped_fields_are_reported_not_crashed_on() -> None:
    found = located({**REDIS, "shortNames": "rd", "metadata": ["x"], "additionalPrinterColumns": {"a": 1}})
    assert "shortNames must be a list of names" in found[("shortNames",)]
    assert "metadata must be a map" in found[("metadata",)]
    assert "additionalPrinterColumns must be a list" in found[("additionalPrinterColumns",)]
    assert (
        "a column is a map"
        in located({**REDIS, "additionalPrinterColumns": ["Age"]})[("additionalPrinterColumns", 0)]
    )


def test_empty_printer_column_list_keeps_defaults() -> None:
    columns = crd({**REDIS, "additionalPrinterColumns": []})["spec"]["versions"][0][
        "additionalPrinterColumns"
    ]
    assert [c["name"] for c in columns] == ["State", "Ready", "Age"]
