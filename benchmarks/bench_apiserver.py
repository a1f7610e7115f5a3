"""Local API server throughput, latency, watch delivery and memory:
``python benchmarks/bench_apiserver.py [--runs 5] [--mode sqlite|memory|both] [--scheme http|https|both]
[--baseline] [--json] [--check] [--profile DIR]`` (see ``benchmarks/README.md``).

Per run a fresh :class:`kro.devcluster.DevServer` is started in its own process and session (so the
load generator's CPU is not the server's and the memory read is the server's alone), durable on SQLite
in a temporary state directory on disk or in memory, over plain HTTP or HTTPS. Then:

1. warm-up: 160 creates in another namespace (first-use costs: schema loading, imports);
2. one watcher opens a watch on the ConfigMaps of namespace ``bench`` from the current
   resourceVersion; 16 clients (one keep-alive ``aiohttp`` session each) create 3,000 ConfigMaps
   carrying 200 bytes of data there, as fast as the server answers; each create's latency is timed;
3. the watcher must receive every create exactly once, as ADDED, in strictly increasing
   resourceVersion order and with the resourceVersion the create returned;
4. the server is filled to 10,000 stored ConfigMaps and its ``VmRSS``/``VmHWM`` are read.

Figures are the median over runs of each run's figure. The comparison point, from the project's
issue: kube-apiserver 1.32 + etcd 3.4 on the same kind of 2-core machine with this load sustains
2,850-3,090 writes/s with p99 15-17 ms using 283 MB + 54 MB RSS; the goal for the durable mode is
≥ 1,500 writes/s with p99 < 30 ms (``--check`` exits 1 when SQLite over HTTP misses it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_of_runs, percentile, proc_memory_mib

GOAL_WRITES_PER_S = 1500.0
GOAL_P99_MS = 30.0
NAMESPACE = "bench"
WARMUP_NAMESPACE = "bench-warmup"
PAYLOAD = ("0123456789abcdefghijklmnopqrstuvwxyz" * 6)[:200]  # 200 bytes of ConfigMap data
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Load:
    objects: int = 3000
    clients: int = 16
    stored: int = 10_000
    warmup: int = 160


# The server process -----------------------------------------------------------------------------


async def serve(mode: str, scheme: str) -> None:
    """Start a server, print ``{"url", "token", "ca_file", "pid"}`` on one line, serve until stdin
    closes."""
    root = Path(tempfile.mkdtemp(prefix="kro-bench-"))
    stop = await (start_echo() if mode == "echo" else start_devserver(mode, scheme, root))
    loop = asyncio.get_running_loop()
    stdin_closed = asyncio.Event()
    # A plain thread, not the default executor: that one also runs the SQLite writes.
    threading.Thread(
        target=lambda: (sys.stdin.buffer.read(), loop.call_soon_threadsafe(stdin_closed.set)), daemon=True
    ).start()
    await stdin_closed.wait()
    await stop()
    shutil.rmtree(root, ignore_errors=True)


def announce(url: str, token: str, ca_file: Path | None) -> None:
    info = {"url": url, "token": token, "ca_file": str(ca_file) if ca_file else None, "pid": os.getpid()}
    print(json.dumps(info), flush=True)


async def start_devserver(mode: str, scheme: str, root: Path) -> Callable[[], Awaitable[None]]:
    from kro.devcluster import DevServer, DevServerConfig

    config = DevServerConfig(
        tls=scheme == "https",
        state_dir=root / "state" if mode == "sqlite" else None,
        kubeconfig_path=root / "kubeconfig",
    )
    server = DevServer(config)
    await server.start()
    announce(server.url, server.token, server.ca_file)
    return server.stop


async def start_echo() -> Callable[[], Awaitable[None]]:
    """The harness's ceiling: a bare aiohttp server that decodes each POSTed object, stamps a
    resourceVersion and sends it back (no routing, validation, storage or watch)."""
    counter = itertools.count(1)

    async def echo(request: web.Request) -> web.Response:
        obj = json.loads(await request.read())
        obj["metadata"]["resourceVersion"] = str(next(counter))
        return web.Response(body=json.dumps(obj).encode(), status=201, content_type="application/json")

    app = web.Application()
    app.router.add_post("/{tail:.*}", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    announce(f"http://127.0.0.1:{port}", "unused", None)
    return runner.cleanup


class ServerProcess:
    """The server subprocess seen from the load generator."""

    def __init__(self, mode: str, scheme: str) -> None:
        self._log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - lives as long as the server
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "serve", mode, scheme],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            # Its own session, as a daemon would run: with the kernel's autogroup scheduling the
            # server then does not share one CPU allotment with the load generator.
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the server did not start:\n{self.log()}")
        info = json.loads(line)
        self.url: str = info["url"]
        self.token: str = info["token"]
        self.pid: int = info["pid"]
        self.ssl: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=info["ca_file"]) if info["ca_file"] else False
        )

    def cpu_seconds(self) -> tuple[float, float]:
        """User and system CPU time the server has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read()

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# The load generator -----------------------------------------------------------------------------


@dataclass
class Created:
    latencies: list[float] = field(default_factory=list)
    rv_by_name: dict[str, int] = field(default_factory=dict)
    done_at: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def configmap(name: str) -> bytes:
    return json.dumps(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"payload": PAYLOAD}}
    ).encode()


async def create_all(
    server: ServerProcess, namespace: str, names: list[str], clients: int
) -> tuple[Created, float]:
    """Create ``names`` with ``clients`` concurrent keep-alive sessions; returns results and wall time."""
    url = f"{server.url}/api/v1/namespaces/{namespace}/configmaps"
    headers = {"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"}
    bodies = iter([(name, configmap(name)) for name in names])
    out = Created()

    async def client() -> None:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1, ssl=server.ssl)) as session:
            for name, body in bodies:
                t0 = time.perf_counter()
                try:
                    async with session.post(url, data=body, headers=headers) as resp:
                        raw = await resp.read()
                except aiohttp.ClientError as e:
                    out.errors.append(f"POST {name}: {type(e).__name__}: {e}")
                    continue
                t1 = time.perf_counter()
                out.latencies.append(t1 - t0)
                out.done_at[name] = t1
                if resp.status != 201:
                    out.errors.append(f"POST {name}: HTTP {resp.status} {raw[:300]!r}")
                    continue
                out.rv_by_name[name] = int(json.loads(raw)["metadata"]["resourceVersion"])

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return out, time.perf_counter() - start


async def request_json(server: ServerProcess, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {server.token}"}
    async with (
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=server.ssl)) as session,
        session.request(method, server.url + path, json=body, headers=headers) as resp,
    ):
        return resp.status, await resp.json(content_type=None)


@dataclass
class Seen:
    events: list[tuple[str, str, int, float]] = field(default_factory=list)  # type, name, rv, received at
    other: list[str] = field(default_factory=list)


async def watch(server: ServerProcess, since: str, expected: int, seen: Seen, ready: asyncio.Event) -> None:
    """Collect ConfigMap events in ``bench`` after ``since`` until ``expected`` have arrived."""
    url = f"{server.url}/api/v1/namespaces/{NAMESPACE}/configmaps"
    params = {"watch": "1", "resourceVersion": since}
    headers = {"Authorization": f"Bearer {server.token}"}
    timeout = aiohttp.ClientTimeout(total=None)
    async with (
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=server.ssl)) as session,
        session.get(url, params=params, headers=headers, timeout=timeout) as resp,
    ):
        if resp.status != 200:
            seen.other.append(f"watch: HTTP {resp.status} {await resp.text()}")
            ready.set()
            return
        ready.set()
        async for line in resp.content:
            if not line.strip():
                continue
            event = json.loads(line)
            kind, obj = event["type"], event["object"]
            if kind == "BOOKMARK":
                continue
            if kind == "ERROR":
                seen.other.append(f"watch ERROR event: {obj}")
                return
            meta = obj["metadata"]
            seen.events.append((kind, meta["name"], int(meta["resourceVersion"]), time.perf_counter()))
            if len(seen.events) >= expected:
                # Linger briefly so a duplicate sent right after the last event is still caught.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(_drain_into(resp, seen), 0.5)
                return


async def _drain_into(resp: aiohttp.ClientResponse, seen: Seen) -> None:
    async for line in resp.content:
        if line.strip():
            event = json.loads(line)
            if event["type"] != "BOOKMARK":
                meta = event["object"].get("metadata", {})
                seen.events.append(
                    (
                        event["type"],
                        str(meta.get("name")),
                        int(meta.get("resourceVersion") or 0),
                        time.perf_counter(),
                    )
                )


def verify(created: Created, seen: Seen, names: list[str]) -> list[str]:
    """Every create seen exactly once, as ADDED, in strictly increasing resourceVersion order, with
    the resourceVersion the create returned. Returns the problems found (empty: all good)."""
    problems = list(seen.other)
    counts: dict[str, int] = {}
    for kind, name, _, _ in seen.events:
        counts[name] = counts.get(name, 0) + 1
        if kind != "ADDED":
            problems.append(f"unexpected {kind} event for {name}")
    problems += [f"{n} delivered {c} times" for n, c in sorted(counts.items()) if c > 1][:20]
    missing = [n for n in names if n not in counts]
    if missing:
        problems.append(f"{len(missing)} creates never delivered (first: {missing[:5]})")
    rvs = [rv for _, _, rv, _ in seen.events]
    disorder = [(a, b) for a, b in itertools.pairwise(rvs) if b <= a]
    if disorder:
        problems.append(f"{len(disorder)} events out of resourceVersion order (first: {disorder[:5]})")
    wrong = [
        (n, rv, created.rv_by_name.get(n))
        for _, n, rv, _ in seen.events
        if created.rv_by_name.get(n, rv) != rv
    ]
    if wrong:
        problems.append(
            f"{len(wrong)} events carry another resourceVersion than their create returned (first: {wrong[:5]})"
        )
    return problems


# One run -------------------------------------------------------------------------------------------


def start_profiler(pid: int, out: Path | None) -> subprocess.Popen[bytes] | None:
    """py-spy sampling the server (collapsed stacks, for flame graphs or ``sort | head``)."""
    if out is None:
        return None
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    cmd = [
        py_spy,
        "record",
        "--pid",
        str(pid),
        "--rate",
        "250",
        "--nonblocking",
        "--format",
        "raw",
        "-o",
        str(out),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # let it attach before the load starts
    return proc


def stop_profiler(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is not None:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


async def measured_load(server: ServerProcess, load: Load, profile: Path | None = None) -> dict[str, Any]:
    status, listed = await request_json(server, "GET", f"/api/v1/namespaces/{NAMESPACE}/configmaps?limit=1")
    if status != 200:
        raise RuntimeError(f"list failed: HTTP {status} {listed}")
    names = [f"cm-{i:05d}" for i in range(load.objects)]
    seen, ready = Seen(), asyncio.Event()
    watcher = asyncio.create_task(
        watch(server, listed["metadata"]["resourceVersion"], load.objects, seen, ready)
    )
    await ready.wait()
    profiler = start_profiler(server.pid, profile)
    cpu0, client0 = server.cpu_seconds(), time.process_time()
    created, elapsed = await create_all(server, NAMESPACE, names, load.clients)
    cpu1, client1 = server.cpu_seconds(), time.process_time()
    stop_profiler(profiler)
    try:
        await asyncio.wait_for(watcher, 30)
    except TimeoutError:
        seen.other.append(f"watcher timed out with {len(seen.events)} of {load.objects} events")
    lags = [t - created.done_at[n] for _, n, _, t in seen.events if n in created.done_at]
    lat = created.latencies
    return {
        "writes_per_s": load.objects / elapsed,
        "p50_ms": percentile(lat, 50) * 1e3,
        "p90_ms": percentile(lat, 90) * 1e3,
        "p99_ms": percentile(lat, 99) * 1e3,
        "max_ms": max(lat) * 1e3,
        "watch_lag_p99_ms": percentile(lags, 99) * 1e3 if lags else float("nan"),
        "server_cpu_us_per_write": (sum(cpu1) - sum(cpu0)) / load.objects * 1e6,
        "server_sys_cpu_us_per_write": (cpu1[1] - cpu0[1]) / load.objects * 1e6,
        "client_cpu_us_per_write": (client1 - client0) / load.objects * 1e6,
        "errors": len(created.errors),
        "error_samples": created.errors[:3],
        "events_seen": len(seen.events),
        "watch_problems": verify(created, seen, names),
    }


async def echo_run(load: Load) -> dict[str, Any]:
    """The same creates against the echo server: what this machine and load generator can reach."""
    server = ServerProcess("echo", "http")
    try:
        await create_all(
            server, WARMUP_NAMESPACE, [f"warm-{i:05d}" for i in range(load.warmup)], load.clients
        )
        cpu0 = server.cpu_seconds()
        created, elapsed = await create_all(
            server, NAMESPACE, [f"cm-{i:05d}" for i in range(load.objects)], load.clients
        )
        cpu1 = server.cpu_seconds()
        memory = proc_memory_mib(server.pid)
    finally:
        server.stop()
    lat = created.latencies
    nan = float("nan")
    return {
        "writes_per_s": load.objects / elapsed,
        "p50_ms": percentile(lat, 50) * 1e3,
        "p90_ms": percentile(lat, 90) * 1e3,
        "p99_ms": percentile(lat, 99) * 1e3,
        "max_ms": max(lat) * 1e3,
        "watch_lag_p99_ms": nan,
        "server_cpu_us_per_write": (sum(cpu1) - sum(cpu0)) / load.objects * 1e6,
        "errors": len(created.errors),
        "error_samples": created.errors[:3],
        "watch_problems": [],
        "rss_idle_mib": nan,
        "rss_stored_mib": memory["VmRSS"],
        "hwm_mib": memory["VmHWM"],
    }


async def one_run(mode: str, scheme: str, load: Load, *, profile: Path | None = None) -> dict[str, Any]:
    if mode == "echo":
        return await echo_run(load)
    server = ServerProcess(mode, scheme)
    try:
        idle = proc_memory_mib(server.pid)["VmRSS"]
        for ns in (NAMESPACE, WARMUP_NAMESPACE):
            status, body = await request_json(
                server, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}}
            )
            if status != 201:
                raise RuntimeError(f"creating namespace {ns}: HTTP {status} {body}")
        warm, _ = await create_all(
            server, WARMUP_NAMESPACE, [f"warm-{i:05d}" for i in range(load.warmup)], load.clients
        )
        result = await measured_load(server, load, profile)
        fill = [f"fill-{i:05d}" for i in range(max(0, load.stored - load.objects - load.warmup))]
        filled, _ = await create_all(server, NAMESPACE, fill, load.clients)
        await asyncio.sleep(1.0)
        memory = proc_memory_mib(server.pid)
        result["errors"] += len(warm.errors) + len(filled.errors)
        result.update(rss_idle_mib=idle, rss_stored_mib=memory["VmRSS"], hwm_mib=memory["VmHWM"])
        server_log = server.log()
        result["server_log_problems"] = sum(
            1 for line in server_log.splitlines() if "Traceback" in line or "ERROR" in line
        )
        return result
    finally:
        server.stop()


# Reporting ---------------------------------------------------------------------------------------

COLUMNS = [
    ("writes/s", "writes_per_s", "{:.0f}"),
    ("p50 ms", "p50_ms", "{:.1f}"),
    ("p90 ms", "p90_ms", "{:.1f}"),
    ("p99 ms", "p99_ms", "{:.1f}"),
    ("max ms", "max_ms", "{:.0f}"),
    ("watch lag p99 ms", "watch_lag_p99_ms", "{:.1f}"),
    ("server CPU µs/write", "server_cpu_us_per_write", "{:.0f}"),
    ("RSS idle MiB", "rss_idle_mib", "{:.0f}"),
    ("RSS @10k MiB", "rss_stored_mib", "{:.0f}"),
    ("peak RSS MiB", "hwm_mib", "{:.0f}"),
]


def print_table(results: dict[str, dict[str, Any]], runs: int) -> None:
    print(
        f"median of {runs} run(s); {Load().clients} clients, {Load().objects} creates, {Load().stored} stored"
    )
    header = ["mode"] + [c[0] for c in COLUMNS] + ["watch"]
    rows = [header]
    for key, res in results.items():
        med = res["median"]
        ok = "ok" if not any(r["watch_problems"] for r in res["runs"]) else "FAILED"
        rows.append([key] + [fmt.format(med[k]) for _, k, fmt in COLUMNS] + [ok])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    for key, res in results.items():
        for i, run in enumerate(res["runs"]):
            for problem in run["watch_problems"] + run["error_samples"]:
                print(f"{key} run {i + 1}: {problem}")


def run_plan(
    plan: list[tuple[str, str]], load: Load, *, runs: int, profile: Path | None, quiet: bool
) -> dict[str, dict[str, Any]]:
    """``runs`` rounds of every (mode, scheme), interleaved so each sees the same machine load; each
    run on a fresh server."""
    collected: dict[str, list[dict[str, Any]]] = {f"{m}/{s}": [] for m, s in plan}
    for i in range(runs):
        for mode, scheme in plan:
            out = profile / f"{mode}-{scheme}-{i + 1}.txt" if profile else None
            if out is not None:
                out.parent.mkdir(parents=True, exist_ok=True)
            run = asyncio.run(one_run(mode, scheme, load, profile=out))
            run["loadavg_1m"] = os.getloadavg()[0]
            collected[f"{mode}/{scheme}"].append(run)
            if not quiet:
                print(
                    f"  run {i + 1} {mode}/{scheme}: {run['writes_per_s']:.0f} writes/s, p99 {run['p99_ms']:.1f} ms",
                    file=sys.stderr,
                )
    return {key: {"median": median_of_runs(rs), "runs": rs} for key, rs in collected.items()}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:
        if os.environ.get("KRO_BENCH_LOOP") == "asyncio":
            asyncio.run(serve(argv[1], argv[2]))
        else:
            from kro.eventloop import run

            run(serve(argv[1], argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mode", choices=["sqlite", "memory", "both"], default="both")
    parser.add_argument("--scheme", choices=["http", "https", "both"], default="http")
    parser.add_argument("--json", action="store_true", help="print machine-readable results")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also run the load against a bare aiohttp echo server (this machine's and harness's ceiling)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="sample the server with py-spy during each measured load (collapsed stacks in DIR)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help=f"exit 1 unless sqlite/http reaches {GOAL_WRITES_PER_S:.0f} writes/s and p99 < {GOAL_P99_MS:.0f} ms",
    )
    args = parser.parse_args(argv)
    modes = ["sqlite", "memory"] if args.mode == "both" else [args.mode]
    schemes = ["http", "https"] if args.scheme == "both" else [args.scheme]
    plan = [(mode, scheme) for mode in modes for scheme in schemes]
    if args.baseline:
        plan.append(("echo", "http"))
    load = Load()
    results = run_plan(plan, load, runs=args.runs, profile=args.profile, quiet=args.json)
    if args.json:
        print(
            json.dumps(
                {
                    "load": asdict(load),
                    "python": sys.version.split()[0],
                    "cpus": os.cpu_count(),
                    "results": results,
                },
                indent=2,
            )
        )
    else:
        print_table(results, args.runs)
    failed = any(run["watch_problems"] or run["errors"] for res in results.values() for run in res["runs"])
    durable = results.get("sqlite/http", {}).get("median")
    missed = (
        args.check
        and durable is not None
        and (durable["writes_per_s"] < GOAL_WRITES_PER_S or durable["p99_ms"] >= GOAL_P99_MS)
    )
    return 1 if failed or missed else 0


if __name__ == "__main__":
    sys.exit(main())
