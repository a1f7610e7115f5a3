"""The RGD controller: issues a graph revision for each change of an RGD's spec, compiles it, keeps
the RGD's CRD in place and starts, updates or stops the instance controller that serves its kind.

Each change of the normalized spec becomes an immutable, numbered GraphRevision
(:mod:`kro.controller.revisionbook`), compiled and marked ``GraphVerified`` True or False with the
compiler's located errors. Instances run the newest revision. When the newest does not compile (or
its CRD update is refused as a breaking change), they stay on the newest revision that does: the
RGD's ``GraphAccepted`` (or ``KindReady``) turns False with the reason, ``GraphRevisionsResolved``
says which revision failed, ``ControllerReady`` says which revision still serves, and each instance
says so too (``GraphRevisionCurrent``). Revisions live in the cluster, so this survives a restart.
Deleting an RGD stops its instance controller, removes kro's finalizer from its instances (they,
their children and their data stay; an ``Unmanaged`` Event on each says kro let go) and keeps the
CRD unless the controller runs with ``--allow-crd-deletion``; its revisions go with it (owner
references)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from kro.api import KRO_GROUP, KRO_VERSION, RGD_PLURAL
from kro.api.conditions import ConditionReason, ConditionType
from kro.api.keys import Finalizers, Labels
from kro.api.refs import GVR
from kro.controller.crds import delete_crd_if_owned, ensure_crd
from kro.controller.events import EventRecorder
from kro.controller.finalizers import remove_finalizer
from kro.controller.ports import Caches, Writer
from kro.controller.revisionbook import RevisionBook, StaleHistory, Verdict
from kro.controller.rgdstatus import rgd_status
from kro.graph.model import Graph
from kro.kube.errors import KubeError, NotFound
from kro.runtime import conditions as cond
from kro.runtime.outcome import Done, Outcome, Requeue, Terminal
from kro.runtime.revision import ServedRevision
from kro.schema import pluralize

log = logging.getLogger(__name__)
RGDS = GVR(KRO_GROUP, KRO_VERSION, RGD_PLURAL)
Obj = Mapping[str, Any]
Compiler = Callable[[Obj], Awaitable[Graph]]


class InstanceRegistry(Protocol):
    """What the RGD controller asks of the controller manager."""

    async def serve(self, graph: Graph, *, rgd_uid: str, revision: ServedRevision | None = None) -> None:
        """Start (or switch to ``graph``, compiled from ``revision``) the instance controller of
        ``graph``'s kind."""
        ...

    async def retire(self, rgd_name: str) -> None:
        """Stop the instance controller of this RGD, if any."""
        ...


@dataclass(frozen=True)
class RGDSettings:
    allow_crd_deletion: bool = False
    establish_requeue: float = 0.5
    max_graph_revisions: int = 5
    """GraphRevisions kept per RGD (the one serving instances is always kept); 0 keeps all."""
    revision_requeue: float = 3.0
    """How soon to look again while revisions are settling or the GraphRevision API is missing."""
    kro_version: str = ""


@dataclass(frozen=True)
class _Served:
    revision: int
    generation: int
    graph: Graph


class RGDController:
    def __init__(
        self,
        *,
        writer: Writer,
        caches: Caches,
        registry: InstanceRegistry,
        compile: Compiler,
        events: EventRecorder,
        settings: RGDSettings,
        now: Callable[[], str],
    ) -> None:
        self._writer = writer
        self._caches = caches
        self._registry = registry
        self._events = events
        self._settings = settings
        self._now = now
        self._book = RevisionBook(writer=writer, compile=compile, kro_version=settings.kro_version, now=now)
        self._served: dict[str, _Served] = {}
        self._reported: dict[str, int] = {}

    async def reconcile(self, name: str) -> Outcome:
        store = self._caches.store(RGDS)
        rgd = store.get("", name) if store is not None else None
        if rgd is None:
            await self._registry.retire(name)
            self._served.pop(name, None)
            self._book.forget(name)
            return Done()
        if (rgd.get("metadata") or {}).get("deletionTimestamp"):
            return await self._delete(rgd)
        await self._ensure_finalizer(rgd)
        try:
            revisions = await self._book.load(rgd)
        except NotFound:
            return await self._waiting(
                rgd, ConditionReason.WAITING_FOR_GRAPH_REVISION_WARMUP,
                "waiting for the GraphRevision API (graphrevisions.internal.kro.run) to be served",
            )  # fmt: skip
        if any(r.terminating for r in revisions):
            return await self._waiting(
                rgd, ConditionReason.WAITING_FOR_GRAPH_REVISION_SETTLEMENT,
                "waiting for terminating graph revisions to settle",
            )  # fmt: skip
        try:
            newest, _ = await self._book.newest(rgd)
        except StaleHistory as e:
            log.info("%s; reading the revisions again", e, extra={"rgd": name})
            return Requeue(after=0.0)
        try:
            verdict = await self._book.verify(rgd, newest)
        except KubeError:
            # its verdict could not be recorded: say the revision waits, and retry with backoff
            await self._waiting(
                rgd, ConditionReason.WAITING_FOR_GRAPH_REVISION_COMPILATION,
                f"graph revision {newest.number} issued and awaiting compilation",
            )  # fmt: skip
            raise
        if verdict.graph is None:
            return await self._rejected(rgd, verdict)
        return await self._accepted(rgd, verdict, verdict.graph)

    async def _accepted(self, rgd: Obj, verdict: Verdict, graph: Graph) -> Outcome:
        meta = rgd.get("metadata") or {}
        name = str(meta.get("name", ""))
        number = verdict.revision.number
        crd = await ensure_crd(self._writer, rgd, graph.crd)
        resolved = cond.true(
            ConditionType.GRAPH_REVISIONS_RESOLVED, ConditionReason.RESOLVED, f"revision {number} compiled and active"
        )
        valid = cond.true(ConditionType.GRAPH_ACCEPTED, ConditionReason.VALID, "resource graph and schema are valid")
        if crd.error:
            await self._events.warning(rgd, reason="CRDNotUpdated", message=crd.error)
            kind = cond.false(ConditionType.KIND_READY, ConditionReason.FAILED, crd.error)
            # the CRD refused this revision (e.g. a breaking change): the one it holds still serves
            served = await self._fall_back(rgd, below=number, held_back=ConditionReason.NEWEST_REVISION_REFUSED)
            await self._write_status(rgd, [resolved, valid, kind, self._running(served)], served)
            return Terminal(crd.error)
        if not crd.established:
            kind = cond.unknown(ConditionType.KIND_READY, ConditionReason.FAILED, "waiting for the CRD to be established")
            served = self._served.get(name)
            await self._write_status(rgd, [resolved, valid, kind, self._running(served)], served, graph=graph)
            return Requeue(after=self._settings.establish_requeue)
        served = await self._serve(rgd, verdict.revision.number, verdict.revision.generation, graph)
        self._reported.pop(name, None)
        kind = cond.true(
            ConditionType.KIND_READY, ConditionReason.READY, f"kind {graph.instance_gvk.kind} has been accepted and ready"
        )
        running = cond.true(ConditionType.CONTROLLER_READY, ConditionReason.RUNNING, "controller is running")
        await self._book.prune(rgd, keep=self._settings.max_graph_revisions, protect={number})
        await self._write_status(rgd, [resolved, valid, kind, running], served)
        return Done()

    async def _rejected(self, rgd: Obj, verdict: Verdict) -> Outcome:
        meta = rgd.get("metadata") or {}
        name = str(meta.get("name", ""))
        number, generation = verdict.revision.number, int(meta.get("generation") or 0)
        if self._reported.get(name) != number:  # one event per failed revision
            self._reported[name] = number
            first = verdict.message.split("; ")[0]
            log.warning(
                "RGD %s (generation %d) rejected: graph revision %d does not compile: %s",
                name, generation, number, first, extra={"rgd": name, "generation": generation, "revision": number},
            )  # fmt: skip
            await self._events.warning(rgd, reason="ValidationFailed", message=verdict.message)
        served = await self._fall_back(rgd, below=number, held_back=ConditionReason.NEWEST_REVISION_FAILED)
        unresolved = cond.false(
            ConditionType.GRAPH_REVISIONS_RESOLVED, ConditionReason.FAILED, f"latest graph revision {number} failed compilation"
        )
        rejected = cond.false(ConditionType.GRAPH_ACCEPTED, ConditionReason.INVALID_RESOURCE_GRAPH, verdict.message)
        if served is not None:
            kind = cond.true(
                ConditionType.KIND_READY, ConditionReason.READY,
                f"kind {served.graph.instance_gvk.kind} has been accepted and ready",
            )  # fmt: skip
        else:
            kind = cond.unknown(ConditionType.KIND_READY, ConditionReason.FAILED, "no accepted graph yet")
        protect = {number} | ({served.revision} if served else set())
        await self._book.prune(rgd, keep=self._settings.max_graph_revisions, protect=protect)
        await self._write_status(rgd, [unresolved, rejected, kind, self._running(served)], served)
        return Terminal(verdict.message)

    async def _fall_back(self, rgd: Obj, *, below: int, held_back: ConditionReason) -> _Served | None:
        """Serve the instances with the newest revision older than ``below`` that compiles, saying
        why they are held back; None when there is none."""
        found = await self._book.fallback(rgd, below=below)
        if found is None or found.graph is None:
            return None
        return await self._serve(rgd, found.revision.number, found.revision.generation, found.graph, newest=below, held_back=held_back)

    async def _serve(
        self, rgd: Obj, number: int, generation: int, graph: Graph, *,
        newest: int = 0, held_back: ConditionReason | None = None,
    ) -> _Served:  # fmt: skip
        meta = rgd.get("metadata") or {}
        name = str(meta.get("name", ""))
        revision = ServedRevision(name, number, newest or number, held_back)
        await self._registry.serve(graph, rgd_uid=str(meta.get("uid", "")), revision=revision)
        before = self._served.get(name)
        if before is None or before.revision != number:
            kind, order = graph.instance_gvk.kind, ", ".join(graph.topological_order)
            if held_back is None:
                crd = str((graph.crd.get("metadata") or {}).get("name", ""))
                line = f"RGD {name} (generation {generation}) accepted as graph revision {number}: kind {kind}, "
                line += f"resources in order {order}; CRD {crd} established"
            else:
                line = f"RGD {name}: graph revision {newest} does not work; serving kind {kind} with graph "
                line += f"revision {number} (generation {generation}), resources in order {order}"
            log.info(line, extra={"rgd": name, "kind": kind, "revision": number})
        served = self._served[name] = _Served(number, generation, graph)
        return served

    @staticmethod
    def _running(served: _Served | None) -> cond.Condition:
        if served is None:
            return cond.false(ConditionType.CONTROLLER_READY, ConditionReason.FAILED_TO_START, "no accepted graph yet")
        return cond.true(
            ConditionType.CONTROLLER_READY,
            ConditionReason.RUNNING,
            f"instances are served with graph revision {served.revision} (generation {served.generation}), "
            "the newest that works",
        )

    async def _waiting(self, rgd: Obj, reason: ConditionReason, message: str) -> Outcome:
        name = str((rgd.get("metadata") or {}).get("name", ""))
        served = self._served.get(name)
        waiting = cond.unknown(ConditionType.GRAPH_REVISIONS_RESOLVED, reason, message)
        previous = {str(c.get("type")): c for c in (rgd.get("status") or {}).get("conditions") or []}
        kept = [
            cond.Condition(t.value, str(c.get("status")), str(c.get("reason", "")), str(c.get("message", "")))
            if (c := previous.get(t.value))
            else cond.unknown(t, reason, message)
            for t in (ConditionType.GRAPH_ACCEPTED, ConditionType.KIND_READY, ConditionType.CONTROLLER_READY)
        ]
        with contextlib.suppress(KubeError):  # the status is news, not a reason to fail more
            await self._write_status(rgd, [waiting, *kept], served)
        return Requeue(after=self._settings.revision_requeue)

    async def _delete(self, rgd: Obj) -> Outcome:
        meta = rgd.get("metadata") or {}
        name = str(meta.get("name", ""))
        await self._registry.retire(name)
        served = self._served.pop(name, None)
        self._book.forget(name)
        # nothing will remove kro's finalizer from these instances any more: let them go now, or
        # deleting one later would hang forever
        gvr = _instance_gvr(rgd, served.graph if served else None)
        if gvr is not None:
            await self._release_instances(rgd, gvr)
        if self._settings.allow_crd_deletion:
            crd_name = _crd_name(rgd, served.graph if served else None)
            if crd_name and await delete_crd_if_owned(self._writer, crd_name, name):
                log.info("deleted CRD %s of RGD %s", crd_name, name)
        await remove_finalizer(self._writer, RGDS, rgd)
        return Done()

    async def _release_instances(self, rgd: Obj, gvr: GVR) -> None:
        """Drop kro's finalizer from every instance of the deleted RGD, leaving their children and
        data in place, and say so on each (log line and Event)."""
        name = str((rgd.get("metadata") or {}).get("name", ""))
        try:
            found = await self._writer.list(gvr, label_selector={Labels.RGD_NAME: name})
        except NotFound:  # the CRD is gone, and its instances with it
            return
        message = (
            f"ResourceGraphDefinition {name} was deleted: kro no longer manages this instance; "
            "its resources are left in place"
        )
        for instance in found:
            if not await remove_finalizer(self._writer, gvr, instance):
                continue
            meta = instance.get("metadata") or {}
            log.info(
                "%s %s/%s is no longer managed: its ResourceGraphDefinition %s was deleted",
                instance.get("kind"),
                meta.get("namespace"),
                meta.get("name"),
                name,
                extra={"rgd": name, "instance": f"{meta.get('namespace')}/{meta.get('name')}"},
            )
            await self._events.normal(instance, reason="Unmanaged", message=message)

    async def _ensure_finalizer(self, rgd: Obj) -> None:
        meta = rgd.get("metadata") or {}
        finalizers = list(meta.get("finalizers") or [])
        if Finalizers.KRO in finalizers:
            return
        patch = {
            "metadata": {
                "finalizers": [*finalizers, Finalizers.KRO],
                "resourceVersion": meta.get("resourceVersion"),
            }
        }
        await self._writer.merge_patch(RGDS, str(meta.get("name", "")), patch)

    async def _write_status(
        self, rgd: Obj, parts: list[cond.Condition], served: _Served | None, *, graph: Graph | None = None
    ) -> None:
        name = str((rgd.get("metadata") or {}).get("name", ""))
        last = (rgd.get("status") or {}).get("lastIssuedRevision")
        issued = max([last if isinstance(last, int) else 0, *(r.number for r in self._book.revisions(name))])
        status = rgd_status(
            rgd, parts, graph=served.graph if served else graph, now=self._now(), last_issued=issued
        )
        old = rgd.get("status") or {}
        if old == status:
            return
        patch = {**{k: None for k in old if k not in status}, **status}
        await self._writer.merge_patch(RGDS, name, {"status": patch}, status=True)


def _crd_name(rgd: Obj, graph: Graph | None) -> str:
    """The CRD an RGD generates: from its served graph, else from its schema (a broken RGD)."""
    if graph is not None:
        return str((graph.crd.get("metadata") or {}).get("name", ""))
    schema = (rgd.get("spec") or {}).get("schema") or {}
    kind = str(schema.get("kind") or "")
    return f"{pluralize(kind)}.{schema.get('group') or KRO_GROUP}" if kind else ""


def _instance_gvr(rgd: Obj, graph: Graph | None) -> GVR | None:
    """The resource of an RGD's instances: from its served graph, else from its schema."""
    if graph is not None:
        return GVR(graph.instance_gvk.group, graph.instance_gvk.version, graph.instance_plural)
    schema = (rgd.get("spec") or {}).get("schema") or {}
    kind, version = schema.get("kind"), schema.get("apiVersion")
    if not isinstance(kind, str) or not kind or not isinstance(version, str) or not version:
        return None
    return GVR(str(schema.get("group") or KRO_GROUP), version, pluralize(kind))
