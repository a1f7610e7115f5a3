"""Plural kind names: the table upstream kro's CRD names depend on."""

from __future__ import annotations

import pytest

from kro.schema.plural import pluralize


@pytest.mark.parametrize(
    ("kind", "plural"),
    [
        ("WebApp", "webapps"),
        ("Application", "applications"),
        ("Database", "databases"),
        ("Policy", "policies"),
        ("NetworkPolicy", "networkpolicies"),
        ("Gateway", "gateways"),
        ("Key", "keys"),
        ("Ingress", "ingresses"),
        ("Class", "classes"),
        ("Box", "boxes"),
        ("Mailbox", "mailboxes"),
        ("Batch", "batches"),
        ("Mesh", "meshes"),
        ("Sandbox", "sandboxes"),
        ("Status", "statuses"),
        ("Redis", "redis"),  # ends in s: upstream leaves it as is (CRD redis.kro.run)
        ("Bus", "buses"),
        ("Quiz", "quizzes"),
        ("Waltz", "waltzes"),
        ("Person", "people"),
        ("Child", "children"),
        ("Man", "men"),
        ("Woman", "women"),
        ("Index", "indices"),
        ("Vertex", "vertices"),
        ("Matrix", "matrices"),
        ("Analysis", "analyses"),
        ("Datum", "data"),
        ("Data", "data"),
        ("Medium", "mediums"),  # the "dium" rule comes before "ium"
        ("Aquarium", "aquaria"),
        ("Criterion", "criteria"),
        ("Leaf", "leafs"),
        ("Wolf", "wolves"),
        ("Knife", "knives"),
        ("Life", "lives"),
        ("Half", "halves"),
        ("Hero", "heroes"),
        ("Radio", "radios"),
        ("Photo", "photos"),
        ("Sheep", "sheep"),
        ("Series", "series"),
        ("Species", "species"),
        ("Fish", "fish"),
        ("Goose", "geese"),
        ("Mouse", "mice"),
        ("Foot", "feet"),
        ("Tooth", "teeth"),
        ("Alias", "aliases"),
        ("Cactus", "cacti"),
        ("Virus", "viri"),
        ("Nucleus", "nuclei"),
        ("Size", "sizes"),
        ("Bridge", "bridges"),
        ("Node", "nodes"),
        ("Codebase", "codebases"),
        ("Day", "days"),
        ("Soliloquy", "soliloquies"),
        ("Users", "users"),
        ("Cluster", "clusters"),
        ("S3Bucket", "s3buckets"),
        ("Ec2Instance", "ec2instances"),
    ],
)
def test_plural(kind: str, plural: str) -> None:
    assert pluralize(kind) == plural


@pytest.mark.parametrize("word", ["webapps", "policies", "people", "children", "boxes", "indices", "heroes"])
def test_plurals_stay_plural(word: str) -> None:
    assert pluralize(word) == word


def test_empty() -> None:
    assert pluralize("") == ""
