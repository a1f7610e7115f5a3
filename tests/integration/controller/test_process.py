"""The controller process around the reconcilers: HTTP endpoints, leader election, the queue policy."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace

import aiohttp

from kro.api.refs import GVR
from kro.controller.app import ControllerSettings, run_controller
from kro.controller.reconcile import Key, schedule
from kro.kube import KubeClient
from kro.kube.errors import NotFound
from kro.kube.leaderelection import LEASES
from kro.kube.workqueue import WorkQueue
from kro.runtime.outcome import Done, Requeue, Terminal

from ..conftest import ApiClient
from .conftest import SETTINGS, eventually
from .helpers import RGDS, create, rgd_active


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_metrics_and_probes(kube: KubeClient) -> None:
    metrics, health = free_port(), free_port()
    settings = ControllerSettings(
        metrics_bind_address=f"127.0.0.1:{metrics}", health_probe_bind_address=f"127.0.0.1:{health}"
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run_controller(settings, client=kube, stop_event=stop))
    async with aiohttp.ClientSession() as http:

        async def ready() -> bool:
            try:
                async with http.get(f"http://127.0.0.1:{health}/readyz") as r:
                    return r.status == 200
            except aiohttp.ClientConnectionError:
                return False

        await eventually(ready)
        async with http.get(f"http://127.0.0.1:{health}/healthz") as r:
            assert r.status == 200
        async with http.get(f"http://127.0.0.1:{metrics}/metrics") as r:
            text = await r.text()
        assert "kro_workqueue_depth" in text
        # the work queue's own figures, reported through kro.kube's QueueMetrics hook
        assert "kro_workqueue_adds_total" in text
        assert "kro_workqueue_queue_duration_seconds_bucket" in text
        assert "kro_instance_controllers 0.0" in text
    stop.set()
    await asyncio.wait_for(task, 10)


async def test_one_leader_at_a_time_and_handover_on_stop(kube: KubeClient, kapi: ApiClient) -> None:
    await kube.create(
        GVR("", "v1", "namespaces"),
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kro-system"}},
    )

    def settings(identity: str) -> ControllerSettings:
        return replace(
            SETTINGS,
            leader_elect=True,
            leader_election_identity=identity,
            lease_duration=3.0,
            renew_deadline=2.0,
            retry_period=0.2,
        )

    stop_a, stop_b = asyncio.Event(), asyncio.Event()
    a = asyncio.create_task(run_controller(settings("a"), client=kube, stop_event=stop_a))

    async def holder() -> str:
        try:
            lease = await kube.get(LEASES, "controller.kro.run", namespace="kro-system")
        except NotFound:
            return ""
        return str(lease["spec"].get("holderIdentity") or "")

    await eventually(lambda: _true_async(holder(), "a"))
    b = asyncio.create_task(run_controller(settings("b"), client=kube, stop_event=stop_b))
    await create(kapi, RGDS, note_rgd("first"))
    await eventually(lambda: rgd_active(kapi, "first"))
    await asyncio.sleep(0.5)
    assert await holder() == "a"

    stop_a.set()
    await asyncio.wait_for(a, 10)
    await eventually(lambda: _true_async(holder(), "b"), timeout=5)
    await create(kapi, RGDS, note_rgd("second"))
    await eventually(lambda: rgd_active(kapi, "second"))  # b does the work now
    stop_b.set()
    await asyncio.wait_for(b, 10)


def note_rgd(name: str) -> dict[str, object]:
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": name},
        "spec": {
            "schema": {"apiVersion": "v1alpha1", "kind": name.capitalize(), "spec": {}},
            "resources": [],
        },
    }


async def _true_async(value: object, expected: object) -> bool:
    return bool(await value == expected)  # type: ignore[misc]


async def test_outcomes_become_queue_operations() -> None:
    queue: WorkQueue[Key] = WorkQueue()
    key = Key(GVR("kro.run", "v1alpha1", "apps"), "default", "a")
    assert schedule(queue, key, RuntimeError("boom")) == "error"
    assert queue.num_requeues(key) == 1
    assert schedule(queue, key, Requeue(after=0.05)) == "requeue"
    assert queue.num_requeues(key) == 0
    assert await asyncio.wait_for(queue.get(), 1) == key
    queue.done(key)
    assert schedule(queue, key, Terminal("bad input")) == "terminal"
    assert schedule(queue, key, Done()) == "done"
    await asyncio.sleep(0.1)
    assert len(queue) == 0
    queue.shutdown()


def test_log_lines_carry_their_structured_fields() -> None:
    import json
    import logging

    from kro.cli.cmd_controller import JsonFormatter, TextFormatter

    record = logging.makeLogRecord(
        {"name": "kro.controller.transitions", "levelno": logging.INFO, "levelname": "INFO",
         "msg": "Redis %s: IN_PROGRESS -> ACTIVE", "args": ("default/session-cache",),
         "instance": "default/session-cache", "state": "ACTIVE"}
    )  # fmt: skip
    entry = json.loads(JsonFormatter().format(record))
    assert entry["msg"] == "Redis default/session-cache: IN_PROGRESS -> ACTIVE"
    assert entry["instance"] == "default/session-cache" and entry["state"] == "ACTIVE"
    assert entry["level"] == "info"
    text = TextFormatter().format(record)
    assert text.endswith("IN_PROGRESS -> ACTIVE instance=default/session-cache state=ACTIVE")
