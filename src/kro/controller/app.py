"""Wiring the controller process: the manager, the RGD controller, the HTTP endpoints, leader
election and graceful shutdown.

:func:`run_controller` is the async entry point both ``kro controller`` and ``kro dev`` use: it runs
until ``stop_event`` is set (``kro controller`` sets it on SIGTERM/SIGINT), then stops taking work,
lets in-flight reconciles finish and stops every informer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry

from kro import __version__
from kro.api.crdgen import graph_revision_crd, resourcegraph_crd
from kro.api.features import DEFAULT_GATES, INSTANCE_CONDITION_EVENTS, FeatureGates
from kro.api.refs import GVK
from kro.controller import web
from kro.controller.crds import CRDS, install_crd, install_rgd_crd
from kro.controller.events import EventRecorder
from kro.controller.instance_controller import InstanceSettings
from kro.controller.kubeports import KubeInformers, KubeWriter, run_while_leader
from kro.controller.manager import Manager
from kro.controller.metrics import Metrics
from kro.controller.reconcile import Key
from kro.controller.resourcegraphs import RGS, ResourceGraphController
from kro.controller.rgd_controller import RGDS, RGDController, RGDSettings
from kro.graph.builder import compile_rgd
from kro.graph.model import Graph
from kro.graph.resourcegraph import CompiledResourceGraph, compile_resourcegraph
from kro.kube.errors import KubeError
from kro.kube.leaderelection import LeaderElectionConfig
from kro.kube.schemas import LiveSchemaResolver
from kro.kube.stats import RequestStats
from kro.openapi import BuiltinResolver, ChainResolver, CRDResolver
from kro.runtime.foreach import CollectionLimits
from kro.runtime.planner import PlanSettings

log = logging.getLogger(__name__)
KRO_VERSION = __version__


@dataclass(frozen=True)
class ControllerSettings:
    leader_elect: bool = False
    leader_election_namespace: str = "kro-system"
    leader_election_id: str = "controller.kro.run"
    leader_election_identity: str = ""
    """Empty: ``<hostname>_<uuid>``."""
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0
    metrics_bind_address: str = ":8078"
    health_probe_bind_address: str = ":8079"
    allow_crd_deletion: bool = False
    concurrent_reconciles: int = 16
    """Reconciles in flight. Each mostly waits on the API server, so enough of them that the server,
    not the controller, saturates first (upstream kro's default is 1)."""
    requeue_interval: float = 3.0
    max_collection_size: int = 1000
    max_collection_dimensions: int = 10
    graceful_shutdown_timeout: float = 60.0
    feature_gates: FeatureGates = DEFAULT_GATES
    """``--feature-gates``: ask ``settings.feature_gates.enabled(INSTANCE_CONDITION_EVENTS)``."""
    max_graph_revisions: int = 5


class _SecondClock:
    """The current time as RFC 3339 to the second (``2024-05-01T12:00:00Z``), formatted once per
    second: reconciles ask for it many times a second."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def __call__(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            self._second = second
        return self._text


_now = _SecondClock()


def referenced_kinds(rgd: Mapping[str, Any], *, key: str = "resources") -> list[GVK]:
    """The kinds an RGD's resources name (templates and external references); ``key="children"``:
    a ResourceGraph's managed children, and its root and tracked children when they give a version."""
    out: list[GVK] = []
    spec = rgd.get("spec") or {}
    for ref in [spec.get("root"), *(spec.get(key) or [])] if key == "children" else []:
        if isinstance(ref, Mapping) and all(isinstance(ref.get(k), str) for k in ("kind", "version")):
            out.append(GVK(str(ref.get("apiGroup") or ""), ref["version"], ref["kind"]))
    for resource in spec.get(key) or []:
        if not isinstance(resource, Mapping):
            continue
        body = resource.get("template") or resource.get("externalRef") or {}
        if (
            isinstance(body, Mapping)
            and isinstance(body.get("apiVersion"), str)
            and isinstance(body.get("kind"), str)
        ):
            out.append(GVK.from_api_version(body["apiVersion"], body["kind"]))
    return out


class Controller:
    """The running pieces, exposed for ``kro dev`` and tests (``metrics``, ``manager``, ``ready``)."""

    def __init__(
        self, settings: ControllerSettings, *, client: Any, registry: CollectorRegistry | None = None
    ) -> None:
        self.settings = settings
        self.metrics = Metrics(registry or CollectorRegistry())
        if isinstance(stats := getattr(client, "stats", None), RequestStats):
            self.metrics.watch_client(stats)
        writer = KubeWriter(client)
        self._writer = writer
        self.client = client
        self._informers = KubeInformers(client)
        self._builtin = BuiltinResolver()
        self._live = LiveSchemaResolver(client)
        events = EventRecorder(
            writer, now=lambda: datetime.now(UTC), instance=settings.leader_election_identity
        )
        self.manager = Manager(
            informers=self._informers,
            writer=writer,
            metrics=self.metrics,
            events=events,
            instance_settings=InstanceSettings(
                kro_version=KRO_VERSION,
                plan=PlanSettings(
                    limits=CollectionLimits(settings.max_collection_size, settings.max_collection_dimensions),
                    requeue_after=settings.requeue_interval,
                ),
                transition_events=settings.feature_gates.enabled(INSTANCE_CONDITION_EVENTS),
            ),
            now=_now,
        )
        self.rgds = RGDController(
            writer=writer,
            caches=self.manager,
            registry=self.manager,
            compile=self._compile,
            events=events,
            settings=RGDSettings(
                allow_crd_deletion=settings.allow_crd_deletion,
                max_graph_revisions=settings.max_graph_revisions,
                kro_version=KRO_VERSION,
            ),
            now=_now,
        )
        self.resourcegraphs = ResourceGraphController(
            manager=self.manager,
            compile=self._compile_resourcegraph,
            events=events,
            metrics=self.metrics,
            settings=self.manager.instance_settings,
            now=_now,
        )
        self.ready = False

    async def _compile_resourcegraph(self, rg: Mapping[str, Any]) -> CompiledResourceGraph:
        """Like :meth:`_compile`: the cluster's CRDs (the root kind's among them), built-ins, and
        the server's ``/openapi/v3`` for the kinds neither knows."""
        resolver = await self._resolver(referenced_kinds(rg, key="children"))
        return compile_resourcegraph(rg, resolver=resolver, features=self.settings.feature_gates)

    async def _resolver(self, kinds: list[GVK]) -> ChainResolver:
        store = self.manager.store(CRDS)
        crds = CRDResolver(list(store.items()) if store is not None else [])
        unknown = [gvk for gvk in kinds if crds.resolve(gvk) is None and self._builtin.resolve(gvk) is None]
        if unknown:
            try:
                await self._live.load(unknown)
            except KubeError as e:
                log.warning("could not read the server's schemas for %s: %s", ", ".join(map(str, unknown)), e)
        return ChainResolver([crds, self._builtin, self._live])

    async def _compile(self, rgd: Mapping[str, Any]) -> Graph:
        """Compile against the cluster's CRDs (the CRD informer's cache), the built-in kinds, and,
        for kinds neither knows (aggregated APIs), the server's ``/openapi/v3``."""
        resolver = await self._resolver(referenced_kinds(rgd))
        return compile_rgd(
            rgd, resolver=resolver, kro_version=KRO_VERSION, features=self.settings.feature_gates
        )

    async def start(self) -> None:
        """Watch CRDs (schemas for the compiler, and a changed CRD re-queues RGDs) and RGDs."""
        await install_rgd_crd(self._writer)
        await install_crd(self._writer, graph_revision_crd())
        await install_crd(self._writer, resourcegraph_crd())
        await self.manager.watch(CRDS, owner="kro")
        # a CRD appeared, changed or went away: an RGD may now compile (a chained RGD's kind) or
        # need its own CRD back
        self.manager.on_change(CRDS, lambda: self.manager.enqueue_all(RGDS))
        rgds = self.rgds

        async def reconcile_rgd(key: Key) -> Any:
            return await rgds.reconcile(key.name)

        await self.manager.handle(RGDS, reconcile_rgd, owner="kro", controller="rgd")
        graphs = self.resourcegraphs
        self.manager.on_change(CRDS, graphs.schemas_changed)

        async def reconcile_rg(key: Key) -> Any:
            return await graphs.reconcile(key.name)

        await self.manager.handle(RGS, reconcile_rg, owner="kro", controller="resourcegraph")
        self.ready = True

    async def run(self, stop_event: asyncio.Event) -> None:
        """Serve until ``stop_event`` (or cancellation, e.g. a lost Lease); then stop taking work,
        give in-flight reconciles ``graceful_shutdown_timeout`` and stop every informer."""
        workers: asyncio.Task[None] | None = None
        stopper = asyncio.create_task(stop_event.wait())
        try:
            await self.start()
            workers = asyncio.create_task(self.manager.run(workers=self.settings.concurrent_reconciles))
            await asyncio.wait({workers, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.ready = False
            stopper.cancel()
            await self.manager.stop()
            if workers is not None:
                with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(workers, self.settings.graceful_shutdown_timeout)
            await self._informers.shutdown()


async def run_controller(
    settings: ControllerSettings,
    *,
    client: Any,
    stop_event: asyncio.Event,
    registry: CollectorRegistry | None = None,
) -> None:
    """Run the controller against ``client`` (a :class:`kro.kube.KubeClient`) until ``stop_event``."""
    controller = Controller(settings, client=client, registry=registry)
    server = getattr(getattr(client, "config", None), "server", "?")
    log.info(
        "kro controller %s starting: API server %s, leader election %s",
        KRO_VERSION, server,
        f"on ({settings.leader_election_namespace}/{settings.leader_election_id})"
        if settings.leader_elect else "off",
        extra={"version": KRO_VERSION, "server": server, "leader_elect": settings.leader_elect},
    )  # fmt: skip
    runners = [
        await web.serve(web.metrics_app(controller.metrics.registry), settings.metrics_bind_address),
        await web.serve(web.health_app(ready=lambda: controller.ready), settings.health_probe_bind_address),
    ]
    try:
        if settings.leader_elect:
            election = LeaderElectionConfig(
                name=settings.leader_election_id,
                namespace=settings.leader_election_namespace,
                lease_duration=settings.lease_duration,
                renew_deadline=settings.renew_deadline,
                retry_period=settings.retry_period,
            )
            if settings.leader_election_identity:
                election = replace(election, identity=settings.leader_election_identity)
            await run_while_leader(client, election, controller.run, stop_event)
        else:
            await controller.run(stop_event)
    finally:
        for runner in runners:
            if runner is not None:
                await runner.cleanup()
