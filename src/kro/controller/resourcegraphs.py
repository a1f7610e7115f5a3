"""The ResourceGraph controller: compiles each ResourceGraph, serves its roots with a
:class:`~kro.controller.roots.RootController` on the manager's one work queue, and writes the
ResourceGraph's status.

An update that does not compile keeps the roots on the last graph that did; the ResourceGraph turns
``Inactive`` with the located errors in ``GraphAccepted`` and one ``ValidationFailed`` Warning Event
per rejected generation and message (what ``kubectl describe resourcegraph`` shows). A graph whose
root kind an RGD generates is refused and not served at all (the RGD's instance controller alone
acts on those objects), and the RGD gets a ``ResourceGraphRejected`` Warning Event naming it. Several graphs may share a
root kind: the root kind's keys go to each of them, and each acts only on its own roots (and on
roots that left it, to tear their children down). Deleting a ResourceGraph lets go of its roots:
kro's finalizer is removed, children stay."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kro.api import KRO_GROUP, KRO_VERSION, RGD_KIND
from kro.api.conditions import ConditionReason, ConditionType
from kro.api.keys import Finalizers, Labels
from kro.api.refs import GVR
from kro.api.resourcegraph import RG_GROUP, RG_PLURAL, RG_VERSION
from kro.controller.crds import CRDS
from kro.controller.events import EventRecorder
from kro.controller.finalizers import remove_finalizer
from kro.controller.instance_controller import InstanceSettings
from kro.controller.manager import Manager
from kro.controller.metrics import Metrics
from kro.controller.reconcile import Key
from kro.controller.rgd_controller import RGDS
from kro.controller.rgstatus import rg_status, root_counts
from kro.controller.roots import RootController, graph_of
from kro.graph.errors import CompileFailed
from kro.graph.resourcegraph import CompiledResourceGraph
from kro.openapi import crd_generated_by
from kro.runtime import conditions as cond
from kro.runtime.outcome import Done, Outcome, Requeue, Terminal

log = logging.getLogger(__name__)
RGS = GVR(RG_GROUP, RG_VERSION, RG_PLURAL)
Obj = Mapping[str, Any]
Compiler = Callable[[Obj], Awaitable[CompiledResourceGraph]]


@dataclass(frozen=True)
class _Served:
    generation: int
    schemas: int
    """The CRD epoch it was compiled at (a CRD change recompiles)."""
    controller: RootController


class ResourceGraphController:
    def __init__(
        self,
        *,
        manager: Manager,
        compile: Compiler,
        events: EventRecorder,
        metrics: Metrics,
        settings: InstanceSettings,
        now: Callable[[], str],
    ) -> None:
        self._manager = manager
        self._compile = compile
        self._events = events
        self._metrics = metrics
        self._settings = settings
        self._now = now
        self._served: dict[str, _Served] = {}
        self._reported: dict[str, tuple[int, str]] = {}
        self._schemas = 0

    def schemas_changed(self) -> None:
        """A CRD changed: recompile every ResourceGraph on its next reconcile."""
        self._schemas += 1
        self._manager.enqueue_all(RGS)

    async def reconcile(self, name: str) -> Outcome:
        store = self._manager.store(RGS)
        rg = store.get("", name) if store is not None else None
        if rg is None:
            await self._retire(name)
            return Done()
        meta = rg.get("metadata") or {}
        if meta.get("deletionTimestamp"):
            return await self._delete(rg)
        await self._ensure_finalizer(rg)
        generation = int(meta.get("generation") or 0)
        served = self._served.get(name)
        if served is None or (served.generation, served.schemas) != (generation, self._schemas):
            try:
                compiled = await self._compile(rg)
            except CompileFailed as e:
                return await self._rejected(rg, e)
            served = await self._serve(compiled, generation)
        accepted = cond.true(ConditionType.GRAPH_ACCEPTED, ConditionReason.VALID)
        await self._write_status(rg, self._status(rg, [accepted], served))
        return Done()

    def _status(self, rg: Obj, parts: list[cond.Condition], served: _Served | None) -> dict[str, Any]:
        ctrl = served.controller if served else None
        matched: list[tuple[str, str]] = []
        store = self._manager.store(ctrl.gvr) if ctrl else None
        for root in store.items() if store is not None and ctrl is not None else ():
            if graph_of(root) == ctrl.name:  # type: ignore[union-attr]
                m = root.get("metadata") or {}
                matched.append((str(m.get("namespace") or ""), str(m.get("name", ""))))
        status = rg_status(
            rg,
            parts,
            served=ctrl.compiled if ctrl else None,
            accepted_generation=served.generation if served else None,
            roots=root_counts(matched, ctrl.results if ctrl else {}),
            now=self._now(),
        )
        previous = rg.get("status") or {}
        if ctrl is not None and "roots" in previous and any(k not in ctrl.results for k in matched):
            # roots not looked at yet (a restarted controller): keep the counts they had rather
            # than flap them through zero
            status["roots"] = previous["roots"]
            status.pop("failingRoots", None)
            if previous.get("failingRoots"):
                status["failingRoots"] = previous["failingRoots"]
        return status

    async def _rejected(self, rg: Obj, error: CompileFailed) -> Outcome:
        meta = rg.get("metadata") or {}
        name, generation = str(meta.get("name", "")), int(meta.get("generation") or 0)
        message = "; ".join(str(d) for d in error.diagnostics) or str(error)
        rgd = self._rgd_of_root(rg)
        if rgd:
            # the root kind is an RGD's: its instance controller alone may act on those objects
            await self._retire(name)
        if self._reported.get(name) != (generation, message):  # one Event per rejection
            self._reported[name] = (generation, message)
            log.warning("ResourceGraph %s (generation %d) rejected: %s", name, generation, message)
            await self._events.warning(rg, reason="ValidationFailed", message=message)
            if rgd:
                await self._warn_rgd(rgd, name)
        served = self._served.get(name)
        if served is not None:
            message += f" (roots are served with the last accepted graph, generation {served.generation})"
        parts = [cond.false(ConditionType.GRAPH_ACCEPTED, ConditionReason.INVALID_RESOURCE_GRAPH, message)]
        await self._write_status(rg, self._status(rg, parts, served))
        return Terminal(message)

    def _rgd_of_root(self, rg: Obj) -> str:
        """The ResourceGraphDefinition whose generated CRD defines ``rg``'s root kind, or ``""``."""
        root = (rg.get("spec") or {}).get("root")
        if not isinstance(root, Mapping):
            return ""
        store = self._manager.store(CRDS)
        for crd in store.items() if store is not None else ():
            spec = crd.get("spec") or {}
            if spec.get("group") == (root.get("apiGroup") or "") and (spec.get("names") or {}).get(
                "kind"
            ) == root.get("kind"):
                return crd_generated_by(crd)
        return ""

    async def _warn_rgd(self, rgd_name: str, graph: str) -> None:
        """Say on the RGD too (``kubectl describe rgd``) that a ResourceGraph claims its kind."""
        store = self._manager.store(RGDS)
        rgd = store.get("", rgd_name) if store is not None else None
        if rgd is None:
            return
        kind = str(((rgd.get("spec") or {}).get("schema") or {}).get("kind", ""))
        await self._events.warning(
            {"apiVersion": f"{KRO_GROUP}/{KRO_VERSION}", "kind": RGD_KIND, **rgd},
            reason="ResourceGraphRejected",
            message=f"ResourceGraph {graph} names {kind}, this RGD's kind, as its root; kro rejected "
            f"that graph: only this RGD's instance controller manages {kind} objects",
        )

    # ---- serving roots ----

    async def _serve(self, compiled: CompiledResourceGraph, generation: int) -> _Served:
        name = compiled.name
        before = self._served.get(name)
        if before is not None and before.controller.gvr != self._gvr_of(compiled):
            await self._retire(name)
            before = None
        if before is None:
            ctrl = RootController(
                compiled, writer=self._manager.writer, caches=self._manager, metrics=self._metrics,
                events=self._events, settings=self._settings, now=self._now,
                on_result=lambda: self._manager.queue.add(Key(RGS, "", name)),
                serves=lambda other: other in self._served, overlay=self._manager.overlay,
            )  # fmt: skip
        else:
            ctrl = before.controller
            ctrl.set_graph(compiled)
        served = self._served[name] = _Served(generation, self._schemas, ctrl)
        owner = f"rg/{name}"
        gvk = compiled.root_gvk
        self._manager.route_children(gvk.group, gvk.kind, ctrl.gvr)
        self._manager.route_graph_children(name, ctrl)
        for gvr in ctrl.managed_resources.values():
            await self._manager.watch(gvr, owner=owner)
        for gvr in ctrl.tracked_resources.values():
            await self._manager.watch(gvr, owner=owner)
            self._manager.on_object(gvr, self._tracked_event)
        root_gvr = ctrl.gvr
        await self._manager.handle(
            root_gvr, lambda key: self._dispatch(root_gvr, key), owner=owner, controller="root"
        )
        log.info(
            "ResourceGraph %s (generation %d) accepted: roots %s, children in order %s",
            name, generation, gvk, ", ".join(compiled.graph.topological_order) or "(none managed)",
            extra={"resourcegraph": name, "generation": generation},
        )  # fmt: skip
        self._manager.enqueue_all(root_gvr)
        return served

    @staticmethod
    def _gvr_of(compiled: CompiledResourceGraph) -> GVR:
        gvk = compiled.root_gvk
        return GVR(gvk.group, gvk.version, compiled.root_plural)

    async def _dispatch(self, root_gvr: GVR, key: Key) -> Outcome:
        """A root kind's key goes to every graph over that kind; the soonest requeue wins."""
        soonest: float | None = None
        for served in list(self._served.values()):
            if served.controller.gvr != root_gvr:
                continue
            outcome = await served.controller.reconcile(key.namespace, key.name)
            if isinstance(outcome, Requeue):
                soonest = outcome.after if soonest is None else min(soonest, outcome.after)
        return Requeue(after=soonest) if soonest is not None else Done()

    def _tracked_event(self, obj: Obj) -> None:
        """A tracked child changed: look at its root again (every graph tracking its kind)."""
        meta = obj.get("metadata") or {}
        root = ((meta.get("labels") or {}).get(Labels.ROOT)) or ""
        if not root:
            return
        for served in self._served.values():
            ctrl = served.controller
            namespace = str(meta.get("namespace") or "") if ctrl.compiled.root_namespaced else ""
            self._manager.queue.add(Key(ctrl.gvr, namespace, str(root)))

    async def _retire(self, name: str) -> None:
        served = self._served.pop(name, None)
        if served is None:
            return
        self._manager.route_graph_children(name, None)
        gvr = served.controller.gvr
        shared = any(s.controller.gvr == gvr for s in self._served.values())
        if not shared and not self._manager.serves_instances(gvr):  # an RGD's handler stays
            self._manager.unhandle(gvr)
            gvk = served.controller.compiled.root_gvk
            self._manager.route_children(gvk.group, gvk.kind, None)
        await self._manager.unwatch_all(f"rg/{name}")
        log.info("stopped serving roots of ResourceGraph %s", name)

    async def _delete(self, rg: Obj) -> Outcome:
        """Let go of every root of the graph (kro's finalizer removed, children kept), then of the
        ResourceGraph itself."""
        name = str((rg.get("metadata") or {}).get("name", ""))
        served = self._served.get(name)
        roots: list[Obj] = []
        if served is not None:  # read before retiring: that may stop the root kind's informer
            store = self._manager.store(served.controller.gvr)
            roots = [r for r in (store.items() if store is not None else ()) if graph_of(r) == name]
        await self._retire(name)
        for root in roots:
            if Finalizers.ROOT in ((root.get("metadata") or {}).get("finalizers") or []):
                await remove_finalizer(self._manager.writer, served.controller.gvr, root, Finalizers.ROOT)  # type: ignore[union-attr]
                await self._events.normal(
                    root, reason="Unmanaged",
                    message=f"ResourceGraph {name} was deleted: kro no longer manages this root; its children are left in place",
                )  # fmt: skip
        await remove_finalizer(self._manager.writer, RGS, rg, Finalizers.ROOT)
        return Done()

    async def _ensure_finalizer(self, rg: Obj) -> None:
        meta = rg.get("metadata") or {}
        finalizers = list(meta.get("finalizers") or [])
        if Finalizers.ROOT in finalizers:
            return
        patch = {"metadata": {"finalizers": [*finalizers, Finalizers.ROOT], "resourceVersion": meta.get("resourceVersion")}}
        await self._manager.writer.merge_patch(RGS, str(meta.get("name", "")), patch)

    async def _write_status(self, rg: Obj, status: Obj) -> None:
        old = rg.get("status") or {}
        if old == status:
            return
        patch = {**{k: None for k in old if k not in status}, **status}
        await self._manager.writer.merge_patch(
            RGS, str((rg.get("metadata") or {}).get("name", "")), {"status": patch}, status=True
        )
