"""Client-side rate limiting and 429 handling, over real HTTP.

The local API server does not shed load, so a tiny aiohttp server here answers 429 with Retry-After
the way kube-apiserver's priority-and-fairness does, and counts what it receives.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from kro.api import GVR
from kro.devcluster import DevServer
from kro.kube import ClusterConfig, KubeClient, TooManyRequests

NAMESPACES = GVR("", "v1", "namespaces")


class Overloaded:
    def __init__(self, rejections: int) -> None:
        self.rejections = rejections
        self.received = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.received += 1
        if self.received <= self.rejections:
            status = {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Failure",
                "code": 429,
                "reason": "TooManyRequests",
                "message": "too many requests",
                "details": {"retryAfterSeconds": 1},
            }
            return web.json_response(status, status=429, headers={"Retry-After": "0.05"})
        return web.json_response({"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "default"}})


@pytest.fixture
async def overloaded() -> AsyncIterator[tuple[Overloaded, str]]:
    state = Overloaded(rejections=2)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", state.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield state, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_429_is_retried_after_retry_after(overloaded: tuple[Overloaded, str]) -> None:
    state, url = overloaded
    async with KubeClient(ClusterConfig.explicit(url)) as c:
        started = time.monotonic()
        ns = await c.get(NAMESPACES, "default")
        elapsed = time.monotonic() - started
    assert ns["metadata"]["name"] == "default"
    assert state.received == 3
    assert c.stats.retries_429 == 2
    assert 0.1 <= elapsed < 1.0  # the header's 50 ms twice, not the details' 1 s


async def test_429_retries_are_bounded(overloaded: tuple[Overloaded, str]) -> None:
    state, url = overloaded
    state.rejections = 100
    async with KubeClient(ClusterConfig.explicit(url), max_429_retries=3) as c:
        with pytest.raises(TooManyRequests) as info:
            await c.get(NAMESPACES, "default")
    assert info.value.retry_after == 0.05
    assert state.received == 4


async def test_client_side_qps_spaces_requests(devserver: DevServer) -> None:
    config = ClusterConfig.explicit(devserver.url, token=devserver.token, qps=20, burst=2)
    async with KubeClient(config) as c:
        started = time.monotonic()
        for _ in range(6):
            await c.get(NAMESPACES, "default")
        elapsed = time.monotonic() - started
    # 2 from the burst, then 4 at 20/s: at least 200 ms
    assert elapsed >= 0.19
    assert c.stats.throttled_seconds > 0.1  # less than 200 ms: tokens also refill while requests run
    assert c.stats.by_verb["get"] == 6
