"""The controller at scale: ``python benchmarks/bench_controller.py [--instances 500] [--runs 3] [--json]``.

Per run, two fresh OS processes:

- the local API server, exactly as a user starts it: ``kro dev --no-controller --insecure-http
  --state-dir <tmp> --port <free>`` (durable on SQLite, workload simulation on: a StatefulSet's pod
  is Ready 2 s after it appears);
- the controller: :func:`kro.controller.app.run_controller` with the settings and client limits of
  ``kro controller``'s defaults (one worker, 100 requests/s, burst 150, unless overridden), started
  by this file's ``controller`` sub-command. Requests and writes are counted **on the controller's
  side**, by verb, every request it sends (reads, lists, watches, writes): the controller's own
  ``/metrics`` publishes its client's :class:`kro.kube.RequestStats` as
  ``kro_client_requests_total{verb}``, ``kro_client_writes_total`` and
  ``kro_client_throttled_seconds_total``.

Then: the Redis RGD of ``examples/redis`` is applied and awaited ``Active``; N Redis instances are
created at once (32 concurrent connections; in namespace ``default``, or spread round-robin over
``--namespaces K``); the clock runs until every instance reports ``status.state == ACTIVE``
(followed with one cluster-wide watch). Figures: total time, requests and writes per instance, the controller's CPU seconds (``/proc/<pid>/stat`` utime+stime) and peak RSS (``VmHWM``),
the server's CPU seconds. Then the steady state: 30 s with N idle instances, counting the
controller's writes (the goal is zero) and its CPU. Each figure is the median over runs.
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
        with log.open("wb") as out:
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

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        async with self.session.request(method, self.url + path, json=body, headers=self.headers) as resp:
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
    """The controller's request counters (``requests``, ``writes``, per verb) and reconciles."""
    async with session.get(f"http://127.0.0.1:{port}/metrics") as resp:
        text = await resp.text()
    out: dict[str, float] = {"requests": 0.0, "writes": 0.0, "reconciles": 0.0, "throttled_s": 0.0}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "kro_client_requests_total":
                verb = sample.labels["verb"]
                out[verb] = out.get(verb, 0.0) + sample.value
                out["requests"] += sample.value
            elif sample.name == "kro_client_writes_total":
                out["writes"] = sample.value
            elif sample.name == "kro_reconcile_total":
                out["reconciles"] += sample.value
            elif sample.name == "kro_client_throttled_seconds_total":
                out["throttled_s"] = sample.value
    return out


def delta(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    return {k: v - before.get(k, 0.0) for k, v in after.items()}


# One run ----------------------------------------------------------------------------------------


def redis_instance(name: str, namespace: str) -> dict[str, Any]:
    body: dict[str, Any] = yaml.safe_load((ROOT / "examples/redis/instance.yaml").read_text())
    body["metadata"] = {"name": name, "namespace": namespace}
    return body


def namespace_names(count: int) -> list[str]:
    return ["default"] if count == 1 else [f"bench-{i:03d}" for i in range(count)]


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


async def create_instances(api: Api, placed: Iterable[tuple[str, str]]) -> None:
    """Create each (namespace, name) with ``CREATE_CONNECTIONS`` requests in flight."""
    pending = iter(list(placed))

    async def worker() -> None:
        for namespace, name in pending:
            path = f"/apis/kro.run/v1alpha1/namespaces/{namespace}/redis"
            code, out = await api.call("POST", path, redis_instance(name, namespace))
            if code != 201:
                raise RuntimeError(f"creating {namespace}/{name}: {code} {out}")

    await asyncio.gather(*(worker() for _ in range(CREATE_CONNECTIONS)))


async def wait_all_active(api: Api, n: int, controller: Process, timeout: float) -> None:
    """Follow the Redis instances of every namespace with one list and then a watch (so waiting
    costs the server next to nothing) until ``n`` of them report ``status.state == ACTIVE``."""
    deadline = time.monotonic() + timeout
    code, body = await api.call("GET", REDIS)
    assert code == 200, (code, body)
    state = {(o["metadata"]["namespace"], o["metadata"]["name"]): _state(o) for o in body["items"]}
    rv = body["metadata"]["resourceVersion"]
    while sum(s == "ACTIVE" for s in state.values()) < n:
        controller.check_alive()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{n} instances not ACTIVE within {timeout:.0f}s")
        params = {"watch": "1", "resourceVersion": rv, "timeoutSeconds": "5", "allowWatchBookmarks": "true"}
        async with api.session.get(api.url + REDIS, params=params, headers=api.headers) as resp:
            assert resp.status == 200, await resp.text()
            async for line in resp.content:
                event = json.loads(line)
                obj = event["object"]
                rv = obj["metadata"]["resourceVersion"]
                if event["type"] in ("ADDED", "MODIFIED"):
                    state[(obj["metadata"]["namespace"], obj["metadata"]["name"])] = _state(obj)
                if sum(s == "ACTIVE" for s in state.values()) >= n:
                    return


def _state(obj: dict[str, Any]) -> str:
    return str((obj.get("status") or {}).get("state") or "")


def start_processes(args: argparse.Namespace, root: Path) -> tuple[Process, Process, int]:
    kubeconfig = root / "state" / "kubeconfig"
    server = Process(
        [str(KRO), "dev", "--no-controller", "--insecure-http", "--state-dir", str(root / "state"),
         "--port", str(free_port())],
        root / "server.log",
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not kubeconfig.exists() or "ready:" not in (root / "server.log").read_text():
        server.check_alive()
        if time.monotonic() > deadline:
            raise TimeoutError(f"the server did not start:\n{(root / 'server.log').read_text()}")
        time.sleep(0.1)
    metrics_port = free_port()
    controller = Process(
        [sys.executable, __file__, "controller", "--kubeconfig", str(kubeconfig),
         "--metrics-port", str(metrics_port), "--concurrent-reconciles", str(args.concurrent_reconciles),
         "--qps", str(args.qps), "--burst", str(args.burst)],
        root / "controller.log",
    )  # fmt: skip
    return server, controller, metrics_port


async def measure(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    server, controller, metrics_port = start_processes(args, root)
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:
            api = Api(root / "state" / "kubeconfig", session)
            await until(lambda: scrape(session, metrics_port), timeout=30, what="controller /metrics")

            async def rgds_served() -> bool:  # the controller installs the RGD CRD as it starts
                controller.check_alive()
                return (await api.call("GET", RGDS))[0] == 200

            await until(rgds_served, timeout=30, what="the ResourceGraphDefinition CRD served")
            rgd = yaml.safe_load((ROOT / "examples/redis/rgd.yaml").read_text())
            code, out = await api.call("POST", RGDS, rgd)
            assert code == 201, (code, out)

            async def rgd_active() -> bool:
                controller.check_alive()
                _, body = await api.call("GET", f"{RGDS}/redis")
                return bool((body.get("status") or {}).get("state") == "Active")

            await until(rgd_active, timeout=60, what="RGD redis Active")
            return await rollout_and_idle(args, api, session, server, controller, metrics_port)
    finally:
        controller.stop()
        server.stop()


async def rollout_and_idle(
    args: argparse.Namespace, api: Api, session: aiohttp.ClientSession,
    server: Process, controller: Process, metrics_port: int,
) -> dict[str, Any]:  # fmt: skip
    n = args.instances
    namespaces = namespace_names(args.namespaces)
    await create_namespaces(api, namespaces)
    placed = [(namespaces[i % len(namespaces)], f"cache-{i:04d}") for i in range(n)]
    before, ccpu0, scpu0 = (
        await scrape(session, metrics_port),
        cpu_seconds(controller.pid),
        cpu_seconds(server.pid),
    )
    t0 = time.monotonic()
    await create_instances(api, placed)
    created_s = time.monotonic() - t0

    await wait_all_active(api, n, controller, args.timeout)
    total_s = time.monotonic() - t0
    rollout = delta(await scrape(session, metrics_port), before)
    ccpu1, scpu1 = cpu_seconds(controller.pid), cpu_seconds(server.pid)
    peak_mib = proc_memory_mib(controller.pid)["VmHWM"]

    idle_before = await scrape(session, metrics_port)
    await asyncio.sleep(args.idle)
    idle = delta(await scrape(session, metrics_port), idle_before)
    ccpu2 = cpu_seconds(controller.pid)
    return {
        "instances": n,
        "namespaces": len(namespaces),
        "create_s": round(created_s, 2),
        "all_active_s": round(total_s, 2),
        "requests_per_instance": round(rollout["requests"] / n, 2),
        "writes_per_instance": round(rollout["writes"] / n, 2),
        "by_verb_per_instance": {
            v: round(rollout[v] / n, 2) for v in (*WRITE_VERBS, "get", "list", "watch") if rollout.get(v)
        },
        "reconciles_per_instance": round(rollout["reconciles"] / n, 2),
        "throttled_s": round(rollout["throttled_s"], 1),
        "controller_cpu_s": round(ccpu1 - ccpu0, 2),
        "server_cpu_s": round(scpu1 - scpu0, 2),
        "controller_peak_rss_mib": round(peak_mib, 1),
        "idle_s": args.idle,
        "idle_writes": idle["writes"],
        "idle_requests": idle["requests"],
        "idle_reconciles": idle["reconciles"],
        "idle_controller_cpu_s": round(ccpu2 - ccpu1, 2),
    }


# Entry point ------------------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("role", nargs="?", default="bench", choices=["bench", "controller"])
    p.add_argument("--instances", type=int, default=500)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument(
        "--namespaces", type=int, default=1, help="Spread the instances over this many namespaces."
    )
    p.add_argument("--idle", type=float, default=30.0, help="Seconds of steady state to observe.")
    p.add_argument("--timeout", type=float, default=900.0, help="Give up on a rollout after this long.")
    p.add_argument("--concurrent-reconciles", type=int, default=1)
    p.add_argument("--qps", type=float, default=100.0)
    p.add_argument("--burst", type=int, default=150)
    p.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    p.add_argument("--keep", action="store_true", help="Keep each run's directory (logs, state).")
    # the controller role
    p.add_argument("--kubeconfig")
    p.add_argument("--metrics-port", type=int)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.role == "controller":
        asyncio.run(serve_controller(args))
        return 0
    results = []
    for i in range(args.runs):
        root = Path(tempfile.mkdtemp(prefix="kro-bench-controller-"))
        try:
            results.append(asyncio.run(measure(args, root)))
        finally:
            if args.keep:
                print(f"run {i + 1}: logs and state in {root}", file=sys.stderr)
            else:
                shutil.rmtree(root, ignore_errors=True)
        print(f"run {i + 1}/{args.runs}: {json.dumps(results[-1])}", file=sys.stderr, flush=True)
    summary = median_of_runs(results)
    if args.json:
        print(json.dumps({"runs": results, "median": summary}, indent=2))
    else:
        width = max(map(len, summary))
        print(f"median of {args.runs} run(s), concurrent reconciles {args.concurrent_reconciles}, "
              f"client qps {args.qps:g} burst {args.burst}")  # fmt: skip
        for key, value in summary.items():
            print(f"  {key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
