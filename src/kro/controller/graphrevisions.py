"""GraphRevision objects (``internal.kro.run/v1alpha1``): reading an RGD's revisions, issuing the
next one, recording whether it compiled, adopting orphans and pruning old ones.

Revisions belong to an RGD by name (label ``kro.run/resource-graph-definition-name``, and
``spec.snapshot.name``), so an RGD deleted with ``--cascade=orphan`` and created again takes its
history back (its owner reference is rewritten). Numbers come from the highest of the live
revisions and the RGD's ``status.lastIssuedRevision``, so they are never reused, even after the old
ones are pruned or the controller restarts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kro.api import KRO_API_VERSION, RGD_KIND
from kro.api.conditions import ConditionReason, ConditionType
from kro.api.internal_v1alpha1 import (
    GRAPH_REVISION_KIND,
    GRAPH_REVISION_PLURAL,
    INTERNAL_GROUP,
    INTERNAL_VERSION,
)
from kro.api.keys import Labels
from kro.api.refs import GVR
from kro.controller.ports import Writer
from kro.controller.rgdstatus import graph_summary
from kro.graph.model import Graph
from kro.graph.spechash import revision_name
from kro.runtime import conditions as cond

GRS = GVR(INTERNAL_GROUP, INTERNAL_VERSION, GRAPH_REVISION_PLURAL)
Obj = Mapping[str, Any]


@dataclass(frozen=True)
class Revision:
    """One GraphRevision as read from (or written to) the API server."""

    number: int
    name: str
    hash: str
    generation: int
    spec: Mapping[str, Any]
    uid: str
    owner_uid: str
    terminating: bool
    status: Mapping[str, Any]

    @property
    def verified(self) -> bool | None:
        """What its ``GraphVerified`` condition says (None: not compiled yet)."""
        for c in self.status.get("conditions") or []:
            if isinstance(c, Mapping) and c.get("type") == ConditionType.GRAPH_VERIFIED.value:
                return {"True": True, "False": False}.get(str(c.get("status")))
        return None


def from_object(obj: Obj) -> Revision | None:
    """A Revision, or None for an object that is not a well-formed GraphRevision."""
    meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    snapshot = spec.get("snapshot") or {}
    number = spec.get("revision")
    if not isinstance(number, int) or not isinstance(snapshot.get("spec"), Mapping):
        return None
    owner = next(
        (
            str(r.get("uid", ""))
            for r in meta.get("ownerReferences") or []
            if r.get("kind") == RGD_KIND and r.get("apiVersion") == KRO_API_VERSION and r.get("controller")
        ),
        "",
    )
    return Revision(
        number=number,
        name=str(meta.get("name", "")),
        hash=str((meta.get("labels") or {}).get(Labels.GRAPH_REVISION_HASH, "")),
        generation=int(snapshot.get("generation") or 0),
        spec=snapshot["spec"],
        uid=str(meta.get("uid", "")),
        owner_uid=owner,
        terminating=bool(meta.get("deletionTimestamp")),
        status=obj.get("status") or {},
    )


async def list_revisions(writer: Writer, rgd_name: str) -> list[Revision]:
    """The RGD's revisions, oldest first (raises :class:`kro.kube.errors.NotFound` when the
    GraphRevision API is not served)."""
    found = await writer.list(GRS, label_selector={Labels.RGD_NAME: rgd_name})
    revisions = [r for r in map(from_object, found) if r is not None]
    return sorted(revisions, key=lambda r: r.number)


def owner_reference(rgd: Obj) -> dict[str, Any]:
    meta = rgd.get("metadata") or {}
    return {
        "apiVersion": KRO_API_VERSION,
        "kind": RGD_KIND,
        "name": str(meta.get("name", "")),
        "uid": str(meta.get("uid", "")),
        "controller": True,
    }


def revision_body(rgd: Obj, *, number: int, spec_hash: str, kro_version: str) -> dict[str, Any]:
    meta = rgd.get("metadata") or {}
    name = str(meta.get("name", ""))
    return {
        "apiVersion": f"{INTERNAL_GROUP}/{INTERNAL_VERSION}",
        "kind": GRAPH_REVISION_KIND,
        "metadata": {
            "name": revision_name(name, number),
            "labels": {
                Labels.OWNED: "true",
                Labels.KRO_VERSION: kro_version,
                Labels.RGD_NAME: name,
                Labels.GRAPH_REVISION_HASH: spec_hash,
            },
            "ownerReferences": [owner_reference(rgd)],
        },
        "spec": {
            "revision": number,
            "snapshot": {"name": name, "generation": int(meta.get("generation") or 0), "spec": rgd.get("spec") or {}},
        },
    }


async def issue(writer: Writer, rgd: Obj, *, number: int, spec_hash: str, kro_version: str) -> Revision:
    """Create revision ``number`` of ``rgd`` (raises :class:`kro.kube.errors.AlreadyExists` when
    that name is taken)."""
    created = await writer.create(GRS, revision_body(rgd, number=number, spec_hash=spec_hash, kro_version=kro_version))
    revision = from_object(created)
    assert revision is not None  # we just wrote it well-formed
    return revision


async def adopt(writer: Writer, rgd: Obj, revision: Revision) -> Revision:
    """Point an orphaned revision's owner reference at ``rgd`` (same name, new object)."""
    patch = {"metadata": {"ownerReferences": [owner_reference(rgd)]}}
    updated = from_object(await writer.merge_patch(GRS, revision.name, patch))
    return updated or revision


def verdict_status(
    revision: Revision, *, graph: Graph | None, message: str, now: str
) -> dict[str, Any]:
    """The status recording whether ``revision`` compiled: ``GraphVerified`` and ``Ready``, and the
    compiled graph's order and dependencies."""
    if graph is not None:
        verified = cond.true(ConditionType.GRAPH_VERIFIED, ConditionReason.VERIFIED, "graph revision compiled and verified")
    else:
        verified = cond.false(ConditionType.GRAPH_VERIFIED, ConditionReason.INVALID_GRAPH, message)
    status: dict[str, Any] = {
        "conditions": cond.render(
            [verified, cond.aggregate_ready([verified])],
            previous=revision.status.get("conditions") or [],
            now=now,
            generation=None,
        )
    }
    if graph is not None:
        status.update(graph_summary(graph))
    return status


async def record_verdict(writer: Writer, revision: Revision, status: Obj) -> Revision:
    """Write ``status`` on the revision unless it already says exactly that."""
    if dict(revision.status) == dict(status):
        return revision
    patch = {**{k: None for k in revision.status if k not in status}, **status}
    updated = from_object(await writer.merge_patch(GRS, revision.name, {"status": patch}, status=True))
    return updated or revision


def to_prune(revisions: Sequence[Revision], *, keep: int, protect: Iterable[int]) -> list[Revision]:
    """The revisions past retention: all but the ``keep`` newest, never one in ``protect`` (the
    revision serving instances). ``keep`` of 0 or less keeps everything."""
    if keep <= 0 or len(revisions) <= keep:
        return []
    kept = {r.number for r in sorted(revisions, key=lambda r: r.number)[-keep:]} | set(protect)
    return [r for r in revisions if r.number not in kept and not r.terminating]
