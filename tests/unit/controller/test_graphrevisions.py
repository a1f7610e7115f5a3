"""GraphRevision objects: what kro writes, how it reads them back, what retention prunes."""

from __future__ import annotations

from typing import Any

from kro.controller.graphrevisions import Revision, from_object, revision_body, to_prune, verdict_status
from kro.graph.spechash import spec_hash

RGD: dict[str, Any] = {
    "apiVersion": "kro.run/v1alpha1",
    "kind": "ResourceGraphDefinition",
    "metadata": {"name": "app", "uid": "u-1", "generation": 7},
    "spec": {"schema": {"apiVersion": "v1alpha1", "kind": "App"}, "resources": []},
}


def test_a_revision_round_trips_through_its_object() -> None:
    body = revision_body(RGD, number=3, spec_hash=spec_hash(RGD["spec"]), kro_version="0.1.0")
    assert body["metadata"]["name"] == "app-r00003"
    assert body["metadata"]["labels"] == {
        "kro.run/owned": "true",
        "kro.run/kro-version": "0.1.0",
        "kro.run/resource-graph-definition-name": "app",
        "kro.run/graph-revision-hash": spec_hash(RGD["spec"]),
    }
    assert body["spec"] == {"revision": 3, "snapshot": {"name": "app", "generation": 7, "spec": RGD["spec"]}}
    revision = from_object(body)
    assert revision is not None
    assert (revision.number, revision.owner_uid, revision.verified, revision.terminating) == (3, "u-1", None, False)
    failed = verdict_status(revision, graph=None, message="resource 'x': boom", now="2026-01-01T00:00:00Z")
    verdict = {c["type"]: (c["status"], c["reason"], c["message"]) for c in failed["conditions"]}
    assert verdict == {
        "GraphVerified": ("False", "InvalidGraph", "resource 'x': boom"),
        "Ready": ("False", "InvalidGraph", "resource 'x': boom"),
    }
    assert from_object({**body, "status": failed}).verified is False  # type: ignore[union-attr]
    assert from_object({"spec": {"revision": "3"}}) is None


def _revision(number: int, *, terminating: bool = False) -> Revision:
    return Revision(number, f"app-r{number:05d}", "", 1, {}, "", "", terminating, {})


def test_retention_keeps_the_newest_and_the_one_serving() -> None:
    revisions = [_revision(n) for n in range(1, 8)]
    assert [r.number for r in to_prune(revisions, keep=3, protect={2})] == [1, 3, 4]
    assert to_prune(revisions, keep=0, protect=set()) == []  # 0: keep all
    assert to_prune(revisions[:3], keep=5, protect=set()) == []
    going = [_revision(1, terminating=True), *revisions[1:]]
    assert [r.number for r in to_prune(going, keep=5, protect=set())] == [2]
