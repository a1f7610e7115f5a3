"""Load shedding (``--max-requests-inflight`` / ``--max-mutating-requests-inflight``) answers as
kube-apiserver's max-in-flight filter does: 429, ``Retry-After: 1``, a plain-text body; a request
turned away changes nothing, and watches are never counted."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

import aiohttp

from ..conftest import DevServerFactory


def configmap(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}}


async def test_writes_past_the_limit_get_429_and_change_nothing(
    devserver_factory: DevServerFactory, tmp_path: Path
) -> None:
    # durable: a write waits for its commit, so concurrent writes overlap
    server = await devserver_factory(max_mutating_requests_inflight=1, state_dir=tmp_path / "state")
    headers = {"Authorization": f"Bearer {server.token}"}
    url = f"{server.url}/api/v1/namespaces/default/configmaps"
    async with aiohttp.ClientSession() as session:

        async def create(i: int) -> tuple[str, int, str, dict[str, str]]:
            async with session.post(url, json=configmap(f"cm-{i}"), headers=headers) as r:
                return f"cm-{i}", r.status, await r.text(), dict(r.headers)

        answers = await asyncio.gather(*(create(i) for i in range(40)))
        turned_away = [a for a in answers if a[1] == 429]
        created = {a[0] for a in answers if a[1] == 201}
        assert turned_away, "40 concurrent writes against a limit of 1 were all served"
        assert len(created) + len(turned_away) == 40
        _, _, body, got = turned_away[0]
        assert body == "Too many requests, please try again later.\n"
        assert got["Retry-After"] == "1"
        assert got["Content-Type"] == "text/plain; charset=utf-8"
        assert got["X-Content-Type-Options"] == "nosniff"
        # reads are not limited by the mutating limit, and what was turned away does not exist
        async with session.get(url, headers=headers) as r:
            assert r.status == 200
            listed = {o["metadata"]["name"] for o in (await r.json())["items"]}
        assert listed == {*created, "kube-root-ca.crt"}  # with what every namespace has
    assert server.inflight.rejected == len(turned_away)
    assert (server.inflight.reading, server.inflight.writing) == (0, 0)


async def test_watches_are_not_counted(devserver_factory: DevServerFactory) -> None:
    server = await devserver_factory(max_requests_inflight=1)
    headers = {"Authorization": f"Bearer {server.token}"}
    url = f"{server.url}/api/v1/namespaces/default/configmaps"
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, params={"watch": "true"}, headers=headers) as watch,
    ):
        assert watch.status == 200
        for _ in range(3):  # one read at a time is always served while the watch stays open
            async with session.get(url, headers=headers) as r:
                assert r.status == 200
        async with session.post(url, json=configmap("seen"), headers=headers) as r:
            assert r.status == 201
        first = await asyncio.wait_for(watch.content.readline(), 10)  # the namespace's kube-root-ca.crt
        line = await asyncio.wait_for(watch.content.readline(), 10)
        assert [json.loads(x)["object"]["metadata"]["name"] for x in (first, line)] == ["kube-root-ca.crt", "seen"]
        with contextlib.suppress(Exception):
            watch.close()
