"""The root controller: carries out one ResourceGraph's plans for every root of its kind.

A root is an object of the graph's root kind carrying ``kro.dev/graph: <graph name>`` (label or
annotation). Its managed children are planned by the same :func:`kro.runtime.plan_instance` as an
RGD instance's (with ``root`` as the root variable, ``kro.dev/root``/``kro.dev/graph`` labels and an
ownerReference to the root) and applied by the same code (:class:`InstanceController.carry_out`).
What differs lives here: kro never writes the root's spec or status, adds its finalizer only while
the root has children to delete or release, reports to the root with Events (``Synced``,
``SyncFailed``) and to the ResourceGraph's status through :attr:`RootController.results`; and a
root that is deleted or stops carrying ``kro.dev/graph`` has its children deleted in reverse order
(``releasePolicy: Delete``; tracked children too when the root itself is deleted) or released
(``Orphan``: kro's labels and ownerReference removed, objects kept)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kro.api.conditions import NodeState
from kro.api.keys import Finalizers, Labels
from kro.api.refs import GVR
from kro.api.resourcegraph import RELEASE_ORPHAN
from kro.controller.errors import ApplyFailed
from kro.controller.events import EventRecorder
from kro.controller.finalizers import remove_finalizer
from kro.controller.instance_controller import InstanceController, InstanceSettings
from kro.controller.metrics import Metrics
from kro.controller.observation import CacheView
from kro.controller.overlay import WriteOverlay
from kro.controller.ports import Caches, Writer
from kro.graph.resourcegraph import CompiledResourceGraph, TrackedChild
from kro.runtime.observed import ObservedState
from kro.runtime.outcome import Done, Outcome, Requeue
from kro.runtime.plan import Plan
from kro.runtime.planner import PlanSettings, plan_instance, removal_for, removal_waves, with_failures
from kro.runtime.rootchildren import not_ready, release_patch, still_owned

log = logging.getLogger(__name__)
Obj = Mapping[str, Any]
SYNCED, IN_PROGRESS, FAILING = "Synced", "InProgress", "Failing"


def graph_of(root: Obj) -> str:
    """The ResourceGraph a root names: its ``kro.dev/graph`` label, else its annotation."""
    meta = root.get("metadata") or {}
    return str((meta.get("labels") or {}).get(Labels.GRAPH) or (meta.get("annotations") or {}).get(Labels.GRAPH) or "")


@dataclass(frozen=True)
class RootResult:
    """Where one root stands: ``Synced``, ``InProgress`` or ``Failing``, with the child holding it
    back and why."""

    state: str
    child: str = ""
    message: str = ""


@dataclass(frozen=True)
class ChildReport:
    """One child of a root as ``kro status`` and the Events show it."""

    id: str
    kind: str
    tracked: bool
    state: str
    reason: str = ""
    objects: tuple[str, ...] = ()


class RootController:
    def __init__(
        self,
        compiled: CompiledResourceGraph,
        *,
        writer: Writer,
        caches: Caches,
        metrics: Metrics,
        events: EventRecorder,
        settings: InstanceSettings,
        now: Callable[[], str],
        on_result: Callable[[], None],
        serves: Callable[[str], bool] = lambda _: False,
        overlay: WriteOverlay | None = None,
    ) -> None:
        """``serves(name)``: whether a ResourceGraph of that name is being served (a root that
        moved to it keeps kro's finalizer for that graph's sake). ``overlay``: the manager's record
        of the controller's own writes, read through until the caches catch up."""
        self._serves = serves
        self._overlay = overlay
        self._writer = writer
        self._caches = caches
        self._events = events
        self._settings = settings
        self._now = now
        self._on_result = on_result
        self._children = InstanceController(
            compiled.graph, rgd_uid="", writer=writer, caches=caches, metrics=metrics,
            events=events, settings=settings, now=now, overlay=overlay,
        )  # fmt: skip
        self.compiled = compiled
        self.results: dict[tuple[str, str], RootResult] = {}

    @property
    def name(self) -> str:
        return self.compiled.name

    @property
    def gvr(self) -> GVR:
        gvk = self.compiled.root_gvk
        return GVR(gvk.group, gvk.version, self.compiled.root_plural)

    @property
    def managed_resources(self) -> Mapping[tuple[str, str], GVR]:
        return self._children.resources

    @property
    def tracked_resources(self) -> dict[tuple[str, str], GVR]:
        return {(t.gvk.group, t.gvk.kind): _gvr(t) for t in self.compiled.tracked}

    def set_graph(self, compiled: CompiledResourceGraph) -> None:
        self.compiled = compiled
        self._children.set_graph(compiled.graph)

    @property
    def external_resources(self) -> frozenset[GVR]:
        """Resources the graph's external references read."""
        return self._children.external_resources

    def external_change_matters(self, gvr: GVR, new: Obj, old: Obj) -> bool:
        return self._children.external_change_matters(gvr, new, old)

    def external_readers_of(self, gvr: GVR, obj: Obj, old: Obj | None) -> set[tuple[str, str]]:
        """The roots (namespace, name) whose last reconcile read ``obj`` through an external reference."""
        return self._children.external_readers_of(gvr, obj, old)

    def child_change_matters(self, node_id: str, new: Obj, old: Obj) -> bool:
        """Whether an update of a managed child of node ``node_id`` can change a reconcile of its
        root: not when only status fields no expression of the graph reads changed."""
        return self._children.child_change_matters(node_id, new, old)

    async def reconcile(self, namespace: str, name: str) -> Outcome:
        try:
            return await self._reconcile(namespace, name)
        finally:
            self._children.external_readers.end((namespace, name))

    async def _reconcile(self, namespace: str, name: str) -> Outcome:
        store = self._caches.store(self.gvr)
        root = store.get(namespace, name) if store is not None else None
        if root is not None and self._overlay is not None:
            root = self._overlay.newest(self.gvr, namespace, name, root)
        if root is None:
            self._forget((namespace, name))
            return Done()
        view = CacheView(self._caches, {**self._children.resources, **self.tracked_resources}, self._overlay)
        deleting = bool((root.get("metadata") or {}).get("deletionTimestamp"))
        if graph_of(root) == self.name and not deleting:
            return await self._sync(root, view)
        return await self._teardown(root, view, deleting=deleting)

    # ---- a root of this graph ----

    async def _sync(self, root: Obj, view: CacheView) -> Outcome:
        meta = root.get("metadata") or {}

        def plan() -> Plan:
            return plan_root(
                self.compiled, root, view, kro_version=self._settings.kro_version, now=self._now(),
                settings=self._settings.plan,
            )  # fmt: skip

        first = plan()
        tracked = [self._tracked_report(t, root, view) for t in self.compiled.tracked]
        owned = still_owned(view.owned_by(str(meta.get("uid", ""))), graph=self.name)
        needs_finalizer = bool(first.all_applies or owned or any(r.objects for r in tracked))
        if needs_finalizer:
            await self._add_finalizer(root)
        final, failures = await self._children.plan_and_apply(root, view, plan)
        if failures:
            final = with_failures(final, failures, instance=root, now=self._now())
        else:
            await self._children.prune(final)
        if not failures and not needs_finalizer and Finalizers.ROOT in (meta.get("finalizers") or []):
            await remove_finalizer(self._writer, self.gvr, root, Finalizers.ROOT)
        # the state before this reconcile's writes, for a root this controller has not seen yet
        before = _summarise(children_of(first, self.compiled, tracked))
        await self._record(root, _summarise(children_of(final, self.compiled, tracked)), first_seen=before)
        if failures:
            raise ApplyFailed(failures)
        return final.outcome

    def _tracked_report(self, child: TrackedChild, root: Obj, view: CacheView) -> ChildReport:
        return tracked_report(child, root, view)

    async def _record(self, root: Obj, result: RootResult, *, first_seen: RootResult) -> None:
        """Keep ``result`` and tell a change with an Event. ``first_seen``: where the root stood
        before this reconcile wrote anything, compared with when there is no earlier result (a
        root first seen already synced, e.g. by a restarted controller, gets no Event)."""
        meta = root.get("metadata") or {}
        key = (str(meta.get("namespace") or ""), str(meta.get("name", "")))
        before = self.results.get(key)
        self.results[key] = result
        if before == result:
            return
        self._on_result()
        if result.state == SYNCED and (before or first_seen).state != SYNCED:
            await self._events.normal(root, reason="Synced", message=f"every child of ResourceGraph {self.name} is applied and ready")
        elif result.state == FAILING:
            await self._events.warning(root, reason="SyncFailed", message=f"child {result.child}: {result.message}")

    async def _add_finalizer(self, root: Obj) -> None:
        meta = root.get("metadata") or {}
        finalizers = list(meta.get("finalizers") or [])
        if Finalizers.ROOT in finalizers:
            return
        patch = {"metadata": {"finalizers": [*finalizers, Finalizers.ROOT], "resourceVersion": meta.get("resourceVersion")}}
        answer = await self._writer.merge_patch(self.gvr, str(meta.get("name", "")), patch, namespace=str(meta.get("namespace") or ""))
        if self._overlay is not None:
            self._overlay.record(self.gvr, answer)

    # ---- a root deleted, or no longer of this graph ----

    async def _teardown(self, root: Obj, view: CacheView, *, deleting: bool) -> Outcome:
        meta = root.get("metadata") or {}
        key = (str(meta.get("namespace") or ""), str(meta.get("name", "")))
        owned = still_owned(view.owned_by(str(meta.get("uid", ""))), graph=self.name)
        if self.compiled.release_policy == RELEASE_ORPHAN:
            for obj in owned:
                await self._release(obj, root_uid=str(meta.get("uid", "")))
        elif owned:
            wave = removal_waves([removal_for(o, _node_of(o), "its root is gone") for o in owned])[0]
            for removal in wave:
                await self._children.delete(removal)
            return Requeue(after=self._settings.deletion_requeue)
        elif deleting and graph_of(root) == self.name:
            for child in reversed(self.compiled.tracked):
                found = tracked_objects(child, root, view)
                for obj in found:
                    await self._delete_tracked(child, obj)
                if found:
                    return Requeue(after=self._settings.deletion_requeue)
        claimed = graph_of(root)
        if claimed and claimed != self.name and self._serves(claimed):
            pass  # the root moved to another graph: the finalizer is that graph's now
        elif Finalizers.ROOT in (meta.get("finalizers") or []) and await remove_finalizer(
            self._writer, self.gvr, root, Finalizers.ROOT
        ):
            log.info("%s %s/%s released by ResourceGraph %s", root.get("kind"), key[0], key[1], self.name)
        self._forget(key)
        return Done()

    async def _release(self, child: Obj, *, root_uid: str) -> None:
        meta = child.get("metadata") or {}
        gvr = self._children.resources.get((str(child.get("apiVersion", "")).rpartition("/")[0], str(child.get("kind", ""))))
        if gvr is None:
            return
        await self._writer.merge_patch(gvr, str(meta.get("name", "")), release_patch(child, root_uid=root_uid), namespace=str(meta.get("namespace") or ""))
        log.info("released %s/%s %s (releasePolicy Orphan)", child.get("kind"), meta.get("namespace") or "", meta.get("name"))

    async def _delete_tracked(self, child: TrackedChild, obj: Obj) -> None:
        meta = obj.get("metadata") or {}
        log.info("deleting tracked %s %s/%s", child.gvk.kind, meta.get("namespace") or "", meta.get("name"))
        await self._writer.delete(_gvr(child), str(meta.get("name", "")), namespace=str(meta.get("namespace") or ""), uid=str(meta.get("uid", "")))

    def _forget(self, key: tuple[str, str]) -> None:
        self._children.external_readers.forget(key)
        if self.results.pop(key, None) is not None:
            self._on_result()


def plan_root(
    compiled: CompiledResourceGraph,
    root: Obj,
    observed: ObservedState,
    *,
    kro_version: str,
    now: str = "",
    settings: PlanSettings | None = None,
) -> Plan:
    """:func:`kro.runtime.plan_instance` for a root: its managed children labelled
    ``kro.dev/root``/``kro.dev/graph`` and owned by the root where scopes allow."""
    meta = root.get("metadata") or {}
    return plan_instance(
        compiled.graph, root, observed, kro_version=kro_version, now=now, settings=settings,
        extra_labels={Labels.ROOT: str(meta.get("name", "")), Labels.GRAPH: compiled.name},
        owner={"apiVersion": root.get("apiVersion"), "kind": root.get("kind"), "name": meta.get("name"), "uid": meta.get("uid")},
    )  # fmt: skip


def tracked_report(child: TrackedChild, root: Obj, observed: ObservedState) -> ChildReport:
    """Whether a tracked child's objects exist and are ready (:func:`kro.runtime.rootchildren.not_ready`)."""
    found = tracked_objects(child, root, observed)
    names = tuple(f"{child.gvk.kind.lower()}/{(o.get('metadata') or {}).get('name')}" for o in found)
    if not found:
        reason = f"no {child.gvk.kind} labelled {Labels.ROOT}={(root.get('metadata') or {}).get('name')} yet"
        return ChildReport(child.id, child.gvk.kind, True, NodeState.IN_PROGRESS.value, reason)
    for obj, shown in zip(found, names, strict=True):
        why = not_ready(obj)
        if why is not None:
            return ChildReport(child.id, child.gvk.kind, True, NodeState.WAITING_FOR_READINESS.value, f"{shown}: {why}", names)
    return ChildReport(child.id, child.gvk.kind, True, NodeState.SYNCED.value, "", names)


def tracked_objects(child: TrackedChild, root: Obj, view: ObservedState) -> list[Obj]:
    """Objects of a tracked child's kind labelled ``kro.dev/root: <root name>``, in the root's
    namespace when it has one."""
    meta = root.get("metadata") or {}
    namespace = str(meta["namespace"]) if meta.get("namespace") else None
    return list(view.select(child.gvk, namespace, {"matchLabels": {Labels.ROOT: str(meta.get("name", ""))}}))


def children_of(plan: Plan, compiled: CompiledResourceGraph, tracked: list[ChildReport]) -> list[ChildReport]:
    """Every child in the order the ResourceGraph lists them."""
    managed = [
        ChildReport(r.id, compiled.graph.nodes[r.id].gvk.kind, False, r.state.value, r.reason, tuple(str(o) for o in r.objects))
        for r in plan.nodes.values()
    ]
    indexed = [(compiled.graph.nodes[c.id].index, c) for c in managed]
    indexed += [(t.index, c) for t, c in zip(compiled.tracked, tracked, strict=True)]
    return [c for _, c in sorted(indexed, key=lambda p: p[0])]


def _summarise(children: list[ChildReport]) -> RootResult:
    for c in children:
        if c.state == NodeState.ERROR.value:
            return RootResult(FAILING, c.id, c.reason)
    for c in children:
        if c.state not in (NodeState.SYNCED.value, NodeState.SKIPPED.value):
            return RootResult(IN_PROGRESS, c.id, c.reason)
    return RootResult(SYNCED)


def _node_of(obj: Obj) -> str:
    return str(((obj.get("metadata") or {}).get("labels") or {}).get(Labels.NODE_ID, ""))


def _gvr(child: TrackedChild) -> GVR:
    return GVR(child.gvk.group, child.gvk.version, child.plural)

