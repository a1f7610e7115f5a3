"""The local Kubernetes API server: configuration, lifecycle and request dispatch.

:class:`DevServer` wires the store, the registry of served types, the object service, the
controllers that run inside the server (CRDs, namespaces, and the optional garbage collector and
workload simulation) and the aiohttp application. It serves HTTPS with its own CA by default,
authenticates one bearer token, and writes a kubeconfig so ``kubectl`` works against it unchanged.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from kro.devcluster.admission import ValidatingPolicies, policy_object_admission
from kro.devcluster.cluster import BackgroundLoop, Cluster
from kro.devcluster.crds import CRDController, crd_admission
from kro.devcluster.kubeconfig import write_kubeconfig
from kro.devcluster.logs import LogSource, PodLogs, ProcessPod, publish_process_pod
from kro.devcluster.namespaces import NamespaceLifecycle, ensure_initial_namespaces, run_namespace_controller
from kro.devcluster.objects import ObjectService
from kro.devcluster.podadmission import PodAdmission, ensure_system_priority_classes
from kro.devcluster.registry import Registry
from kro.devcluster.rest.handlers import ResourceHandler
from kro.devcluster.rest.inflight import InflightLimiter
from kro.devcluster.rest.openapi import OpenAPIDocuments
from kro.devcluster.rest.patching import patch_handler
from kro.devcluster.rest.routes import Router
from kro.devcluster.schemas import SchemaSource
from kro.devcluster.serviceaccounts import account_controller, ensure_kubernetes_service, sync_namespaces
from kro.devcluster.services import ServiceAllocation
from kro.devcluster.simulation import SimulationSettings, simulation_loop
from kro.devcluster.storage import MemoryStore, SQLiteStore, Store
from kro.devcluster.tls import ServingCerts, ensure_certs

log = logging.getLogger("kro.devcluster")

# Optional loops other modules of this package provide: config flag -> (module, coroutine function).
OPTIONAL_LOOPS: dict[str, tuple[str, str]] = {
    "garbage_collection": ("kro.devcluster.gc", "run_garbage_collector"),
    "simulation": ("kro.devcluster.simulation", "run_simulation"),
}


@dataclass
class DevServerConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0: pick a free port
    state_dir: Path | None = None  # None: in-memory store, files in a temporary directory
    tls: bool = True
    token: str | None = None  # None: generate one (kept across restarts in state_dir)
    kubeconfig_path: Path | None = None  # None: <state dir>/kubeconfig
    bookmark_interval: float = 60.0  # kube-apiserver sends a watch BOOKMARK about every minute
    max_watch_seconds: float = 1800.0
    watch_window: int = 10_000
    # Requests without credentials act as the admin. None: only over plain HTTP, where kubectl does
    # not send bearer tokens (a wrong token is refused either way).
    allow_anonymous: bool | None = None
    garbage_collection: bool = True
    simulation: bool = False
    # The simulation's seconds from a pod's appearance to Running and Ready (a Job's: Succeeded).
    pod_ready_delay: float = 2.0
    background: tuple[BackgroundLoop, ...] = field(default_factory=tuple)
    # Load shedding (kube-apiserver's --max-requests-inflight / --max-mutating-requests-inflight):
    # requests served at once before a 429; 0: no limit.
    max_requests_inflight: int = 0
    max_mutating_requests_inflight: int = 0


class DevServer:
    def __init__(self, config: DevServerConfig | None = None) -> None:
        self.config = config or DevServerConfig()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._certs: ServingCerts | None = None
        self._url = ""
        self.token = ""
        self.registry = Registry()
        self.store: Store = (
            SQLiteStore(self.config.state_dir, window=self.config.watch_window)
            if self.config.state_dir is not None
            else MemoryStore(window=self.config.watch_window)
        )
        self.objects = ObjectService(self.store, SchemaSource())
        self.objects.mutating += [NamespaceLifecycle(self.store), PodAdmission(self.store)]
        self.objects.admission += [crd_admission, ServiceAllocation(self.store), policy_object_admission]
        self.objects.policies = ValidatingPolicies(self.store, self.registry)
        self.cluster = Cluster(self.store, self.registry, self.objects)
        self.logs = PodLogs()
        self.inflight = InflightLimiter(
            self.config.max_requests_inflight, self.config.max_mutating_requests_inflight
        )

    # Properties for clients --------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self._url

    @property
    def ca_file(self) -> Path | None:
        return self._certs.ca_file if self._certs else None

    @property
    def state_dir(self) -> Path:
        if self.config.state_dir is not None:
            return self.config.state_dir
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="kro-dev-")
        return Path(self._tmp.name)

    @property
    def kubeconfig_path(self) -> Path:
        return self.config.kubeconfig_path or self.state_dir / "kubeconfig"

    # Lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        cfg = self.config
        await self.store.start()
        self.token = cfg.token or self._load_or_make_token()
        crds = CRDController(self.cluster)
        await crds.load()
        await ensure_initial_namespaces(self.cluster)
        await ensure_system_priority_classes(self.objects, self.registry)
        if cfg.tls:
            self._certs = ensure_certs(self.state_dir / "pki", (cfg.host, "localhost", "127.0.0.1"))
        root_ca = self._certs.ca_file.read_text() if self._certs is not None else ""
        await sync_namespaces(self.cluster, root_ca)  # as a fresh cluster is when a user gets it
        loops: list[BackgroundLoop] = [lambda _c: crds.run(), run_namespace_controller, account_controller(root_ca)]
        loops += self._optional_loops()
        loops += list(cfg.background)
        for loop in loops:
            self._tasks.append(asyncio.create_task(self._supervise(loop), name=f"kro-devcluster-{getattr(loop, '__name__', 'loop')}"))
        app = self._app()
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        ssl_ctx = self._certs.server_context() if self._certs is not None else None
        site = web.TCPSite(self._runner, cfg.host, cfg.port, ssl_context=ssl_ctx)
        await site.start()
        port = self._bound_port(site)
        self._url = f"{'https' if cfg.tls else 'http'}://{cfg.host}:{port}"
        await ensure_kubernetes_service(self.cluster, port)
        write_kubeconfig(self.kubeconfig_path, self._url, self.token, ca_file=self.ca_file)

    def _optional_loops(self) -> list[BackgroundLoop]:
        loops: list[BackgroundLoop] = []
        for flag, (module_name, attr) in OPTIONAL_LOOPS.items():
            if not getattr(self.config, flag):
                continue
            try:
                fn = getattr(importlib.import_module(module_name), attr)
            except (ImportError, AttributeError):
                log.warning("%s is enabled but %s.%s is not available", flag, module_name, attr)
                continue
            if flag == "simulation":
                fn = simulation_loop(SimulationSettings(ready_delay=self.config.pod_ready_delay))
            if flag == "garbage_collection":
                # Foreground/orphan deletion add finalizers only the garbage collector removes.
                self.objects.dependents_finalizers = True
            loops.append(fn)
        return loops

    async def _supervise(self, loop: BackgroundLoop) -> None:
        """Run a background loop; restart it after a crash so one bug cannot stop the server."""
        while True:
            try:
                await loop(self.cluster)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background loop %s failed; restarting", getattr(loop, "__name__", loop))
                await asyncio.sleep(0.5)

    @staticmethod
    def _bound_port(site: web.TCPSite) -> int:
        server: Any = site._server  # aiohttp exposes the bound sockets only here
        sockets = getattr(server, "sockets", None) or []
        return int(sockets[0].getsockname()[1])

    def _load_or_make_token(self) -> str:
        path = self.state_dir / "token"
        if self.config.state_dir is not None and path.exists():
            return path.read_text().strip()
        token = secrets.token_urlsafe(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(token)
        path.chmod(0o600)
        return token

    def _app(self) -> web.Application:
        handler = ResourceHandler(
            self.registry,
            self.objects,
            bookmark_interval=self.config.bookmark_interval,
            max_watch_seconds=self.config.max_watch_seconds,
            patcher=patch_handler(self.objects),
            logs=self.logs,
        )
        anonymous = self.config.allow_anonymous if self.config.allow_anonymous is not None else not self.config.tls
        router = Router(self.registry, handler, OpenAPIDocuments(self.registry), token_ref=lambda: self.token, anonymous=anonymous, inflight=self.inflight)
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", router.dispatch)
        return app

    async def publish_process_pod(self, pod: ProcessPod, source: LogSource) -> str:
        """Show a process as a Running pod whose ``log`` subresource serves ``source``."""
        return await publish_process_pod(self.cluster, self.logs, pod, source)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            # A loop that swallows cancellation must not keep the server from stopping.
            _, stuck = await asyncio.wait(self._tasks, timeout=5.0)
            for task in stuck:
                log.warning("background loop %s did not stop within 5s", task.get_name())
        self._tasks.clear()
        self.store.close_watches()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.store.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    async def __aenter__(self) -> DevServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
