"""The RGD controller: compiles each ResourceGraphDefinition, keeps its CRD in place and starts,
updates or stops the instance controller that serves its kind.

An update that does not compile leaves the instances on the last graph that did: the RGD's
``GraphAccepted`` turns False with the compile errors (also recorded as a ``ValidationFailed``
Warning event), while ``ControllerReady`` says which generation is still being served. That graph
survives a restart: each accepted spec is recorded on the generated CRD (:mod:`kro.controller.accepted`)
and compiled again when the current one does not compile and nothing is in memory. Deleting an
RGD stops its instance controller, removes kro's finalizer from its instances (they, their children
and their data stay; an ``Unmanaged`` Event on each says kro let go) and keeps the CRD unless the
controller runs with ``--allow-crd-deletion``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from kro.api import KRO_GROUP, KRO_VERSION, RGD_PLURAL
from kro.api.conditions import ConditionReason, ConditionType
from kro.api.keys import Finalizers, Labels
from kro.api.refs import GVR
from kro.controller import accepted
from kro.controller.crds import CRDS, CRDOutcome, delete_crd_if_owned, ensure_crd
from kro.controller.events import EventRecorder
from kro.controller.finalizers import remove_finalizer
from kro.controller.ports import Caches, Writer
from kro.controller.rgdstatus import rgd_status
from kro.graph.errors import CompileFailed
from kro.graph.model import Graph
from kro.kube.errors import NotFound
from kro.runtime import conditions as cond
from kro.runtime.outcome import Done, Outcome, Requeue, Terminal
from kro.schema import pluralize

log = logging.getLogger(__name__)
RGDS = GVR(KRO_GROUP, KRO_VERSION, RGD_PLURAL)
Obj = Mapping[str, Any]
Compiler = Callable[[Obj], Awaitable[Graph]]


class InstanceRegistry(Protocol):
    """What the RGD controller asks of the controller manager."""

    async def serve(self, graph: Graph, *, rgd_uid: str) -> None:
        """Start (or switch to ``graph``) the instance controller of ``graph``'s kind."""
        ...

    async def retire(self, rgd_name: str) -> None:
        """Stop the instance controller of this RGD, if any."""
        ...


@dataclass(frozen=True)
class RGDSettings:
    allow_crd_deletion: bool = False
    establish_requeue: float = 0.5


@dataclass(frozen=True)
class _Served:
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
        self._compile = compile
        self._events = events
        self._settings = settings
        self._now = now
        self._served: dict[str, _Served] = {}
        self._reported: dict[str, int] = {}
        self._unrecorded: dict[str, int] = {}

    async def reconcile(self, name: str) -> Outcome:
        store = self._caches.store(RGDS)
        rgd = store.get("", name) if store is not None else None
        if rgd is None:
            await self._registry.retire(name)
            self._served.pop(name, None)
            return Done()
        meta = rgd.get("metadata") or {}
        if meta.get("deletionTimestamp"):
            return await self._delete(rgd)
        await self._ensure_finalizer(rgd)
        try:
            graph = await self._compile(rgd)
        except CompileFailed as e:
            return await self._rejected(rgd, e)
        crd = await ensure_crd(self._writer, rgd, graph.crd, accepted=self._record(rgd, graph))
        if not crd.established:
            return await self._crd_not_ready(rgd, graph, crd)
        await self._registry.serve(graph, rgd_uid=str(meta.get("uid", "")))
        generation = int(meta.get("generation") or 0)
        before = self._served.get(name)
        if before is None or before.generation != generation:
            log.info(
                "RGD %s (generation %d) accepted: kind %s, resources in order %s; CRD %s",
                name, generation, graph.instance_gvk.kind, ", ".join(graph.topological_order),
                str((graph.crd.get("metadata") or {}).get("name", "")) + " established",
                extra={"rgd": name, "kind": graph.instance_gvk.kind, "generation": generation},
            )  # fmt: skip
        self._served[name] = _Served(generation, graph)
        self._reported.pop(name, None)
        parts = [
            cond.true(ConditionType.GRAPH_ACCEPTED, ConditionReason.VALID),
            cond.true(ConditionType.KIND_READY, ConditionReason.READY),
            cond.true(ConditionType.CONTROLLER_READY, ConditionReason.RUNNING),
        ]
        await self._write_status(rgd, rgd_status(rgd, parts, graph=graph, now=self._now()))
        return Done()

    async def _rejected(self, rgd: Obj, error: CompileFailed) -> Outcome:
        meta = rgd.get("metadata") or {}
        name = str(meta.get("name", ""))
        message = "; ".join(str(d) for d in error.diagnostics) or str(error)
        generation = int(meta.get("generation") or 0)
        if self._reported.get(name) != generation:  # one event per rejected generation
            self._reported[name] = generation
            first = str(error.diagnostics[0]) if error.diagnostics else str(error)
            log.warning(
                "RGD %s (generation %d) rejected: %d error(s), first: %s",
                name, generation, max(1, len(error.diagnostics)), first,
                extra={"rgd": name, "generation": generation},
            )  # fmt: skip
            await self._events.warning(rgd, reason="ValidationFailed", message=message)
        served = self._served.get(name) or await self._recover(rgd)
        rejected = cond.false(ConditionType.GRAPH_ACCEPTED, ConditionReason.INVALID_RESOURCE_GRAPH, message)
        if served is not None:
            kind = cond.true(ConditionType.KIND_READY, ConditionReason.READY)
            running = cond.true(
                ConditionType.CONTROLLER_READY,
                ConditionReason.RUNNING,
                f"instances are served with the last accepted graph (generation {served.generation})",
            )
        else:
            kind = cond.unknown(ConditionType.KIND_READY, ConditionReason.FAILED, "no accepted graph yet")
            running = cond.false(
                ConditionType.CONTROLLER_READY, ConditionReason.FAILED_TO_START, "no accepted graph yet"
            )
        graph = served.graph if served else None
        await self._write_status(
            rgd, rgd_status(rgd, [rejected, kind, running], graph=graph, now=self._now())
        )
        return Terminal(message)

    def _record(self, rgd: Obj, graph: Graph) -> dict[str, str] | None:
        """The record of this spec to keep on the CRD; ``None`` (logged once per generation) when
        it is too large to record."""
        annotations = accepted.record(rgd, graph.crd)
        if annotations is None:
            meta = rgd.get("metadata") or {}
            name, generation = str(meta.get("name", "")), int(meta.get("generation") or 0)
            if self._unrecorded.get(name) != generation:
                self._unrecorded[name] = generation
                log.warning(
                    "RGD %s (generation %d): spec too large to record on its CRD; after a restart, "
                    "a later spec that does not compile leaves its instances unserved",
                    name, generation, extra={"rgd": name, "generation": generation},
                )  # fmt: skip
        return annotations

    async def _recover(self, rgd: Obj) -> _Served | None:
        """After a restart there is no last good graph in memory: compile the spec recorded on the
        RGD's CRD instead, and serve the instances with it."""
        store = self._caches.store(CRDS)
        meta = rgd.get("metadata") or {}
        name, uid = str(meta.get("name", "")), str(meta.get("uid", ""))
        found = accepted.find(store.items(), rgd_name=name, rgd_uid=uid) if store is not None else None
        if found is None:
            return None
        try:
            graph = await self._compile({**rgd, "spec": found.spec})
        except CompileFailed as e:
            log.warning(
                "RGD %s: the spec recorded for generation %d does not compile either: %s",
                name, found.generation, e, extra={"rgd": name, "generation": found.generation},
            )  # fmt: skip
            return None
        await self._registry.serve(graph, rgd_uid=uid)
        log.info(
            "RGD %s: instances are served with the recorded spec of generation %d",
            name, found.generation, extra={"rgd": name, "generation": found.generation},
        )  # fmt: skip
        served = self._served[name] = _Served(found.generation, graph)
        return served

    async def _crd_not_ready(self, rgd: Obj, graph: Graph, crd: CRDOutcome) -> Outcome:
        accepted = cond.true(ConditionType.GRAPH_ACCEPTED, ConditionReason.VALID)
        if crd.error:
            kind = cond.false(ConditionType.KIND_READY, ConditionReason.FAILED, crd.error)
        else:
            kind = cond.unknown(
                ConditionType.KIND_READY, ConditionReason.FAILED, "waiting for the CRD to be established"
            )
        name = str((rgd.get("metadata") or {}).get("name", ""))
        # the CRD refused this spec (e.g. a breaking change): the one it holds still serves
        served = self._served.get(name) or (await self._recover(rgd) if crd.error else None)
        running = (
            cond.true(
                ConditionType.CONTROLLER_READY,
                ConditionReason.RUNNING,
                f"instances are served with the last accepted graph (generation {served.generation})",
            )
            if served
            else cond.false(
                ConditionType.CONTROLLER_READY, ConditionReason.FAILED_TO_START, "the CRD is not ready"
            )
        )
        await self._write_status(
            rgd, rgd_status(rgd, [accepted, kind, running], graph=graph, now=self._now())
        )
        if crd.error:
            await self._events.warning(rgd, reason="CRDNotUpdated", message=crd.error)
            return Terminal(crd.error)
        return Requeue(after=self._settings.establish_requeue)

    async def _delete(self, rgd: Obj) -> Outcome:
        meta = rgd.get("metadata") or {}
        name = str(meta.get("name", ""))
        await self._registry.retire(name)
        served = self._served.pop(name, None)
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

    async def _write_status(self, rgd: Obj, status: Obj) -> None:
        old = rgd.get("status") or {}
        if old == status:
            return
        patch = {**{k: None for k in old if k not in status}, **status}
        await self._writer.merge_patch(
            RGDS, str((rgd.get("metadata") or {}).get("name", "")), {"status": patch}, status=True
        )


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
