"""Fixtures that start the local API server (:mod:`kro.devcluster`) for integration tests.

- ``devserver``: an in-memory :class:`~kro.devcluster.DevServer` over plain HTTP on this test's event
  loop (``url``, ``token``, ``kubeconfig_path``, ``store``, ``registry``, ``objects``).
- ``devserver_tls``: the same over HTTPS with its own CA (``ca_file``).
- ``devserver_factory``: ``await devserver_factory(simulation=True, state_dir=...)`` starts one with
  any :class:`~kro.devcluster.DevServerConfig` fields (HTTP unless ``tls=True``); all are stopped
  at the end of the test.
- ``api``: an :class:`ApiClient` (aiohttp, bearer token) bound to ``devserver``.
- ``threaded_devserver``: a :class:`~kro.devcluster.ThreadedDevServer` for synchronous tests.
- ``kubectl``: runs ``.venv/bin/kubectl --kubeconfig <threaded_devserver's kubeconfig> ...``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from kro.devcluster import DevServer, DevServerConfig, ThreadedDevServer

KUBECTL = Path(sys.executable).parent / "kubectl"


class ApiClient:
    """A thin HTTP client for tests: JSON in, (status, JSON) out, bearer token attached."""

    def __init__(self, server: DevServer, session: aiohttp.ClientSession) -> None:
        self.server = server
        self.session = session

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.server.token}"}
        headers.update(extra or {})
        return headers

    async def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        data: bytes | str | None = None,
    ) -> tuple[int, Any]:
        kwargs: dict[str, Any] = {"headers": self._headers(headers), "params": params}
        if body is not None:
            kwargs["json"] = body
        elif data is not None:
            kwargs["data"] = data
        async with self.session.request(method, self.server.url + path, **kwargs) as resp:
            raw = await resp.read()
            try:
                return resp.status, json.loads(raw) if raw else None
            except ValueError:
                return resp.status, raw.decode(errors="replace")

    async def get(self, path: str, **kw: Any) -> tuple[int, Any]:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        return await self.request("POST", path, body, **kw)

    async def put(self, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        return await self.request("PUT", path, body, **kw)

    async def delete(self, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        return await self.request("DELETE", path, body, **kw)

    async def patch(self, path: str, body: Any, content_type: str = "application/merge-patch+json", **kw: Any) -> tuple[int, Any]:
        return await self.request("PATCH", path, data=json.dumps(body), headers={"Content-Type": content_type}, **kw)

    async def watch(self, path: str, params: dict[str, str], *, limit: int = 100, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Collect watch events until the stream ends (use timeoutSeconds) or ``limit`` events."""
        events: list[dict[str, Any]] = []
        async with self.session.get(
            self.server.url + path,
            params={"watch": "1", **params},
            headers=self._headers(None),
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as resp:
            assert resp.status == 200, await resp.text()
            async for line in resp.content:
                if line.strip():
                    events.append(json.loads(line))
                    if len(events) >= limit:
                        break
        return events


@pytest.fixture
async def devserver(tmp_path: Path) -> AsyncIterator[DevServer]:
    server = DevServer(DevServerConfig(tls=False, bookmark_interval=0.2, kubeconfig_path=tmp_path / "kubeconfig"))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def devserver_tls(tmp_path: Path) -> AsyncIterator[DevServer]:
    server = DevServer(DevServerConfig(tls=True, kubeconfig_path=tmp_path / "kubeconfig"))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


DevServerFactory = Callable[..., Awaitable[DevServer]]


@pytest.fixture
async def devserver_factory(tmp_path: Path) -> AsyncIterator[DevServerFactory]:
    started: list[DevServer] = []

    async def make(**overrides: Any) -> DevServer:
        settings: dict[str, Any] = {"tls": False, "bookmark_interval": 0.2, "kubeconfig_path": tmp_path / f"kubeconfig-{len(started)}"}
        settings.update(overrides)
        server = DevServer(DevServerConfig(**settings))
        await server.start()
        started.append(server)
        return server

    try:
        yield make
    finally:
        for server in reversed(started):
            await server.stop()


@pytest.fixture
async def api(devserver: DevServer) -> AsyncIterator[ApiClient]:
    async with aiohttp.ClientSession() as session:
        yield ApiClient(devserver, session)


@pytest.fixture
def threaded_devserver(tmp_path: Path) -> Iterator[ThreadedDevServer]:
    with ThreadedDevServer(DevServerConfig(tls=True, kubeconfig_path=tmp_path / "kubeconfig", bookmark_interval=1.0)) as server:
        yield server


KubectlRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def kubectl(threaded_devserver: ThreadedDevServer) -> KubectlRunner:
    """``kubectl(*args, input=None, check=True, timeout=30)`` → CompletedProcess (text)."""

    def run(*args: str, input: str | None = None, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        cmd = [str(KUBECTL), "--kubeconfig", str(threaded_devserver.kubeconfig_path), *args]
        proc = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout, check=False)
        if check and proc.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    return run
