"""A local API server with garbage collection and a fast workload simulation, and a polling helper."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import aiohttp
import pytest

from kro.devcluster import DevServer, DevServerConfig, ThreadedDevServer
from kro.devcluster.simulation import SimulationSettings, simulation_loop
from tests.integration.conftest import KUBECTL, ApiClient, KubectlRunner

READY_DELAY = 0.3
T = TypeVar("T")


def sim_config(tmp_path: Path, *, tls: bool) -> DevServerConfig:
    return DevServerConfig(
        tls=tls,
        kubeconfig_path=tmp_path / "kubeconfig",
        garbage_collection=True,
        simulation=False,  # the loop below runs it with a short readiness delay
        background=(simulation_loop(SimulationSettings(ready_delay=READY_DELAY)),),
    )


@pytest.fixture
def sim_kubectl(tmp_path: Path) -> Iterator[KubectlRunner]:
    """``kubectl`` against a threaded server that runs the simulation."""
    with ThreadedDevServer(sim_config(tmp_path, tls=True)) as server:

        def run(*args: str, input: str | None = None, check: bool = True,
                timeout: float = 30) -> subprocess.CompletedProcess[str]:
            cmd = [str(KUBECTL), "--kubeconfig", str(server.kubeconfig_path), *args]
            proc = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout, check=False)
            if check and proc.returncode != 0:
                raise AssertionError(f"kubectl {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
            return proc

        yield run


@pytest.fixture
async def simserver(tmp_path: Path) -> AsyncIterator[DevServer]:
    server = DevServer(sim_config(tmp_path, tls=False))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def sim(simserver: DevServer) -> AsyncIterator[ApiClient]:
    async with aiohttp.ClientSession() as session:
        yield ApiClient(simserver, session)


async def eventually(check: Callable[[], Awaitable[T | None]], *, timeout: float = 8.0, what: str = "") -> T:
    """Poll ``check`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: T | None = None
    while asyncio.get_running_loop().time() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or check}: last={last!r}")
