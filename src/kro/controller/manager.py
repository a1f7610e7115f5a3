"""The dynamic controller manager: one work queue, N workers, informers started and stopped at run
time.

Keys are :class:`~kro.controller.reconcile.Key` (resource, namespace, name); each resource has at
most one handler (the RGD controller for RGDs, an instance controller per RGD kind). Informers are
shared per resource and reference-counted by the controllers that need them. Every event on any
watched object that carries ``kro.run/instance-*`` labels also queues the instance it belongs to,
which is how drift on a child is repaired within about a second; not an update that changes only
status fields no expression of the graph reads (:mod:`kro.runtime.relevance`). An event on an object
that external references read queues the instances and roots whose last reconcile read it
(:mod:`kro.controller.externalreads`)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from kro.api.keys import Labels
from kro.api.refs import GVR
from kro.controller.errors import ControllerError
from kro.controller.events import EventRecorder
from kro.controller.instance_controller import InstanceController, InstanceSettings
from kro.controller.metrics import Metrics
from kro.controller.overlay import WriteOverlay
from kro.controller.ports import Informer, InformerSource, Store, Writer
from kro.controller.reconcile import Key, schedule
from kro.graph.model import Graph
from kro.kube.errors import KubeError
from kro.kube.workqueue import QueueShutDown, WorkQueue
from kro.runtime.outcome import Outcome
from kro.runtime.revision import ServedRevision

log = logging.getLogger(__name__)
Obj = Mapping[str, Any]
Handler = Callable[[Key], Awaitable[Outcome]]


class Parent(Protocol):
    """What the manager asks a controller of instances or roots about events on other objects."""

    @property
    def gvr(self) -> GVR: ...

    @property
    def external_resources(self) -> frozenset[GVR]: ...

    def child_change_matters(self, node_id: str, new: Obj, old: Obj) -> bool: ...

    def external_change_matters(self, gvr: GVR, new: Obj, old: Obj) -> bool: ...

    def external_readers_of(self, gvr: GVR, obj: Obj, old: Obj | None) -> set[tuple[str, str]]: ...


class Manager:
    def __init__(
        self,
        *,
        informers: InformerSource,
        writer: Writer,
        metrics: Metrics,
        events: EventRecorder,
        instance_settings: InstanceSettings,
        now: Callable[[], str],
        queue: WorkQueue[Key] | None = None,
        sync_timeout: float = 10.0,
    ) -> None:
        self._sync_timeout = sync_timeout
        # oldest first: an instance further along is not starved by instances created after it
        self.queue: WorkQueue[Key] = queue or WorkQueue(name="kro", metrics=metrics, order="age")
        self._source = informers
        self._writer = writer
        self._metrics = metrics
        self._events = events
        self._instance_settings = instance_settings
        self._now = now
        self._handlers: dict[GVR, Handler] = {}
        self._controller_of: dict[GVR, str] = {}
        """The ``controller`` label of each handled resource's reconcile metrics."""
        self._informers: dict[GVR, Informer] = {}
        self._owners: dict[GVR, set[str]] = {}
        self._instance_kinds: dict[tuple[str, str], GVR] = {}
        self._controllers: dict[str, InstanceController] = {}
        self._by_gvr: dict[GVR, InstanceController] = {}
        """The instance controllers by the resource they serve, for their children's events."""
        self._by_graph: dict[str, Parent] = {}
        """The root controllers by ResourceGraph name, for their children (``kro.dev/graph``)."""
        self._lock = asyncio.Lock()
        self._stopped = False
        self._listeners: dict[GVR, list[Callable[[], None]]] = {}
        self._object_listeners: dict[GVR, list[Callable[[Obj], None]]] = {}
        self._in_flight: dict[GVR, int] = {}
        self._settled = asyncio.Condition()
        self.overlay = WriteOverlay()
        """The instance controllers' own writes, until the caches catch up."""

    @property
    def writer(self) -> Writer:
        return self._writer

    @property
    def instance_settings(self) -> InstanceSettings:
        return self._instance_settings

    # ---- caches ----

    def store(self, gvr: GVR) -> Store | None:
        informer = self._informers.get(gvr)
        return informer.store if informer is not None else None

    # ---- handlers and informers ----

    async def handle(self, gvr: GVR, handler: Handler, *, owner: str, controller: str = "instance") -> None:
        """Route keys of ``gvr`` to ``handler`` and watch ``gvr``; ``controller`` labels its reconciles'
        metrics (``rgd``, ``resourcegraph``, ``instance``, ``root``)."""
        self._handlers[gvr] = handler
        self._controller_of[gvr] = controller
        await self.watch(gvr, owner=owner)

    async def watch(self, gvr: GVR, *, owner: str) -> None:
        async with self._lock:
            if self._stopped:
                return
            self._owners.setdefault(gvr, set()).add(owner)
            if gvr in self._informers:
                return
            informer = await self._source.start(gvr, lambda t, o, old: self._on_event(gvr, t, o, old))
            self._informers[gvr] = informer
        try:
            await asyncio.wait_for(informer.wait_synced(), self._sync_timeout)
        except TimeoutError:
            # a resource the server does not serve (yet): keep going, the informer keeps trying
            log.warning("informer for %s has not synced after %.0fs", gvr, self._sync_timeout)

    async def unwatch_all(self, owner: str) -> None:
        async with self._lock:
            for gvr in [g for g, owners in self._owners.items() if owner in owners]:
                self._owners[gvr].discard(owner)
                if not self._owners[gvr]:
                    del self._owners[gvr]
                    informer = self._informers.pop(gvr, None)
                    if informer is not None:
                        await informer.stop()

    def _on_event(self, gvr: GVR, type_: str, obj: Obj, old: Obj | None) -> None:
        # the echo of an instance controller's own write (to a child, or to the instance: its
        # labels, its status): the reconcile that wrote it planned with the server's answer
        # already, so the instance needs no other look for it
        echo = self.overlay.echo(gvr, obj)
        deleted = type_ == "DELETED"
        self._enqueue_for(
            gvr, type_, obj, old, echo=echo.latest and not deleted, own_echo=echo.own and not deleted
        )
        for listener in self._listeners.get(gvr, ()):
            listener()
        for object_listener in self._object_listeners.get(gvr, ()):
            object_listener(obj)

    def _enqueue_for(
        self, gvr: GVR, type_: str, obj: Obj, old: Obj | None, *, echo: bool, own_echo: bool = False
    ) -> None:
        meta = obj.get("metadata") or {}
        if (
            gvr in self._handlers
            and not own_echo
            and (old is None or type_ == "DELETED" or _worth_reconciling(obj, old))
        ):
            self.queue.add(Key(gvr, str(meta.get("namespace") or ""), str(meta.get("name", ""))))
        # what an external reference reads, a child of another instance or not (graphs chain)
        self._enqueue_readers(gvr, obj, old if type_ == "MODIFIED" and old is not obj else None)
        labels = meta.get("labels") or {}
        owner_gvr = self._instance_kinds.get(
            (labels.get(Labels.INSTANCE_GROUP, ""), labels.get(Labels.INSTANCE_KIND, ""))
        )
        if echo and not own_echo and owner_gvr is not None:
            return  # the parent's own write of its child: that reconcile planned with the answer
        if owner_gvr is not None and labels.get(Labels.INSTANCE_NAME):
            if type_ == "MODIFIED" and old is not None and old is not obj:
                graph = labels.get(Labels.GRAPH)
                parent = self._by_graph.get(graph) if graph else self._by_gvr.get(owner_gvr)
                node_id = labels.get(Labels.NODE_ID)
                if parent is not None and node_id and not parent.child_change_matters(node_id, obj, old):
                    return  # only status fields that no expression reads changed
            self.queue.add(
                Key(owner_gvr, labels.get(Labels.INSTANCE_NAMESPACE, ""), labels[Labels.INSTANCE_NAME])
            )

    def _enqueue_readers(self, gvr: GVR, obj: Obj, old: Obj | None) -> None:
        """Queue the instances and roots whose last reconcile read ``obj`` through an external
        reference; not for an update (``old``) of status fields none of their readers read."""
        for parent in (*self._controllers.values(), *self._by_graph.values()):
            if gvr not in parent.external_resources:
                continue
            readers = parent.external_readers_of(gvr, obj, old)
            if readers and (old is None or parent.external_change_matters(gvr, obj, old)):
                for namespace, name in readers:
                    self.queue.add(Key(parent.gvr, namespace, name))

    def on_change(self, gvr: GVR, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every event of ``gvr`` (which must be watched)."""
        self._listeners.setdefault(gvr, []).append(listener)

    def on_object(self, gvr: GVR, listener: Callable[[Obj], None]) -> None:
        """Call ``listener`` with the object of every event of ``gvr`` (once per listener)."""
        listeners = self._object_listeners.setdefault(gvr, [])
        if listener not in listeners:
            listeners.append(listener)

    def route_children(self, group: str, kind: str, gvr: GVR | None) -> None:
        """Events on children labelled ``kro.run/instance-group/kind`` = ``group``/``kind`` queue
        their parent of ``gvr`` (``None``: stop). The RGD registry does this for instance kinds;
        the ResourceGraph controller for root kinds."""
        if gvr is None:
            self._instance_kinds.pop((group, kind), None)
        else:
            self._instance_kinds[(group, kind)] = gvr

    def unhandle(self, gvr: GVR) -> None:
        """Stop routing keys of ``gvr`` (its informer stays until its owners unwatch it)."""
        self._handlers.pop(gvr, None)
        self._controller_of.pop(gvr, None)

    # ---- instance controllers (the RGD controller's registry) ----

    async def serve(self, graph: Graph, *, rgd_uid: str, revision: ServedRevision | None = None) -> None:
        ctrl = self._controllers.get(graph.rgd_name)
        if ctrl is None:
            ctrl = InstanceController(
                graph,
                rgd_uid=rgd_uid,
                writer=self._writer,
                caches=self,
                metrics=self._metrics,
                events=self._events,
                settings=self._instance_settings,
                now=self._now,
                overlay=self.overlay,
                revision=revision,
            )
        elif ctrl.graph == graph:  # recompiled (a CRD event) to the same graph: nothing to redo
            if ctrl.revision != revision:  # but the instances' revision condition changes
                ctrl.set_graph(graph, revision=revision)
                self._enqueue_all(ctrl.gvr)
            return
        else:
            ctrl.set_graph(graph, revision=revision)
        owner = f"rgd/{graph.rgd_name}"
        self._instance_kinds[(graph.instance_gvk.group, graph.instance_gvk.kind)] = ctrl.gvr
        for gvr in ctrl.resources.values():
            await self.watch(gvr, owner=owner)
        new = graph.rgd_name not in self._controllers
        self._controllers[graph.rgd_name] = ctrl
        self._forget_children_of(ctrl)  # a new graph may serve another version of the kind
        self._by_gvr[ctrl.gvr] = ctrl
        log.info(
            "%s %s (%s) for RGD %s",
            "serving" if new else "serving with a new graph:", graph.instance_gvk.kind, ctrl.gvr,
            graph.rgd_name, extra={"rgd": graph.rgd_name, "kind": graph.instance_gvk.kind},
        )  # fmt: skip
        bound = ctrl
        await self.handle(ctrl.gvr, lambda key: bound.reconcile(key.namespace, key.name), owner=owner)
        self._metrics.controllers.set(len(self._controllers))
        if not new:  # a new graph: every instance must be planned again
            self._enqueue_all(ctrl.gvr)

    def route_graph_children(self, graph: str, parent: Parent | None) -> None:
        """Updates of children labelled ``kro.dev/graph: <graph>`` ask ``parent`` whether they can
        change its reconcile (``None``: every update queues the root); events on what its external
        references read queue the roots that read it."""
        if parent is None:
            self._by_graph.pop(graph, None)
        else:
            self._by_graph[graph] = parent

    def _forget_children_of(self, ctrl: InstanceController) -> None:
        for gvr in [gvr for gvr, served in self._by_gvr.items() if served is ctrl]:
            del self._by_gvr[gvr]

    def serves_instances(self, gvr: GVR) -> bool:
        """Whether an RGD's instance controller handles ``gvr``."""
        return any(ctrl.gvr == gvr for ctrl in self._controllers.values())

    async def retire(self, rgd_name: str) -> None:
        ctrl = self._controllers.pop(rgd_name, None)
        if ctrl is None:
            return
        self._forget_children_of(ctrl)
        self._handlers.pop(ctrl.gvr, None)
        self._controller_of.pop(ctrl.gvr, None)
        # a reconcile already running could still write (re-add the finalizer the RGD controller is
        # about to release): let those finish first
        async with self._settled:
            await self._settled.wait_for(lambda: not self._in_flight.get(ctrl.gvr))
        gvk = ctrl.graph.instance_gvk
        self._instance_kinds.pop((gvk.group, gvk.kind), None)
        await self.unwatch_all(f"rgd/{rgd_name}")
        self._metrics.controllers.set(len(self._controllers))
        log.info(
            "stopped serving %s (%s) for RGD %s", gvk.kind, ctrl.gvr, rgd_name,
            extra={"rgd": rgd_name, "kind": gvk.kind},
        )  # fmt: skip

    def enqueue_all(self, gvr: GVR) -> None:
        """Queue every cached object of ``gvr``."""
        self._enqueue_all(gvr)

    def _enqueue_all(self, gvr: GVR) -> None:
        store = self.store(gvr)
        for obj in store.items() if store is not None else ():
            meta = obj.get("metadata") or {}
            self.queue.add(Key(gvr, str(meta.get("namespace") or ""), str(meta.get("name", ""))))

    # ---- workers ----

    async def run(self, *, workers: int) -> None:
        """Drain the queue with ``workers`` concurrent workers until the queue shuts down."""
        await asyncio.gather(*(self._worker() for _ in range(max(1, workers))))

    async def _worker(self) -> None:
        while True:
            try:
                key = await self.queue.get()
            except QueueShutDown:
                return
            self._in_flight[key.gvr] = self._in_flight.get(key.gvr, 0) + 1
            try:
                await self._process(key)
            finally:
                self.queue.done(key)
                store = self.store(key.gvr)
                if store is None or store.get(key.namespace, key.name) is None:
                    self.queue.release(key)  # the object is gone: its key's age goes too
                self._in_flight[key.gvr] -= 1
                async with self._settled:
                    self._settled.notify_all()

    async def _process(self, key: Key) -> None:
        handler = self._handlers.get(key.gvr)
        if handler is None:
            self.queue.forget(key)
            return
        kind = self._controller_of.get(key.gvr, "instance")
        started = time.perf_counter()
        outcome: Outcome | BaseException
        try:
            outcome = await handler(key)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            log.warning("reconcile of %s failed: %s", key, e, exc_info=not _expected(e))
            self._metrics.errors.labels(kind, key.gvr.resource).inc()
            outcome = e
        result = schedule(self.queue, key, outcome)
        self._metrics.duration.labels(kind, key.gvr.resource).observe(time.perf_counter() - started)
        self._metrics.reconciles.labels(kind, key.gvr.resource, result).inc()

    async def stop(self) -> None:
        """Stop taking work and stop every informer; reconciles in flight may still finish."""
        self._stopped = True
        self.queue.shutdown()
        async with self._lock:
            informers, self._informers = list(self._informers.values()), {}
        for informer in informers:
            await informer.stop()


def _worth_reconciling(obj: Obj, old: Obj) -> bool:
    """An update of a watched parent matters unless only its status or bookkeeping changed (our own
    status writes would otherwise queue the instance again)."""

    def essence(o: Obj) -> tuple[Any, ...]:
        meta = dict(o.get("metadata") or {})
        for noise in ("resourceVersion", "managedFields"):
            meta.pop(noise, None)
        return meta, {k: v for k, v in o.items() if k not in ("metadata", "status")}

    return essence(obj) != essence(old)


def _expected(error: Exception) -> bool:
    return isinstance(error, KubeError | ControllerError)
