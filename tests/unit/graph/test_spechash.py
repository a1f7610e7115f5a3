"""The identity of an RGD spec for graph revisions: what changes the hash and what does not."""

from __future__ import annotations

import copy
import json
from typing import Any

from kro.graph.spechash import fnv32a, fnv64a, revision_name, spec_hash

SPEC: dict[str, Any] = {
    "schema": {"apiVersion": "v1alpha1", "kind": "App", "spec": {"name": "string", "replicas": "integer"}},
    "resources": [
        {
            "id": "cm",
            "readyWhen": ["${cm.data.a == 'x'}", "${cm.data.b == 'y'}"],
            "template": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "x"}},
        },
        {"id": "other", "template": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "y"}}},
    ],
}


def test_fnv_matches_the_reference_vectors() -> None:
    assert fnv64a(b"") == 0xCBF29CE484222325
    assert fnv64a(b"a") == 0xAF63DC4C8601EC8C
    assert fnv64a(b"foobar") == 0x85944171F73967E8
    assert fnv32a(b"a") == 0xE40C292C


def test_key_order_formatting_defaults_and_empty_fields_hash_the_same() -> None:
    base = spec_hash(SPEC)
    assert len(base) == 16
    reordered = json.loads(json.dumps(SPEC, sort_keys=True))
    assert spec_hash(reordered) == base
    defaulted = copy.deepcopy(SPEC)
    defaulted["schema"].update(group="kro.run", scope="Namespaced", types={}, additionalPrinterColumns=[])
    defaulted["resources"][1].update(readyWhen=[], includeWhen=None, forEach=[])
    assert spec_hash(defaulted) == base
    swapped = copy.deepcopy(SPEC)
    swapped["resources"][0]["readyWhen"].reverse()  # a conjunction: order is not meaning
    assert spec_hash(swapped) == base


def test_changes_of_meaning_change_the_hash() -> None:
    base = spec_hash(SPEC)
    value = copy.deepcopy(SPEC)
    value["resources"][0]["template"]["data"]["a"] = "z"
    group = copy.deepcopy(SPEC)
    group["schema"]["group"] = "example.com"
    order = copy.deepcopy(SPEC)
    order["resources"].reverse()  # decides ties in creation order
    assert len({base, spec_hash(value), spec_hash(group), spec_hash(order)}) == 4


def test_revision_names_are_padded_and_long_names_cut_with_a_hash() -> None:
    assert revision_name("webapp", 1) == "webapp-r00001"
    assert revision_name("webapp", 123456) == "webapp-r123456"
    a, b = revision_name("a" * 250 + "x", 3), revision_name("a" * 250 + "y", 3)
    assert len(a) == len(b) == 253 and a != b and a.startswith("a" * 200)
    assert revision_name("a." + "-" * 251, 1).startswith("a-r00001-")
