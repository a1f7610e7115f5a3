"""The RGD controller's memory of each RGD's graph revisions: which exist, which compiled, and the
compiled graphs of those that did.

For each RGD the book reads the revisions from the API server once (and again whenever a write
finds it stale), issues a new revision when the normalized spec's hash differs from the newest one,
compiles revisions and records the verdict on each (``GraphVerified``), finds the newest revision that
compiles when the newest does not, and prunes revisions past retention. Nothing here decides the
RGD's conditions; :mod:`kro.controller.rgd_controller` does, from what the book answers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kro.controller import graphrevisions as grs
from kro.controller.graphrevisions import Revision
from kro.controller.ports import Writer
from kro.graph.errors import CompileFailed
from kro.graph.model import Graph
from kro.graph.spechash import spec_hash
from kro.kube.errors import AlreadyExists, NotFound

log = logging.getLogger(__name__)
Obj = Mapping[str, Any]
Compiler = Callable[[Obj], Awaitable[Graph]]


class StaleHistory(Exception):
    """The book's view of an RGD's revisions was out of date (a revision name was already taken);
    it has been re-read, and the reconcile should run again."""


@dataclass
class _History:
    uid: str
    revisions: dict[int, Revision] = field(default_factory=dict)
    graphs: dict[int, Graph] = field(default_factory=dict)
    """Graphs compiled from revisions in this process, by revision number."""
    hashes: dict[int, str] = field(default_factory=dict)
    """Spec hashes of the revisions (their snapshots never change), by revision number."""
    current: tuple[int, str] = (0, "")
    """The RGD's generation and the hash of its spec at that generation (the spec changes only
    with the generation)."""

    @property
    def newest(self) -> Revision | None:
        return self.revisions[max(self.revisions)] if self.revisions else None


@dataclass(frozen=True)
class Verdict:
    revision: Revision
    graph: Graph | None
    message: str = ""
    """The compiler's located errors, when ``graph`` is None."""


class RevisionBook:
    def __init__(self, *, writer: Writer, compile: Compiler, kro_version: str, now: Callable[[], str]) -> None:
        self._writer = writer
        self._compile = compile
        self._kro_version = kro_version
        self._now = now
        self._books: dict[str, _History] = {}

    def forget(self, rgd_name: str) -> None:
        self._books.pop(rgd_name, None)

    def revisions(self, rgd_name: str) -> list[Revision]:
        book = self._books.get(rgd_name)
        return [book.revisions[n] for n in sorted(book.revisions)] if book else []

    async def load(self, rgd: Obj) -> list[Revision]:
        """The RGD's live revisions, oldest first: read from the server the first time (and when the
        RGD was recreated), orphans adopted. Raises :class:`NotFound` when GraphRevisions are not
        served."""
        meta = rgd.get("metadata") or {}
        name, uid = str(meta.get("name", "")), str(meta.get("uid", ""))
        book = self._books.get(name)
        if book is None or book.uid != uid:
            book = _History(uid)
            for revision in await grs.list_revisions(self._writer, name):
                if not revision.terminating and revision.owner_uid != uid:
                    log.info("adopting GraphRevision %s for RGD %s", revision.name, name, extra={"rgd": name})
                    revision = await grs.adopt(self._writer, rgd, revision)
                book.revisions[revision.number] = revision
            self._books[name] = book
        return self.revisions(name)

    async def newest(self, rgd: Obj) -> tuple[Revision, bool]:
        """The revision of the RGD's current spec, issued now if its hash differs from the newest
        one's; and whether it was issued now. Raises :class:`StaleHistory` on a name clash."""
        meta = rgd.get("metadata") or {}
        name = str(meta.get("name", ""))
        book = self._books[name]
        generation = int(meta.get("generation") or 0)
        if book.current[0] != generation or not book.current[1]:
            book.current = (generation, spec_hash(rgd.get("spec")))
        current = book.current[1]
        newest = book.newest
        if newest is not None and newest.number not in book.hashes:
            book.hashes[newest.number] = spec_hash(newest.spec)
        if newest is not None and book.hashes[newest.number] == current:
            return newest, False
        last = (rgd.get("status") or {}).get("lastIssuedRevision")
        number = max(last if isinstance(last, int) else 0, newest.number if newest else 0) + 1
        try:
            issued = await grs.issue(self._writer, rgd, number=number, spec_hash=current, kro_version=self._kro_version)
        except AlreadyExists as e:
            self.forget(name)
            raise StaleHistory(f"GraphRevision {number} of RGD {name} already exists") from e
        book.revisions[number] = issued
        log.info(
            "RGD %s (generation %s): issued graph revision %d (%s)", name, meta.get("generation"), number,
            issued.name, extra={"rgd": name, "revision": number},
        )  # fmt: skip
        return issued, True

    async def verify(self, rgd: Obj, revision: Revision) -> Verdict:
        """Compile ``revision``'s snapshot (as the RGD's, same name and uid) and record the verdict
        on it when it changed."""
        name = str((rgd.get("metadata") or {}).get("name", ""))
        book = self._books[name]
        graph: Graph | None
        try:
            graph, message = await self._compile({**rgd, "spec": revision.spec}), ""
        except CompileFailed as e:
            graph, message = None, "; ".join(str(d) for d in e.diagnostics) or str(e)
        status = grs.verdict_status(revision, graph=graph, message=message, now=self._now())
        try:
            recorded = await grs.record_verdict(self._writer, revision, status)
        except NotFound:  # pruned or deleted meanwhile: the verdict still holds for this reconcile
            recorded = revision
        book.revisions[revision.number] = recorded
        if graph is not None:
            book.graphs[revision.number] = graph
        else:
            book.graphs.pop(revision.number, None)
        return Verdict(recorded, graph, message)

    async def fallback(self, rgd: Obj, *, below: int) -> Verdict | None:
        """The newest revision older than ``below`` that compiles (compiled once per process), or
        None. Revisions already recorded as not compiling are passed over."""
        name = str((rgd.get("metadata") or {}).get("name", ""))
        book = self._books[name]
        for number in sorted((n for n in book.revisions if n < below), reverse=True):
            revision = book.revisions[number]
            if number in book.graphs:
                return Verdict(revision, book.graphs[number])
            if revision.verified is False or revision.terminating:
                continue
            verdict = await self.verify(rgd, revision)
            if verdict.graph is not None:
                return verdict
        return None

    async def prune(self, rgd: Obj, *, keep: int, protect: set[int]) -> None:
        """Delete the revisions past retention (never one in ``protect``)."""
        name = str((rgd.get("metadata") or {}).get("name", ""))
        book = self._books[name]
        for revision in grs.to_prune(list(book.revisions.values()), keep=keep, protect=protect):
            await self._writer.delete(grs.GRS, revision.name, uid=revision.uid)
            book.revisions.pop(revision.number, None)
            book.graphs.pop(revision.number, None)
            book.hashes.pop(revision.number, None)
            log.info("pruned GraphRevision %s (retention %d)", revision.name, keep, extra={"rgd": name})
