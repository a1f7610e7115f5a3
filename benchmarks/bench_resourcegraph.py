"""Roots of one ResourceGraph at scale: ``python benchmarks/bench_resourcegraph.py [--roots 200] [--runs 3] [--json]``.

The same two processes as ``bench_controller.py`` (its ``Run``: the local API server as ``kro dev
--no-controller --insecure-http`` on SQLite, and the controller with ``kro controller``'s defaults,
counting its own requests by verb in ``/metrics``). Then: the CRDs of ``examples/service-mesh`` and its ResourceGraph
with two managed children (``base/resourcegraph.yaml``: a Gateway, then a VirtualService that reads
the Gateway's name) are applied and the graph awaited ``Active``; N ServiceMesh roots carrying
``kro.dev/graph: service-mesh-graph`` are created at once (32 concurrent connections); the clock runs
until the ResourceGraph's ``status.roots.synced`` is N (kro writes nothing on roots, so the graph's
status is where convergence shows). Figures: total time, requests and writes per root, controller
CPU and peak RSS; then 30 s with N idle roots, counting the controller's writes (goal: zero); then
one root's Gateway is deleted and the time until kro has made it again is measured (drift repair).
Each figure is the median over runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_of_runs, proc_memory_mib
from bench_controller import (
    WRITE_VERBS,
    Api,
    Process,
    Run,
    controller_defaults,
    cpu_seconds,
    delta,
    scrape,
    until,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "service-mesh"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
RGS = "/apis/kro.dev/v1alpha1/resourcegraphs"
MESHES = "/apis/networking.example.com/v1alpha1/namespaces/default/servicemeshes"
CREATE_CONNECTIONS = 32


def root(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "networking.example.com/v1alpha1", "kind": "ServiceMesh",
        "metadata": {"name": name, "annotations": {"kro.dev/graph": "service-mesh-graph"}},
        "spec": {"hosts": [f"{name}.example.com"], "backend": {"host": name, "port": 8080},
                 "servers": [{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": [f"{name}.example.com"]}]},
    }  # fmt: skip


async def install_graph(api: Api, controller: Process) -> None:
    async def served(path: str) -> bool:
        controller.check_alive()
        return (await api.call("GET", path))[0] == 200

    await until(lambda: served(RGS), timeout=30, what="the ResourceGraph CRD served")
    for crd in yaml.safe_load_all((EXAMPLE / "crds.yaml").read_text()):
        code, out = await api.call("POST", CRDS, crd)
        assert code == 201, (code, out)
    await until(lambda: served(MESHES), timeout=30, what="the ServiceMesh CRD served")
    code, out = await api.call("POST", RGS, yaml.safe_load((EXAMPLE / "base" / "resourcegraph.yaml").read_text()))
    assert code == 201, (code, out)

    async def active() -> bool:
        controller.check_alive()
        _, body = await api.call("GET", f"{RGS}/service-mesh-graph")
        return bool((body.get("status") or {}).get("state") == "Active")

    await until(active, timeout=60, what="ResourceGraph service-mesh-graph Active")


async def create_roots(api: Api, names: list[str]) -> None:
    pending = iter(names)

    async def worker() -> None:
        for name in pending:
            code, out = await api.call("POST", MESHES, root(name))
            if code != 201:
                raise RuntimeError(f"creating {name}: {code} {out}")

    await asyncio.gather(*(worker() for _ in range(CREATE_CONNECTIONS)))


async def synced(api: Api, controller: Process) -> int:
    controller.check_alive()
    _, body = await api.call("GET", f"{RGS}/service-mesh-graph")
    return int(((body.get("status") or {}).get("roots") or {}).get("synced") or 0)


async def repair_seconds(api: Api, controller: Process) -> float:
    """Delete one root's managed Gateway and time until a new one (another UID) exists."""
    path = "/apis/networking.istio.io/v1/namespaces/default/gateways/mesh-0000-gw"
    _, before = await api.call("GET", path)
    code, out = await api.call("DELETE", path)
    assert code == 200, (code, out)
    t0 = time.monotonic()

    async def back() -> bool:
        controller.check_alive()
        code, now = await api.call("GET", path)
        return code == 200 and now["metadata"]["uid"] != before["metadata"]["uid"]

    await until(back, timeout=30, what="the deleted Gateway back", interval=0.01)
    return time.monotonic() - t0


async def measure(args: argparse.Namespace, root_dir: Path) -> dict[str, Any]:
    run = Run(args, root_dir, args.roots)
    controller, metrics_port = run.controller, run.metrics_port
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:
            api = Api(root_dir / "state" / "kubeconfig", session)
            await until(lambda: scrape(session, metrics_port), timeout=30, what="controller /metrics")
            await install_graph(api, controller)
            n = args.roots
            before, ccpu0 = await scrape(session, metrics_port), cpu_seconds(controller.pid)
            t0 = time.monotonic()
            await create_roots(api, [f"mesh-{i:04d}" for i in range(n)])
            created_s = time.monotonic() - t0

            async def all_synced() -> bool:
                return await synced(api, controller) >= n

            await until(all_synced, timeout=args.timeout, what=f"{n} roots synced", interval=0.1)
            total_s = time.monotonic() - t0
            rollout = delta(await scrape(session, metrics_port), before)
            ccpu1 = cpu_seconds(controller.pid)
            peak = proc_memory_mib(controller.pid)["VmHWM"]
            idle_before = await scrape(session, metrics_port)
            await asyncio.sleep(args.idle)
            idle = delta(await scrape(session, metrics_port), idle_before)
            repair = await repair_seconds(api, controller)
            return {
                "roots": n,
                "create_s": round(created_s, 2),
                "all_synced_s": round(total_s, 2),
                "requests_per_root": round(rollout["requests"] / n, 2),
                "writes_per_root": round(rollout["writes"] / n, 2),
                "by_verb_per_root": {
                    v: round(rollout[v] / n, 2) for v in (*WRITE_VERBS, "get", "list", "watch") if rollout.get(v)
                },
                "reconciles_per_root": round(rollout["reconciles"] / n, 2),
                "controller_cpu_s": round(ccpu1 - ccpu0, 2),
                "controller_peak_rss_mib": round(peak, 1),
                "idle_s": args.idle,
                "idle_writes": idle["writes"],
                "idle_requests": idle["requests"],
                "idle_reconciles": idle["reconciles"],
                "idle_controller_cpu_s": round(cpu_seconds(controller.pid) - ccpu1, 2),
                "repair_s": round(repair, 3),
            }
    finally:
        run.stop()


def parse(argv: list[str] | None) -> argparse.Namespace:
    workers, qps, burst = controller_defaults()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--roots", type=int, default=200)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--idle", type=float, default=30.0, help="Seconds of steady state to observe.")
    p.add_argument("--timeout", type=float, default=600.0)
    p.add_argument("--concurrent-reconciles", type=int, default=workers, help=f"Default: {workers}.")
    p.add_argument("--qps", type=float, default=qps, help=f"Default: {qps:g}.")
    p.add_argument("--burst", type=int, default=burst, help=f"Default: {burst}.")
    p.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    p.add_argument("--keep", action="store_true", help="Keep each run's directory (logs, state).")
    p.set_defaults(pod_ready_delay=None)  # the graph makes no pods: kro dev's default is left alone
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    results = []
    for i in range(args.runs):
        root_dir = Path(tempfile.mkdtemp(prefix="kro-bench-rg-"))
        try:
            results.append(asyncio.run(measure(args, root_dir)))
        finally:
            if args.keep:
                print(f"run {i + 1}: logs and state in {root_dir}", file=sys.stderr)
            else:
                shutil.rmtree(root_dir, ignore_errors=True)
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
