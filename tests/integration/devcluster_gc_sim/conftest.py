"""A local API server with garbage collection and a fast workload simulation, and a polling helper."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import aiohttp
import pytest

from kro.devcluster import DevServer, DevServerConfig
from kro.devcluster.simulation import SimulationSettings, simulation_loop
from tests.integration.conftest import ApiClient

READY_DELAY = 0.3
T = TypeVar("T")


@pytest.fixture
async def simserver(tmp_path: Path) -> AsyncIterator[DevServer]:
    config = DevServerConfig(
        tls=False,
        kubeconfig_path=tmp_path / "kubeconfig",
        garbage_collection=True,
        simulation=False,  # the loop below runs it with a short readiness delay
        background=(simulation_loop(SimulationSettings(ready_delay=READY_DELAY)),),
    )
    server = DevServer(config)
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
