"""Fixtures for the controller against the local API server over HTTP.

- ``cluster``: a :class:`~kro.devcluster.DevServer` with workload simulation (StatefulSets get ready
  replicas, Deployments become available) and the ResourceGraphDefinition CRD installed.
- ``kapi``: the tests' own plain HTTP client (:class:`ApiClient`) bound to ``cluster``.
- ``controller``: the kro controller (:class:`kro.controller.app.Controller`) running against
  ``cluster`` on this test's event loop, with one :class:`~kro.kube.KubeClient`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest

from kro.controller.app import Controller, ControllerSettings
from kro.devcluster import DevServer, DevServerConfig
from kro.kube import ClusterConfig, KubeClient

from ..conftest import ApiClient

T = TypeVar("T")


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[DevServer]:
    server = DevServer(
        DevServerConfig(
            tls=False, simulation=True, bookmark_interval=0.2, kubeconfig_path=tmp_path / "kubeconfig"
        )
    )
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def kapi(cluster: DevServer) -> AsyncIterator[ApiClient]:
    async with aiohttp.ClientSession() as session:
        yield ApiClient(cluster, session)


@pytest.fixture
async def kube(cluster: DevServer) -> AsyncIterator[KubeClient]:
    config = ClusterConfig.explicit(cluster.url, token=cluster.token, qps=0, burst=1)
    async with KubeClient(config) as client:
        yield client


async def start_controller(
    kube: KubeClient, settings: ControllerSettings
) -> tuple[Controller, Callable[[], Awaitable[None]]]:
    ctrl = Controller(settings, client=kube)
    stop = asyncio.Event()
    task = asyncio.create_task(ctrl.run(stop))

    async def finish() -> None:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)

    await eventually(lambda: _ready(ctrl, task))
    return ctrl, finish


async def _ready(ctrl: Controller, task: asyncio.Task[None]) -> bool:
    if task.done():
        task.result()  # surface a crash at once
    return ctrl.ready


SETTINGS = ControllerSettings(metrics_bind_address="0", health_probe_bind_address="0", requeue_interval=0.5)


@pytest.fixture
async def controller(kube: KubeClient) -> AsyncIterator[Controller]:
    ctrl, finish = await start_controller(kube, SETTINGS)
    try:
        yield ctrl
    finally:
        await finish()


async def eventually(
    check: Callable[[], Awaitable[T]], *, timeout: float = 10.0, interval: float = 0.05
) -> T:
    """Poll ``check`` until it returns something truthy; fail with its last value after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: Any = None
    while True:
        last = await check()
        if last:
            return last
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")
        await asyncio.sleep(interval)
