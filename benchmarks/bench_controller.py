"""The controller at scale: ``python benchmarks/bench_controller.py --instances 100,500,2000 --runs 3``.

Per run and size N, two fresh OS processes:

- the local API server, exactly as a user starts it: ``kro dev --no-controller --insecure-http
  --state-dir <tmp> --port <free>`` (durable on SQLite, workload simulation on: a StatefulSet's pod
  is Ready 2 s after it appears, or ``--pod-ready-delay`` seconds);
- the controller: :func:`kro.controller.app.run_controller` with ``kro controller``'s **default**
  settings and client limits (unless overridden with ``--concurrent-reconciles``/``--qps``/``--burst``),
  started by this file's ``controller`` sub-command. Requests are counted **on the controller's
  side**, every request it sends (reads, lists, watches, writes), by verb and by resource, from its
  ``/metrics`` (``kro_client_requests_total{verb}``, ``kro_client_resource_requests_total{verb,resource}``
  where the controller publishes it).

Phases, all against the same server:

1. **Rollout**: the Redis RGD of ``examples/redis`` is applied and awaited ``Active``; N Redis
   instances are created at once (32 concurrent connections, spread round-robin over
   ``--namespaces K``); the clock runs from the first create until every instance reports
   ``status.state == ACTIVE`` (one cluster-wide watch): ``t50`` and ``t100`` are when half and all of
   them were first seen ACTIVE. Requests and writes per instance, the controller's CPU seconds
   (``/proc/<pid>/stat``) and peak RSS (``VmHWM``), the server's CPU seconds.
2. **Idle**: ``--idle`` seconds with N ACTIVE instances: requests, writes and reconciles (goal: 0).
3. **Restart**: the controller is stopped (SIGTERM) and started again: the time until it has
   reconciled all N instances (``kro_reconcile_total`` of the instance controller, polled every
   50 ms: every instance back under watch) and its writes until 3 s after that (goal: 0).
4. **Write floor**, with the controller stopped: N Redis instances are created in another namespace
   (not timed); then a plain client with as many connections as the controller has workers makes,
   per instance, the writes the Redis example needs at least (create a ConfigMap, a StatefulSet, two
   Services, and patch the instance's status once): the time that takes is the floor, and
   ``ratio = t100 / floor``.
5. **Ready floor**, the same in a third namespace, except that each instance's status is written
   when its StatefulSet reports a ready replica (a watch on the namespace's StatefulSets), since
   that is what the status says: the floor for a client that does the example's job with its
   least writes, pod readiness included. ``ratio_all_active_to_ready_floor = t100 / ready floor``,
   and ``ready_floor_t50_over_t100``: when half the statuses were written over when all were (the
   rollout's ``t50_over_t100`` for a client that takes the instances in order and waits on nothing
   but the pods).

Each figure is the median over runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_of_runs, proc_memory_mib

ROOT = Path(__file__).resolve().parents[1]
KRO = Path(sys.executable).parent / "kro"
CLK_TCK = os.sysconf("SC_CLK_TCK")
RGDS = "/apis/kro.run/v1alpha1/resourcegraphdefinitions"
REDIS = "/apis/kro.run/v1alpha1/redis"  # every namespace
WRITE_VERBS = ("create", "update", "patch", "apply", "delete", "deletecollection")
CREATE_CONNECTIONS = 32


def controller_defaults() -> tuple[int, float, int]:
    """``kro controller``'s defaults in the code under test: workers, client qps and burst."""
    from kro.controller.app import ControllerSettings
    from kro.kube.config import DEFAULT_BURST, DEFAULT_QPS

    return ControllerSettings().concurrent_reconciles, DEFAULT_QPS, DEFAULT_BURST


# The controller process -------------------------------------------------------------------------


async def serve_controller(args: argparse.Namespace) -> None:
    from kro.cli.cmd_controller import configure_logging
    from kro.controller.app import ControllerSettings, run_controller
    from kro.kube import KubeClient
    from kro.kube.config import ClusterConfig

    configure_logging("text", "warning")
    settings = ControllerSettings(
        metrics_bind_address=f"127.0.0.1:{args.metrics_port}",
        health_probe_bind_address="0",
        concurrent_reconciles=args.concurrent_reconciles,
    )
    config = ClusterConfig.load(args.kubeconfig, qps=args.qps, burst=args.burst)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with KubeClient(config) as client:
        await run_controller(settings, client=client, stop_event=stop)


# Processes seen from the benchmark ----------------------------------------------------------------


def pod_ready_delay(args: argparse.Namespace) -> list[str]:
    """``kro dev``'s option for the simulated pods' readiness, when the benchmark sets one."""
    return [] if args.pod_ready_delay is None else ["--pod-ready-delay", str(args.pod_ready_delay)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """utime + stime of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class Process:
    """A child process with its output in a log file; stopped with SIGTERM, killed if it lingers."""

    def __init__(self, argv: list[str], log: Path) -> None:
        self.log_path = log
        with log.open("ab") as out:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(
                f"{self.log_path.name} exited with {self.proc.returncode}:\n{self.log_path.read_text()}"
            )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Api:
    """The benchmark's own HTTP client to the server (bearer token from the kubeconfig)."""

    def __init__(self, kubeconfig: Path, session: aiohttp.ClientSession) -> None:
        doc = yaml.safe_load(kubeconfig.read_text())
        self.url: str = doc["clusters"][0]["cluster"]["server"]
        self.headers = {"Authorization": f"Bearer {doc['users'][0]['user']['token']}"}
        self.session = session

    async def call(
        self, method: str, path: str, body: Any = None, *, content_type: str = "application/json"
    ) -> tuple[int, Any]:
        headers = {**self.headers, "Content-Type": content_type}
        data = json.dumps(body).encode() if body is not None else None
        async with self.session.request(method, self.url + path, data=data, headers=headers) as resp:
            raw = await resp.read()
            return resp.status, json.loads(raw) if raw else None


async def until(check: Any, *, timeout: float, what: str, interval: float = 0.25) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(aiohttp.ClientError, OSError):
            if result := await check():
                return result
        await asyncio.sleep(interval)
    raise TimeoutError(f"{what} not reached within {timeout:.0f}s")


async def scrape(session: aiohttp.ClientSession, port: int) -> dict[str, float]:
    """The controller's request counters (``requests``, ``writes``, per verb, per ``verb resource``)
    and its reconciles (all, and ``instance_reconciles``: the Redis instance controller's)."""
    async with session.get(f"http://127.0.0.1:{port}/metrics") as resp:
        text = await resp.text()
    out: dict[str, float] = {"requests": 0.0, "writes": 0.0, "reconciles": 0.0, "instance_reconciles": 0.0}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "kro_client_requests_total":
                verb = sample.labels["verb"]
                out[verb] = out.get(verb, 0.0) + sample.value
                out["requests"] += sample.value
            elif sample.name == "kro_client_resource_requests_total":
                key = f"{sample.labels['verb']} {sample.labels['resource'] or '-'}"
                out[key] = out.get(key, 0.0) + sample.value
            elif sample.name == "kro_client_writes_total":
                out["writes"] = sample.value
            elif sample.name == "kro_reconcile_total":
                out["reconciles"] += sample.value
                if sample.labels.get("resource") == "redis":
                    out["instance_reconciles"] += sample.value
    return out


def delta(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    return {k: v - before.get(k, 0.0) for k, v in after.items()}


# Objects ------------------------------------------------------------------------------------------


def redis_instance(name: str, namespace: str) -> dict[str, Any]:
    body: dict[str, Any] = yaml.safe_load((ROOT / "examples/redis/instance.yaml").read_text())
    body["metadata"] = {"name": name, "namespace": namespace}
    return body


def minimal_children(name: str, namespace: str) -> list[tuple[str, dict[str, Any]]]:
    """The Redis example's four children, as small as the API server accepts them."""
    meta = {"name": name, "namespace": namespace}
    labels = {"app": name}
    port = [{"port": 6379}]
    return [
        ("/api/v1/namespaces/{ns}/configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {**meta, "name": f"{name}-config"}, "data": {"MAXMEMORY": "512mb"}}),
        ("/apis/apps/v1/namespaces/{ns}/statefulsets", {"apiVersion": "apps/v1", "kind": "StatefulSet",
         "metadata": meta, "spec": {"serviceName": f"{name}-headless", "selector": {"matchLabels": labels},
         "template": {"metadata": {"labels": labels},
                      "spec": {"containers": [{"name": "redis", "image": "redis:7-alpine"}]}}}}),
        ("/api/v1/namespaces/{ns}/services", {"apiVersion": "v1", "kind": "Service",
         "metadata": {**meta, "name": f"{name}-headless"},
         "spec": {"clusterIP": "None", "selector": labels, "ports": port}}),
        ("/api/v1/namespaces/{ns}/services", {"apiVersion": "v1", "kind": "Service", "metadata": meta,
         "spec": {"selector": labels, "ports": port}}),
    ]  # fmt: skip


def namespace_names(count: int, prefix: str = "bench") -> list[str]:
    return ["default"] if count == 1 and prefix == "bench" else [f"{prefix}-{i:03d}" for i in range(count)]


async def create_namespaces(api: Api, names: list[str]) -> None:
    for name in names:
        if name != "default":
            code, out = await api.call(
                "POST",
                "/api/v1/namespaces",
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
            )
            if code != 201:
                raise RuntimeError(f"creating namespace {name}: {code} {out}")


async def in_parallel(jobs: Iterable[Any], connections: int) -> None:
    """Await each job (a coroutine function of no arguments) with ``connections`` in flight."""
    pending = iter(list(jobs))

    async def worker() -> None:
        for job in pending:
            await job()

    await asyncio.gather(*(worker() for _ in range(connections)))


async def create_instances(api: Api, placed: Iterable[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """Create the instances; when each create was answered (``time.monotonic()``)."""
    created: dict[tuple[str, str], float] = {}

    def job(namespace: str, name: str) -> Any:
        async def run() -> None:
            path = f"/apis/kro.run/v1alpha1/namespaces/{namespace}/redis"
            code, out = await api.call("POST", path, redis_instance(name, namespace))
            if code != 201:
                raise RuntimeError(f"creating {namespace}/{name}: {code} {out}")
            created[(namespace, name)] = time.monotonic()

        return run

    await in_parallel((job(ns, name) for ns, name in placed), CREATE_CONNECTIONS)
    return created


async def server_revision(api: Api) -> int:
    """The server's current resourceVersion: every write anyone made moves it by one."""
    code, body = await api.call("GET", "/api/v1/namespaces?limit=1")
    assert code == 200, (code, body)
    return int(body["metadata"]["resourceVersion"])


async def wait_all_active(
    api: Api, n: int, controller: Process, timeout: float, t0: float
) -> dict[tuple[str, str], float]:
    """Follow the Redis instances of every namespace with one list and then a watch until ``n`` of
    them report ``status.state == ACTIVE``; the seconds since ``t0`` each was first seen ACTIVE."""
    deadline = time.monotonic() + timeout
    code, body = await api.call("GET", REDIS)
    assert code == 200, (code, body)
    active: dict[tuple[str, str], float] = {}

    def see(obj: dict[str, Any]) -> None:
        key = (obj["metadata"]["namespace"], obj["metadata"]["name"])
        if _state(obj) == "ACTIVE" and key not in active:
            active[key] = time.monotonic() - t0

    for obj in body["items"]:
        see(obj)

    def check() -> None:
        controller.check_alive()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{n} instances not ACTIVE within {timeout:.0f}s ({len(active)} are)")

    await watch_until(api, REDIS, body["metadata"]["resourceVersion"], see, lambda: len(active) >= n,
                      before_each=check, timeout_seconds=5)  # fmt: skip
    return active


async def watch_until(
    api: Api, path: str, rv: str, see: Any, done: Any, *, before_each: Any = None, timeout_seconds: int = 30
) -> None:
    """Watch ``path`` from ``rv``, calling ``see`` with every added or modified object, until
    ``done()``; each watch request ends after ``timeout_seconds`` and the next goes on from where it
    stopped (``before_each()``, if given, runs before each request and may raise)."""
    while not done():
        if before_each is not None:
            before_each()
        params = {"watch": "1", "resourceVersion": rv, "timeoutSeconds": str(timeout_seconds),
                  "allowWatchBookmarks": "true"}  # fmt: skip
        async with api.session.get(api.url + path, params=params, headers=api.headers) as resp:
            assert resp.status == 200, await resp.text()
            async for line in resp.content:
                event = json.loads(line)
                obj = event["object"]
                rv = obj["metadata"]["resourceVersion"]
                if event["type"] in ("ADDED", "MODIFIED"):
                    see(obj)
                if done():
                    break


def _state(obj: dict[str, Any]) -> str:
    return str((obj.get("status") or {}).get("state") or "")


# One run ----------------------------------------------------------------------------------------


class Run:
    """The server and controller processes of one run, and the benchmark's client to them."""

    def __init__(self, args: argparse.Namespace, root: Path, n: int) -> None:
        self.args, self.root, self.n = args, root, n
        self.kubeconfig = root / "state" / "kubeconfig"
        self.server = Process(
            [str(KRO), "dev", "--no-controller", "--insecure-http", "--state-dir", str(root / "state"),
             "--port", str(free_port()), *pod_ready_delay(args)],
            root / "server.log",
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not self.kubeconfig.exists() or "ready:" not in (root / "server.log").read_text():
            self.server.check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError(f"the server did not start:\n{(root / 'server.log').read_text()}")
            time.sleep(0.1)
        self.metrics_port = free_port()
        self.controller = self.start_controller()

    def start_controller(self) -> Process:
        a = self.args
        return Process(
            [sys.executable, __file__, "controller", "--kubeconfig", str(self.kubeconfig),
             "--metrics-port", str(self.metrics_port), "--concurrent-reconciles", str(a.concurrent_reconciles),
             "--qps", str(a.qps), "--burst", str(a.burst)],
            self.root / "controller.log",
        )  # fmt: skip

    def stop(self) -> None:
        self.controller.stop()
        self.server.stop()


async def measure(args: argparse.Namespace, root: Path, n: int) -> dict[str, Any]:
    run = Run(args, root, n)
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:
            api = Api(run.kubeconfig, session)
            await until(lambda: scrape(session, run.metrics_port), timeout=30, what="controller /metrics")

            async def rgds_served() -> bool:  # the controller installs the RGD CRD as it starts
                run.controller.check_alive()
                return (await api.call("GET", RGDS))[0] == 200

            await until(rgds_served, timeout=30, what="the ResourceGraphDefinition CRD served")
            rgd = yaml.safe_load((ROOT / "examples/redis/rgd.yaml").read_text())
            code, out = await api.call("POST", RGDS, rgd)
            assert code == 201, (code, out)

            async def rgd_active() -> bool:
                run.controller.check_alive()
                _, body = await api.call("GET", f"{RGDS}/redis")
                return bool((body.get("status") or {}).get("state") == "Active")

            await until(rgd_active, timeout=60, what="RGD redis Active")
            figures = await rollout_and_idle(args, api, session, run)
            figures.update(await restart(api, session, run))
            figures.update(await write_floor(api, run))
            figures["ratio_all_active_to_floor"] = round(figures["t100_s"] / figures["floor_s"], 2)
            figures.update(await ready_floor(api, run))
            figures["ratio_all_active_to_ready_floor"] = round(figures["t100_s"] / figures["ready_floor_s"], 2)
            return figures
    finally:
        run.stop()


async def rollout_and_idle(
    args: argparse.Namespace, api: Api, session: aiohttp.ClientSession, run: Run
) -> dict[str, Any]:
    n, server, controller, port = run.n, run.server, run.controller, run.metrics_port
    namespaces = namespace_names(args.namespaces)
    await create_namespaces(api, namespaces)
    placed = [(namespaces[i % len(namespaces)], f"cache-{i:04d}") for i in range(n)]
    before, ccpu0, scpu0 = await scrape(session, port), cpu_seconds(controller.pid), cpu_seconds(server.pid)
    rv0 = await server_revision(api)
    t0 = time.monotonic()
    created = await create_instances(api, placed)
    created_s = time.monotonic() - t0
    active = await wait_all_active(api, n, controller, args.timeout, t0)
    active_at = sorted(active.values())
    latency = sorted(t0 + active[key] - created[key] for key in active)  # create answered -> ACTIVE
    # first come, first done: of the first half created, the share among the first half ACTIVE
    half = max(1, n // 2)
    created_first = set(sorted(created, key=created.__getitem__)[:half])
    active_first = set(sorted(active, key=active.__getitem__)[:half])
    rollout = delta(await scrape(session, port), before)
    ccpu1, scpu1 = cpu_seconds(controller.pid), cpu_seconds(server.pid)
    server_writes = await server_revision(api) - rv0
    peak_mib = proc_memory_mib(controller.pid)["VmHWM"]
    server_peak_mib = proc_memory_mib(server.pid)["VmHWM"]  # since it started: the RGD, then the rollout

    idle_before = await scrape(session, port)
    await asyncio.sleep(args.idle)
    idle = delta(await scrape(session, port), idle_before)
    t50, t100 = active_at[(n + 1) // 2 - 1], active_at[-1]
    return {
        "instances": n,
        "workers": args.concurrent_reconciles,
        "create_s": round(created_s, 2),
        "t_first_s": round(active_at[0], 2),
        "t10_s": round(active_at[max(0, n // 10 - 1)], 2),
        "t50_s": round(t50, 2),
        "t100_s": round(t100, 2),
        "t50_over_t100": round(t50 / t100, 2),
        "first_half_done_first": round(len(created_first & active_first) / half, 3),
        "latency_p50_s": round(latency[(n + 1) // 2 - 1], 2),
        "latency_max_s": round(latency[-1], 2),
        "requests_per_instance": round(rollout["requests"] / n, 2),
        "writes_per_instance": round(rollout["writes"] / n, 2),
        **{  # by verb, and by "verb resource" where the controller publishes it
            f"per_instance {k}": round(v / n, 2)
            for k, v in sorted(rollout.items())
            if v and (k in (*WRITE_VERBS, "get", "list", "watch") or " " in k)
        },
        "reconciles_per_instance": round(rollout["reconciles"] / n, 2),
        "controller_cpu_s": round(ccpu1 - ccpu0, 2),
        "server_cpu_s": round(scpu1 - scpu0, 2),
        "server_writes_per_instance": round(server_writes / n, 2),
        "controller_peak_rss_mib": round(peak_mib, 1),
        "server_peak_rss_mib": round(server_peak_mib, 1),
        "idle_writes": idle["writes"],
        "idle_requests": idle["requests"],
        "idle_reconciles": idle["reconciles"],
    }


async def restart(api: Api, session: aiohttp.ClientSession, run: Run) -> dict[str, Any]:
    """Stop the controller, start it again: time until every instance was reconciled, and writes."""
    run.controller.stop()
    t0 = time.monotonic()
    run.controller = run.start_controller()

    async def all_seen() -> dict[str, float] | None:
        run.controller.check_alive()
        got = await scrape(session, run.metrics_port)
        return got if got["instance_reconciles"] >= run.n else None

    await until(all_seen, timeout=120, what="every instance reconciled after a restart", interval=0.05)
    back_s = time.monotonic() - t0
    cpu_s = cpu_seconds(run.controller.pid)  # start-up (imports, informers' lists) and every reconcile
    await asyncio.sleep(3)
    after = await scrape(session, run.metrics_port)
    return {
        "restart_all_reconciled_s": round(back_s, 2),
        "restart_cpu_s": round(cpu_s, 2),
        "restart_writes": after["writes"],
    }


async def write_floor(api: Api, run: Run) -> dict[str, Any]:
    """With the controller stopped: the time a plain client with as many connections as the
    controller has workers needs for the Redis example's minimal writes, for N instances."""
    run.controller.stop()
    namespace = "floor"
    await create_namespaces(api, [namespace])
    names = [f"floor-{i:04d}" for i in range(run.n)]
    await create_instances(api, [(namespace, name) for name in names])
    await settled(api, timeout=run.args.timeout)

    def job(name: str) -> Any:
        async def writes() -> None:
            for path, body in minimal_children(name, namespace):
                code, out = await api.call("POST", path.format(ns=namespace), body)
                assert code == 201, (code, out)
            status = {"status": {"state": "ACTIVE", "ready": True, "readyReplicas": 1}}
            path = f"/apis/kro.run/v1alpha1/namespaces/{namespace}/redis/{name}/status"
            code, out = await api.call("PATCH", path, status, content_type="application/merge-patch+json")
            assert code == 200, (code, out)

        return writes

    rv0, scpu0 = await server_revision(api), cpu_seconds(run.server.pid)
    t0 = time.monotonic()
    await in_parallel((job(name) for name in names), max(1, run.args.concurrent_reconciles))
    floor_s = time.monotonic() - t0
    scpu1, server_writes = cpu_seconds(run.server.pid), await server_revision(api) - rv0
    return {
        "floor_s": round(floor_s, 2),
        "floor_writes_per_instance": 5,
        "floor_server_cpu_s": round(scpu1 - scpu0, 2),
        "floor_server_writes_per_instance": round(server_writes / run.n, 2),
    }


async def settled(api: Api, *, timeout: float, quiet: float = 1.0) -> None:
    """Wait until nothing writes to the server for ``quiet`` seconds (what earlier phases set off in
    the workload simulation, and its Events, is done)."""
    deadline = time.monotonic() + timeout
    last, since = await server_revision(api), time.monotonic()
    while time.monotonic() - since < quiet:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the server still writes after {timeout:.0f}s")
        await asyncio.sleep(0.1)
        now = await server_revision(api)
        if now != last:
            last, since = now, time.monotonic()


async def ready_floor(api: Api, run: Run) -> dict[str, Any]:
    """With the controller stopped: the same minimal writes, but each instance's status is written
    once its StatefulSet reports a ready replica (what the status says), as a plain client that
    watches the StatefulSets would. Every request goes through as many connections as the controller
    has workers."""
    await settled(api, timeout=run.args.timeout)  # the write floor's workloads, their Events
    namespace = "floor-ready"
    await create_namespaces(api, [namespace])
    names = [f"ready-{i:04d}" for i in range(run.n)]
    await create_instances(api, [(namespace, name) for name in names])
    await settled(api, timeout=run.args.timeout)
    slots = asyncio.Semaphore(max(1, run.args.concurrent_reconciles))
    statefulsets = f"/apis/apps/v1/namespaces/{namespace}/statefulsets"
    code, body = await api.call("GET", statefulsets)
    assert code == 200, (code, body)
    rv = body["metadata"]["resourceVersion"]
    status_writes: list[asyncio.Task[None]] = []
    ready: set[str] = set()
    done_at: list[float] = []  # when each instance's status was written, from t0

    async def create_children(name: str) -> None:
        async with slots:
            for path, child in minimal_children(name, namespace):
                code, out = await api.call("POST", path.format(ns=namespace), child)
                assert code == 201, (code, out)

    async def write_status(name: str, ready_replicas: int) -> None:
        status = {"status": {"state": "ACTIVE", "ready": True, "readyReplicas": ready_replicas,
                             "endpoint": f"{name}.{namespace}.svc.cluster.local:6379"}}  # fmt: skip
        async with slots:
            path = f"/apis/kro.run/v1alpha1/namespaces/{namespace}/redis/{name}/status"
            code, out = await api.call("PATCH", path, status, content_type="application/merge-patch+json")
            assert code == 200, (code, out)
        done_at.append(time.monotonic() - t0)

    def see(obj: dict[str, Any]) -> None:
        name, replicas = obj["metadata"]["name"], (obj.get("status") or {}).get("readyReplicas") or 0
        if replicas >= 1 and name not in ready:
            ready.add(name)
            status_writes.append(asyncio.create_task(write_status(name, replicas)))

    rv0, scpu0 = await server_revision(api), cpu_seconds(run.server.pid)
    t0 = time.monotonic()
    watching = asyncio.create_task(watch_until(api, statefulsets, rv, see, lambda: len(ready) >= run.n))
    await asyncio.gather(*(create_children(name) for name in names))
    await asyncio.wait_for(watching, timeout=run.args.timeout)
    await asyncio.gather(*status_writes)
    floor_s = time.monotonic() - t0
    scpu1, server_writes = cpu_seconds(run.server.pid), await server_revision(api) - rv0
    return {
        "ready_floor_s": round(floor_s, 2),
        # the same first-come-first-done figure as the rollout's, for this in-order client
        "ready_floor_t50_over_t100": round(sorted(done_at)[(run.n + 1) // 2 - 1] / floor_s, 2),
        "ready_floor_server_cpu_s": round(scpu1 - scpu0, 2),
        "ready_floor_server_writes_per_instance": round(server_writes / run.n, 2),
    }


# Entry point ------------------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    workers, qps, burst = controller_defaults()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("role", nargs="?", default="bench", choices=["bench", "controller"])
    p.add_argument("--instances", default="500", help="Comma-separated sizes, e.g. 100,500,2000.")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument(
        "--namespaces", type=int, default=1, help="Spread the instances over this many namespaces."
    )
    p.add_argument("--idle", type=float, default=10.0, help="Seconds of steady state to observe.")
    p.add_argument("--timeout", type=float, default=900.0, help="Give up on a rollout after this long.")
    p.add_argument("--concurrent-reconciles", type=int, default=workers, help=f"Default: {workers}.")
    p.add_argument("--qps", type=float, default=qps, help=f"Default: {qps:g}.")
    p.add_argument("--burst", type=int, default=burst, help=f"Default: {burst}.")
    p.add_argument(
        "--pod-ready-delay",
        type=float,
        default=None,
        help="Seconds from a simulated pod's appearance to Ready (kro dev's option; default: kro dev's, 2).",
    )
    p.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    p.add_argument("--keep", action="store_true", help="Keep each run's directory (logs, state).")
    # the controller role
    p.add_argument("--kubeconfig")
    p.add_argument("--metrics-port", type=int)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.role == "controller":
        from kro.eventloop import run as run_loop  # the event loop `kro controller` runs on

        run_loop(serve_controller(args))
        return 0
    summaries: dict[int, dict[str, Any]] = {}
    for n in (int(x) for x in str(args.instances).split(",")):
        results = []
        for i in range(args.runs):
            root = Path(tempfile.mkdtemp(prefix="kro-bench-controller-"))
            try:
                results.append(asyncio.run(measure(args, root, n)))
            finally:
                if args.keep:
                    print(f"run {i + 1}: logs and state in {root}", file=sys.stderr)
                else:
                    shutil.rmtree(root, ignore_errors=True)
            print(f"N={n} run {i + 1}/{args.runs}: {json.dumps(results[-1])}", file=sys.stderr, flush=True)
        summaries[n] = median_of_runs(results)
    if args.json:
        print(json.dumps(summaries, indent=2))
        return 0
    delay = "kro dev's default" if args.pod_ready_delay is None else f"{args.pod_ready_delay:g} s"
    print(f"median of {args.runs} run(s), concurrent reconciles {args.concurrent_reconciles}, "
          f"client qps {args.qps:g} burst {args.burst}, pod ready delay {delay}")  # fmt: skip
    for n, summary in summaries.items():
        width = max(map(len, summary))
        print(f"{n} instances:")
        for key, value in summary.items():
            print(f"  {key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
