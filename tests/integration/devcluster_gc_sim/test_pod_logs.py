"""The ``log`` subresource of pods over real HTTP: simulated containers print a line or two, a
process published as a pod serves its own lines (tail, timestamps, follow), and the errors are
kube-apiserver's (unknown container, several containers, not started, no previous container)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from kro.devcluster.logs import LogBuffer, ProcessPod
from tests.integration.conftest import ApiClient
from tests.integration.devcluster_gc_sim.conftest import eventually

PODS = "/api/v1/namespaces/default/pods"


def _pod(name: str, *containers: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": c, "image": f"{c}:1"} for c in containers]}}


async def _text(api: ApiClient, path: str, **params: str) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {api.server.token}"}
    async with api.session.get(api.server.url + path, params=params, headers=headers) as resp:
        return resp.status, await resp.text()


async def _running(api: ApiClient, name: str) -> None:
    async def check() -> bool:
        status, pod = await api.get(f"{PODS}/{name}")
        return status == 200 and (pod.get("status") or {}).get("phase") == "Running"

    await eventually(check, what=f"pod {name} Running")


async def test_a_simulated_container_prints_that_it_started(sim: ApiClient) -> None:
    assert (await sim.post(PODS, _pod("one", "web")))[0] == 201
    await _running(sim, "one")
    status, text = await _text(sim, f"{PODS}/one/log")
    assert status == 200
    assert text.splitlines()[0] == "[kro dev] container web started (image web:1)"
    status, text = await _text(sim, f"{PODS}/one/log", tailLines="1", timestamps="true")
    stamp, _, line = text.strip().partition(" ")
    assert len(text.splitlines()) == 1 and stamp.endswith("Z") and "simulated" in line


async def test_log_errors_are_kube_apiservers(sim: ApiClient) -> None:
    assert (await sim.post(PODS, _pod("two", "a", "b")))[0] == 201
    await _running(sim, "two")
    status, body = await sim.get(f"{PODS}/two/log")
    assert status == 400 and body["message"] == "a container name must be specified for pod two, choose one of: [a b]"
    status, body = await sim.get(f"{PODS}/two/log", params={"container": "nope"})
    assert status == 400 and body["message"] == "container nope is not valid for pod two"
    status, body = await sim.get(f"{PODS}/two/log", params={"container": "a", "previous": "true"})
    assert status == 400 and body["message"] == 'previous terminated container "a" in pod "two" not found'
    status, body = await sim.get(f"{PODS}/two/log", params={"container": "a", "tailLines": "-2"})
    assert status == 422 and body["details"]["causes"][0]["field"] == "tailLines"
    status, body = await sim.get(f"{PODS}/missing/log")
    assert status == 404 and body["reason"] == "NotFound"


async def test_a_published_process_serves_and_follows_its_own_log(sim: ApiClient) -> None:
    buffer = LogBuffer(capacity=3)
    for i in range(5):
        buffer.write(f"line {i}")
    pod = ProcessPod("kro-system", "proc-", {"app": "proc"}, "main", "proc:1")
    name = await sim.server.publish_process_pod(pod, buffer)
    path = f"/api/v1/namespaces/kro-system/pods/{name}/log"
    status, text = await _text(sim, path)
    assert status == 200 and text.splitlines() == ["line 2", "line 3", "line 4"]  # a ring buffer
    status, text = await _text(sim, path, tailLines="1")
    assert text == "line 4\n"
    headers = {"Authorization": f"Bearer {sim.server.token}"}
    async with sim.session.get(sim.server.url + path, params={"follow": "true", "tailLines": "0"}, headers=headers,
                               timeout=aiohttp.ClientTimeout(total=10)) as resp:
        assert resp.status == 200
        await asyncio.sleep(0.05)
        buffer.write("live")
        assert await asyncio.wait_for(resp.content.readline(), 5) == b"live\n"
    # Publishing again (a restarted process) replaces the pod the previous run left.
    again = await sim.server.publish_process_pod(pod, buffer)
    status, listed = await sim.get("/api/v1/namespaces/kro-system/pods", params={"labelSelector": "app=proc"})
    assert [p["metadata"]["name"] for p in listed["items"]] == [again]
