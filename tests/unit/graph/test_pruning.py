"""Schema pruning keeps type checking exactly as on the full schema."""

from __future__ import annotations

from typing import Any

from kro.graph.pruning import TOUCH, prune, selection_chains
from tests.unit.graph.builders import compile_ok, configmap, deployment, one_problem, resource, rgd

NAMES = {"app", "cm"}


def test_chains_follow_field_selections() -> None:
    chains = selection_chains(["app.status.readyReplicas >= 1 && app.?spec.?replicas.orValue(1) > 0"], NAMES)
    assert chains == {"app": {("status", "readyReplicas"), ("spec", "replicas")}}


def test_chains_stop_at_calls_indexes_and_operators() -> None:
    chains = selection_chains(
        [
            "app.spec.template.spec.containers[0].image",
            "app.metadata.labels.size()",
            "has(cm)",
            "cm.data['k']",
        ],
        NAMES,
    )
    assert chains == {
        "app": {("spec", "template", "spec", "containers"), ("metadata", "labels")},
        "cm": {(), ("data",)},
    }


def test_names_inside_string_literals_and_fields_are_not_variables() -> None:
    chains = selection_chains(["\"app.status\" + x.app.name + r'cm.data'"], NAMES)
    assert chains == {}


def test_prune_keeps_chains_and_whole_leaves() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "a": {"type": "string"},
                    "b": {"type": "object", "properties": {"c": {"type": "integer"}}},
                },
                "required": ["a", "b"],
            },
            "status": {"type": "object", "properties": {"x": {"type": "integer"}}},
        },
    }
    pruned = prune(schema, [("spec", "b")])
    assert pruned["properties"] == {
        "spec": {
            "type": "object",
            "properties": {"b": schema["properties"]["spec"]["properties"]["b"]},
            "required": ["b"],
        }
    }
    assert prune(schema, [("spec",), ()]) is schema


def test_pruned_object_keeps_a_field_so_missing_fields_still_fail() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "object", "properties": {"x": {"type": "string"}}},
            "b": {"type": "integer"},
        },
    }
    assert prune(schema, [("nope",)])["properties"] == {"b": {"type": "integer"}}


def test_maps_are_kept_whole() -> None:
    schema = {
        "type": "object",
        "properties": {"labels": {"type": "object", "additionalProperties": {"type": "string"}}},
    }
    assert prune(schema, [("labels", "app")]) == schema


def test_typos_on_pruned_resources_are_still_errors() -> None:
    doc = rgd(resources=[resource("app", deployment()), resource("cm", configmap("${app.spec.replicaz}"))])
    assert "replicaz" in one_problem(doc).message


def test_status_inferred_from_a_whole_subtree_is_complete() -> None:
    doc = rgd(resources=[resource("app", deployment())], status={"selector": "${app.spec.selector}"})
    graph = compile_ok(doc)
    status = graph.crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]
    assert set(status["properties"]["selector"]["properties"]) == {"matchLabels", "matchExpressions"}


def test_collections_walked_by_macros_contribute_element_chains() -> None:
    chains = selection_chains(
        ["size(cm)", "cm.filter(c, c.data.x == 'y').size()", "cm.exists(c, has(c.metadata.name))"], {"cm"}
    )
    assert chains == {"cm": {TOUCH, ("data", "x"), ("metadata", "name")}}
    assert selection_chains(["cm.map(c, c)"], {"cm"}) == {"cm": {()}}  # elements used whole
