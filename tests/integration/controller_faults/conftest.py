"""Fixtures for fault tests: the local API server on this test's event loop, and the kro controller
as a separate OS process (``kro controller``) so that killing it is a real ``SIGKILL``.

- ``fast_cluster``: a :class:`~kro.devcluster.DevServer` whose simulated pods become ready
  0.3 s after creation (the simulation still drives StatefulSet status; only the wait is shorter).
- ``fapi``: the tests' plain HTTP client bound to ``fast_cluster``.
- ``controller_process``: a factory that starts ``kro controller`` against ``fast_cluster`` and
  waits for ``/readyz``; every process it started is killed at teardown.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from kro.devcluster import DevServer, DevServerConfig
from kro.devcluster.simulation import SimulationSettings, simulation_loop

from ..conftest import ApiClient

KRO = Path(sys.executable).parent / "kro"
READY_DELAY = 0.3

StartController = Callable[[], Awaitable[asyncio.subprocess.Process]]


@pytest.fixture
async def fast_cluster(tmp_path: Path) -> AsyncIterator[DevServer]:
    server = DevServer(
        DevServerConfig(
            tls=False,
            bookmark_interval=0.5,
            kubeconfig_path=tmp_path / "kubeconfig",
            background=(simulation_loop(SimulationSettings(ready_delay=READY_DELAY)),),
        )
    )
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def fapi(fast_cluster: DevServer) -> AsyncIterator[ApiClient]:
    async with aiohttp.ClientSession() as session:
        yield ApiClient(fast_cluster, session)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def controller_process(fast_cluster: DevServer, tmp_path: Path) -> AsyncIterator[StartController]:
    started: list[asyncio.subprocess.Process] = []

    async def start() -> asyncio.subprocess.Process:
        health = free_port()
        log = (tmp_path / f"controller-{len(started)}.log").open("wb")
        proc = await asyncio.create_subprocess_exec(
            str(KRO), "controller",
            "--kubeconfig", str(fast_cluster.kubeconfig_path),
            "--metrics-bind-address", "0",
            "--health-probe-bind-address", f"127.0.0.1:{health}",
            "--log-level", "warning",
            stdout=asyncio.subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        log.close()
        started.append(proc)
        await _wait_ready(proc, health, tmp_path / f"controller-{len(started) - 1}.log")
        return proc

    try:
        yield start
    finally:
        for proc in started:
            if proc.returncode is None:
                proc.kill()
            await proc.wait()


async def _wait_ready(proc: asyncio.subprocess.Process, port: int, log: Path, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    async with aiohttp.ClientSession() as http:
        while asyncio.get_running_loop().time() < deadline:
            if proc.returncode is not None:
                raise AssertionError(f"kro controller exited with {proc.returncode}:\n{log.read_text()}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"http://127.0.0.1:{port}/readyz") as r:
                    if r.status == 200:
                        return
            await asyncio.sleep(0.05)
    raise AssertionError(f"kro controller not ready within {timeout}s:\n{log.read_text()}")
