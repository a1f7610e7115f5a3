"""With the API server shedding load (429 with Retry-After to a share of requests), the controller
slows down and loses nothing: every instance still gets every child and reaches ACTIVE."""

from __future__ import annotations

import asyncio
import functools
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp

from kro.devcluster import DevServer, DevServerConfig
from kro.kube import ClusterConfig, KubeClient

from ..conftest import ApiClient
from .conftest import SETTINGS, eventually, start_controller
from .helpers import RGDS, apps, core, create, example, instances, rgd_active

N = 12
BATCHES = 5


async def test_the_controller_honours_429_and_loses_nothing(tmp_path: Path) -> None:
    server = DevServer(
        DevServerConfig(
            tls=False,
            simulation=True,
            state_dir=tmp_path / "state",  # durable: writes overlap, so the limit bites
            max_mutating_requests_inflight=2,
            max_requests_inflight=2,
        )
    )
    await server.start()
    config = ClusterConfig.explicit(server.url, token=server.token)
    try:
        async with KubeClient(config) as kube, aiohttp.ClientSession() as session:
            kapi = ApiClient(server, session)
            ctrl, finish = await _start(kube, kapi)
            try:
                # Which requests the server turns away depends on timing: add batches of
                # instances until some of the controller's own requests were refused.
                total = 0
                while total < N * BATCHES and (total == 0 or kube.stats.retries_429 == 0):
                    batch = range(total, total + N)
                    await asyncio.gather(*(_create(kapi, f"cache-{i}") for i in batch))
                    total += N
                    await eventually(functools.partial(_all_active, kapi, total), timeout=90, interval=0.5)
                # nothing lost: every child of every instance exists
                for i in range(total):
                    for path in (
                        core("configmaps", f"cache-{i}-config"),
                        apps("statefulsets", f"cache-{i}"),
                        core("services", f"cache-{i}-headless"),
                        core("services", f"cache-{i}"),
                    ):
                        code, _ = await _retrying_get(kapi, path)
                        assert code == 200, path
            finally:
                await finish()
        # the server turned requests away, and the client waited and retried them
        assert server.inflight.rejected > 0
        assert kube.stats.retries_429 > 0
        assert ctrl.metrics.registry.get_sample_value("kro_client_retries_429_total") == kube.stats.retries_429
    finally:
        await server.stop()


async def _start(kube: KubeClient, kapi: ApiClient) -> tuple[Any, Any]:
    ctrl, finish = await start_controller(kube, replace(SETTINGS, concurrent_reconciles=16))
    await _retrying(lambda: create(kapi, RGDS, example("redis")))
    await eventually(lambda: _retrying(lambda: rgd_active(kapi, "redis")), timeout=30)
    return ctrl, finish


async def _create(kapi: ApiClient, name: str) -> None:
    body = example("redis", "instance.yaml")
    body["metadata"]["name"] = name
    await _retrying(lambda: create(kapi, instances("redis"), body))


async def _all_active(kapi: ApiClient, count: int) -> bool:
    code, body = await _retrying_get(kapi, instances("redis"))
    if code != 200:
        return False
    states = [(o.get("status") or {}).get("state") for o in body["items"]]
    return len(states) == count and all(s == "ACTIVE" for s in states)


async def _retrying_get(kapi: ApiClient, path: str) -> tuple[int, Any]:
    """The test's own reads are turned away too; it retries them the way any client should."""
    while True:
        code, body = await kapi.get(path)
        if code != 429:
            return code, body
        await asyncio.sleep(0.1)


async def _retrying(call: Any) -> Any:
    while True:
        try:
            return await call()
        except AssertionError as e:
            if "429" not in str(e):
                raise
            await asyncio.sleep(0.1)
