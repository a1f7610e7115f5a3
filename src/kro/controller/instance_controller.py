"""The instance controller: carries out the runtime's plans for every instance of one RGD.

One reconcile: read the instance from the cache; if it is being deleted, take its children down in
reverse waves and then drop the finalizer; otherwise make sure it carries kro's finalizer and labels,
plan (:func:`kro.runtime.plan_instance`), apply each wave concurrently (skipping objects whose cached
copy already holds every desired field, ``internal.kro.run/desired-hash`` included: see
:mod:`kro.runtime.drift` for why that is enough without ``managedFields``), plan again with what the
server answered (so a child whose dependencies were just created is created in the same reconcile,
not one watch event later), prune, and write the status only when it changed. Reads go through the
:class:`~kro.controller.overlay.WriteOverlay` of the controller's own writes, so a reconcile that
runs before the caches catch up neither repeats a write nor sets the status back. State transitions
are logged; Normal Events for them are recorded only with the ``InstanceConditionEvents`` feature
gate, Warning Events always (:mod:`kro.controller.transitions`). A write to a child is logged, a
skipped one is not."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kro.api.conditions import ConditionReason, InstanceState
from kro.api.keys import Annotations, FieldManagers, Finalizers, Labels
from kro.api.refs import GVR
from kro.controller.errors import ApplyFailed
from kro.controller.events import EventRecorder
from kro.controller.externalreads import ExternalReaders, Reader
from kro.controller.finalizers import remove_finalizer
from kro.controller.metrics import Metrics
from kro.controller.observation import CacheView
from kro.controller.overlay import WriteOverlay
from kro.controller.ports import Caches, Writer
from kro.controller.transitions import TransitionLog
from kro.graph.model import Graph, Node
from kro.kube.errors import ApiError
from kro.runtime.deletion import plan_deletion
from kro.runtime.drift import holds_object
from kro.runtime.labels import applyset_parent_metadata, instance_applyset_id, instance_labels
from kro.runtime.outcome import Done, Outcome, Requeue
from kro.runtime.plan import DesiredObject, ExternalRead, Plan, Removal
from kro.runtime.planner import PlanSettings, plan_instance, with_failures
from kro.runtime.relevance import status_reads
from kro.runtime.revision import ServedRevision, previously_current, with_revision
from kro.runtime.status import special_status

log = logging.getLogger(__name__)
Obj = Mapping[str, Any]
_MAX_BACKOFF = 8


@dataclass(frozen=True)
class InstanceSettings:
    kro_version: str
    plan: PlanSettings = field(default_factory=PlanSettings)
    deletion_requeue: float = 1.0
    transition_events: bool = False
    """Record a Normal Event for every state transition (``InstanceConditionEvents``)."""


def _gvr_of(node: Node) -> GVR:
    return GVR(node.gvk.group, node.gvk.version, node.plural)


def graph_resources(graph: Graph) -> dict[tuple[str, str], GVR]:
    """``(group, kind) -> GVR`` of every child and external kind of ``graph``."""
    return {
        (n.gvk.group, n.gvk.kind): GVR(n.gvk.group, n.gvk.version, n.plural) for n in graph.nodes.values()
    }


class InstanceController:
    def __init__(
        self,
        graph: Graph,
        *,
        rgd_uid: str,
        writer: Writer,
        caches: Caches,
        metrics: Metrics,
        events: EventRecorder,
        settings: InstanceSettings,
        now: Callable[[], str],
        overlay: WriteOverlay | None = None,
        revision: ServedRevision | None = None,
    ) -> None:
        self._writer = writer
        self._events = events
        self._overlay = overlay
        """Shared with the manager, which drops what its informers deliver; none: writes are not
        remembered."""
        self._transitions = TransitionLog(
            graph.instance_gvk.kind, events, normal_events=settings.transition_events
        )
        self._caches = caches
        self._metrics = metrics
        self._settings = settings
        self._now = now
        self._rgd_uid = rgd_uid
        self._resources: dict[tuple[str, str], GVR] = {}
        self._quiet_looks: dict[str, int] = {}  # instance -> requeued looks in a row that changed nothing
        self.external_readers = ExternalReaders()
        """What each instance's last reconcile read through external references."""
        self.graph = graph
        self.revision = revision
        self.set_graph(graph, revision=revision)

    @property
    def gvr(self) -> GVR:
        gvk = self.graph.instance_gvk
        return GVR(gvk.group, gvk.version, self.graph.instance_plural)

    @property
    def resources(self) -> Mapping[tuple[str, str], GVR]:
        """Every child/external resource this controller reads: the current graph's and earlier ones'."""
        return dict(self._resources)

    @property
    def external_resources(self) -> frozenset[GVR]:
        """Resources the current graph's external references read."""
        return self._external_resources

    def set_graph(self, graph: Graph, *, revision: ServedRevision | None = None) -> None:
        """Serve ``graph`` (compiled from ``revision``) from the next reconcile on; kinds of earlier
        graphs stay observed so their leftover children can be pruned."""
        self.graph = graph
        self.revision = revision
        self._resources.update(graph_resources(graph))
        self._status_reads = status_reads(graph)
        self._external_resources = frozenset(_gvr_of(n) for n in graph.nodes.values() if n.is_external)

    def external_change_matters(self, gvr: GVR, new: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
        """Whether an update of an object of ``gvr``, a kind the graph's external references read,
        can change what a reconcile of an instance does: not when only status fields none of those
        references' readers read changed."""
        nodes = [n.id for n in self.graph.nodes.values() if n.is_external and _gvr_of(n) == gvr]
        return not nodes or any(self._status_reads.change_matters(n, new, old) for n in nodes)

    def external_readers_of(self, gvr: GVR, obj: Mapping[str, Any], old: Mapping[str, Any] | None) -> set[Reader]:
        """The instances (namespace, name) whose last reconcile read ``obj`` through an external
        reference (``old``: the object before an update, for a selector that matched it then)."""
        return self.external_readers.readers(gvr, obj, old)

    def child_change_matters(self, node_id: str, new: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
        """Whether an update of a child of node ``node_id`` can change what a reconcile of its
        instance does: not when only status fields no expression reads changed."""
        return self._status_reads.change_matters(node_id, new, old)

    async def reconcile(self, namespace: str, name: str) -> Outcome:
        try:
            return await self._reconcile(namespace, name)
        finally:
            self.external_readers.end((namespace, name))

    async def _reconcile(self, namespace: str, name: str) -> Outcome:
        store = self._caches.store(self.gvr)
        cached = store.get(namespace, name) if store is not None else None
        instance = self._newest(namespace, name, cached) if cached is not None else None
        key = f"{namespace}/{name}"
        if instance is None:
            if self._overlay is not None:
                self._overlay.forget(self.gvr, namespace, name)
            self._metrics.record_nodes(self.gvr.resource, key, None)
            self._transitions.forget(namespace, name)
            self._quiet_looks.pop(key, None)
            self.external_readers.forget((namespace, name))
            return Done()
        view = CacheView(self._caches, self._resources, self._overlay)
        if (instance.get("metadata") or {}).get("deletionTimestamp"):
            return await self._finalize(instance, view)
        part_of = instance_applyset_id(instance, self.graph.instance_gvk)  # name and namespace only
        instance = await self._ensure_managed(instance, part_of)
        if _suspended(instance):
            status = special_status(
                instance,
                state=InstanceState.IN_PROGRESS,
                reason=ConditionReason.RECONCILIATION_SUSPENDED,
                message=f"annotation {Annotations.RECONCILE}={Annotations.RECONCILE_SUSPENDED} is set",
                now=self._now(),
            )
            await self._transitions.observe(instance, status)
            await self._write_status(instance, status)
            return Done()
        plan, failures = await self._plan_and_apply(instance, view, part_of)
        if failures:
            plan = with_failures(plan, failures, instance=instance, now=self._now())
        else:
            await self._prune(plan.prunes)
        holding = plan.waiting_on()
        await self._transitions.observe(
            instance, plan.status, apply_failed=bool(failures), waiting_on=holding.id if holding else ""
        )
        changed = await self._write_status(instance, plan.status)
        counts: dict[str, int] = {}
        for report in plan.nodes.values():
            counts[report.state.value] = counts.get(report.state.value, 0) + 1
        self._metrics.record_nodes(self.gvr.resource, key, counts)
        if failures:  # the status says what failed; retry with backoff (RBAC, webhooks, quotas change)
            raise ApplyFailed(failures)
        return self._paced(key, plan.outcome, changed=changed)

    def _paced(self, key: str, outcome: Outcome, *, changed: bool) -> Outcome:
        """A converging instance is looked at again after the requeue interval, doubled for every
        look in a row that changed nothing (up to 8 times the interval): a watch event on what it
        waits for brings it back at once anyway, and a burst of waiting instances does not spend
        the controller on looks that find nothing new."""
        if not isinstance(outcome, Requeue):
            self._quiet_looks.pop(key, None)
            return outcome
        looks = 0 if changed else self._quiet_looks.get(key, 0)
        self._quiet_looks[key] = looks + 1
        return Requeue(after=outcome.after * min(2**looks, _MAX_BACKOFF))

    async def _plan_and_apply(self, instance: Obj, view: CacheView, part_of: str) -> tuple[Plan, dict[str, str]]:
        def plan() -> Plan:
            return plan_instance(
                self.graph, instance, view, kro_version=self._settings.kro_version, now=self._now(),
                settings=self._settings.plan, part_of=part_of,
            )  # fmt: skip

        return await self.plan_and_apply(instance, view, plan, part_of=part_of)

    async def plan_and_apply(
        self, instance: Obj, view: CacheView, plan: Callable[[], Plan], *, part_of: str | None = None
    ) -> tuple[Plan, dict[str, str]]:
        """Plan, apply, and plan again on what the server answered, while that lets more children
        be applied (each at most once per reconcile; at most one pass per node). ``plan`` plans
        from ``view`` (a ResourceGraph's root controller passes its own, with the root's labels);
        ``part_of``: the instance's ApplySet id, when the caller has it."""
        applied: set[str] = set()
        part_of = part_of or instance_applyset_id(instance, self.graph.instance_gvk)
        meta = instance.get("metadata") or {}
        reader = (str(meta.get("namespace") or ""), str(meta.get("name", "")))
        for _ in range(len(self.graph.nodes) + 1):
            current = plan()
            # before any await: an event on what the plan read finds the instance from here on
            self.external_readers.record(reader, self._resolved(current.external_reads))
            failures, wrote = await self._apply(current, view, instance, skip=applied, part_of=part_of)
            if failures or not wrote:
                return current, failures
            applied |= wrote
        return current, failures

    def _resolved(self, reads: tuple[ExternalRead, ...]) -> list[tuple[GVR, ExternalRead]]:
        out: list[tuple[GVR, ExternalRead]] = []
        for read in reads:
            gvr = self._resources.get((read.gvk.group, read.gvk.kind))
            if gvr is not None:
                out.append((gvr, read))
        return out

    # ---- applying ----

    async def prune(self, plan: Plan) -> None:
        await self._prune(plan.prunes)

    async def delete(self, removal: Removal) -> None:
        await self._delete(removal)

    async def _apply(
        self, plan: Plan, view: CacheView, instance: Obj, *, skip: set[str], part_of: str
    ) -> tuple[dict[str, str], set[str]]:
        """Apply the plan's waves (leaving out objects in ``skip``, applied already in this
        reconcile); the failures by node, and the objects written."""
        failures: dict[str, str] = {}
        wrote: set[str] = set()
        meta = instance.get("metadata") or {}
        instance_key = f"{meta.get('namespace') or ''}/{meta.get('name', '')}"
        for wave in plan.applies:
            todo = [d for d in wave if str(d.ref) not in skip]
            # whether each object holds already (or may not be written) is decided at once: only
            # the writes go out, concurrently
            checked = [self._check(d, view, part_of) for d in todo]
            writes = [i for i, (verdict, _) in enumerate(checked) if verdict is None]
            answers = iter(await asyncio.gather(
                *(self._write(todo[i], checked[i][1], instance_key=instance_key) for i in writes),
                return_exceptions=True,
            ) if writes else [])  # fmt: skip
            for desired, (verdict, _) in zip(todo, checked, strict=True):
                result = next(answers) if verdict is None else verdict
                if isinstance(result, ApiError):
                    failures.setdefault(desired.node_id, f"applying {desired.ref}: {result}")
                elif isinstance(result, BaseException):
                    raise result
                elif result is True:
                    wrote.add(str(desired.ref))
                elif isinstance(result, str):
                    failures.setdefault(desired.node_id, result)
        return failures, wrote

    def _check(self, desired: DesiredObject, view: CacheView, part_of: str) -> tuple[str | bool | None, Obj | None]:
        """The cached object, and ``False`` when it holds it all, why it may not be written, or ``None``."""
        ref = desired.ref
        current = view.get(desired.gvk, ref.namespace, ref.name)
        if current is not None:
            theirs = ((current.get("metadata") or {}).get("labels") or {}).get(Labels.APPLYSET_PART_OF)
            if theirs and theirs != part_of:
                return f"{ref} already belongs to another instance ({Labels.APPLYSET_PART_OF}={theirs})", current
            if holds_object(desired.gvk, current, desired.body):
                self._metrics.writes.labels("apply-skipped").inc()
                return False, current
        return None, current

    async def _write(self, desired: DesiredObject, current: Obj | None, *, instance_key: str) -> bool:
        """Server-side apply ``desired`` (``current``: the object as cached, if any); ``True``."""
        ref = desired.ref
        gvr = GVR(desired.gvk.group, desired.gvk.version, desired.plural)
        answer = await self._writer.apply(gvr, desired.body, field_manager=FieldManagers.APPLYSET, force=True)
        self._remember(gvr, answer)
        self._metrics.writes.labels("apply").inc()
        # a skipped apply is silent; a write is a change worth a line (creation, or a repair of drift
        # / a new desired state)
        log.info(
            "%s %s (node %s)", "updated" if current is not None else "created", ref, desired.node_id,
            extra={"instance": instance_key, "node": desired.node_id, "object": str(ref)},
        )  # fmt: skip
        return True

    async def _prune(self, waves: tuple[tuple[Removal, ...], ...]) -> None:
        for wave in waves:
            await asyncio.gather(*(self._delete(r) for r in wave))

    async def _delete(self, removal: Removal) -> None:
        gvr = self._resources.get((removal.ref.gvk.group, removal.ref.gvk.kind))
        if gvr is None:
            log.warning("cannot delete %s: its resource is unknown", removal.ref)
            return
        log.info("pruning %s: %s", removal.ref, removal.reason, extra={"object": str(removal.ref)})
        await self._writer.delete(gvr, removal.ref.name, namespace=removal.ref.namespace, uid=removal.uid)
        if self._overlay is not None:
            self._overlay.forget(gvr, removal.ref.namespace or "", removal.ref.name)
        self._metrics.writes.labels("delete").inc()

    # ---- the instance itself ----

    async def _ensure_managed(self, instance: Obj, part_of: str) -> Obj:
        """Finalizer, kro's labels and the ApplySet parent metadata on the instance, written with
        the labeller's server-side apply only when something is missing; the instance as it now is."""
        meta = instance.get("metadata") or {}
        labels = instance_labels(
            rgd_name=self.graph.rgd_name, rgd_uid=self._rgd_uid, kro_version=self._settings.kro_version
        )
        kinds = [n.gvk for n in self.graph.nodes.values() if not n.is_external]
        parent_labels, annotations = applyset_parent_metadata(
            instance, self.graph.instance_gvk, group_kinds=kinds, kro_version=self._settings.kro_version,
            applyset=part_of,
        )  # fmt: skip
        labels.update(parent_labels)
        have_labels = meta.get("labels") or {}
        have_annotations = meta.get("annotations") or {}
        if (
            Finalizers.KRO in (meta.get("finalizers") or [])
            and all(have_labels.get(k) == v for k, v in labels.items())
            and all(have_annotations.get(k) == v for k, v in annotations.items())
        ):
            return instance
        body = {
            "apiVersion": instance.get("apiVersion"),
            "kind": instance.get("kind"),
            "metadata": {
                "name": meta.get("name"),
                **({"namespace": meta["namespace"]} if meta.get("namespace") else {}),
                "labels": labels,
                "annotations": annotations,
                "finalizers": [Finalizers.KRO],
            },
        }
        answer = await self._writer.apply(self.gvr, body, field_manager=FieldManagers.LABELLER, force=True)
        self._remember(self.gvr, answer, own=True)
        return answer

    async def _write_status(self, instance: Obj, status: Obj) -> bool:
        """Write ``status`` if a user would see a difference (:func:`status_patch`); whether it did."""
        if self.revision is not None:
            status = with_revision(status, self.revision, instance=instance, now=self._now())
            await self._tell_held_back(instance, self.revision)
        patch = status_patch(instance.get("status") or {}, status)
        if patch is None:
            return False
        meta = instance.get("metadata") or {}
        answer = await self._writer.merge_patch(
            self.gvr,
            meta.get("name", ""),
            {"status": patch},
            namespace=meta.get("namespace") or "",
            status=True,
        )
        self._remember(self.gvr, answer, own=True)
        return True

    def _remember(self, gvr: GVR, answer: Obj, *, own: bool = False) -> None:
        """``own``: the instance itself, written by this reconciler (its labels, its status)."""
        if self._overlay is not None:
            self._overlay.record(gvr, answer, own=own)

    def _newest(self, namespace: str, name: str, cached: Obj) -> Obj | None:
        if self._overlay is None:
            return cached
        return self._overlay.newest(self.gvr, namespace, name, cached)

    async def _tell_held_back(self, instance: Obj, revision: ServedRevision) -> None:
        """One Warning Event (and log line) when the instance starts running an older revision than
        its RGD's newest."""
        if revision.current or previously_current(instance) is False:
            return
        message = revision.condition().message
        meta = instance.get("metadata") or {}
        log.warning(
            "%s %s/%s: %s", instance.get("kind"), meta.get("namespace"), meta.get("name"), message,
            extra={"rgd": revision.rgd_name, "revision": revision.number},
        )  # fmt: skip
        await self._events.warning(instance, reason=str(revision.held_back), message=message)

    async def _finalize(self, instance: Obj, view: CacheView) -> Outcome:
        meta = instance.get("metadata") or {}
        finalizers = list(meta.get("finalizers") or [])
        if Finalizers.KRO not in finalizers:
            return Done()
        step = plan_deletion(instance, view, now=self._now(), requeue_after=self._settings.deletion_requeue)
        await asyncio.gather(*(self._delete(r) for r in step.wave))
        if not step.finished:
            await self._transitions.observe(instance, step.status)
            await self._write_status(instance, step.status)
            return step.outcome
        if await remove_finalizer(self._writer, self.gvr, instance):
            log.info(
                "%s %s/%s: every resource is deleted; the instance is released",
                self.graph.instance_gvk.kind, meta.get("namespace"), meta.get("name"),
            )  # fmt: skip
        self._transitions.forget(str(meta.get("namespace") or ""), str(meta.get("name", "")))
        self._metrics.record_nodes(self.gvr.resource, f"{meta.get('namespace', '')}/{meta.get('name')}", None)
        return Done()


def status_patch(old: Obj, new: Obj) -> dict[str, Any] | None:
    """The merge patch that turns status ``old`` into ``new`` (fields ``new`` drops set to null),
    or ``None`` when they are equal: nothing a user would see changes, so nothing is written."""
    if old == new:
        return None
    return {**{k: None for k in old if k not in new}, **new}


def _suspended(instance: Obj) -> bool:
    value = ((instance.get("metadata") or {}).get("annotations") or {}).get(Annotations.RECONCILE)
    return value in (Annotations.RECONCILE_SUSPENDED, Annotations.RECONCILE_DISABLED_LEGACY)
