"""The controller process around the reconcilers: HTTP endpoints, leader election, the queue policy."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import aiohttp
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from kro.api.refs import GVR
from kro.controller.app import ControllerSettings, run_controller
from kro.controller.metrics import Metrics
from kro.controller.reconcile import Key, schedule
from kro.kube import KubeClient
from kro.kube.errors import NotFound
from kro.kube.leaderelection import LEASES
from kro.kube.stats import WRITE_VERBS, RequestStats
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


async def test_metrics_publish_the_clients_requests(kube: KubeClient) -> None:
    # counts from before the controller started (and a 429 history) are the client's too
    stats = RequestStats(retries_429=2, throttled_seconds=1.5)
    stats.errors_by_status[429] = 2
    port = free_port()
    settings = ControllerSettings(metrics_bind_address=f"127.0.0.1:{port}", health_probe_bind_address="0")
    stop = asyncio.Event()
    async with KubeClient(kube.config, stats=stats) as client:
        task = asyncio.create_task(run_controller(settings, client=client, stop_event=stop))
        async with aiohttp.ClientSession() as http:

            async def scrape() -> dict[str, dict[str, float]]:
                async with http.get(f"http://127.0.0.1:{port}/metrics") as r:
                    text = await r.text()
                out: dict[str, dict[str, float]] = {}
                for family in text_string_to_metric_families(text):
                    for sample in family.samples:
                        label = next(iter(sample.labels.values()), "")
                        out.setdefault(sample.name, {})[label] = sample.value
                return out

            async def started() -> bool:
                try:
                    return (await scrape()).get("kro_client_requests_total", {}).get("watch", 0) > 0
                except aiohttp.ClientConnectionError:
                    return False

            await eventually(started)
            before = stats.snapshot()
            seen = await scrape()
            after = stats.snapshot()
        stop.set()
        await asyncio.wait_for(task, 10)

    by_verb = seen["kro_client_requests_total"]
    # the controller installed its CRD (a write), listed and watched through this client
    assert {"list", "watch"} <= by_verb.keys()
    for verb, n in by_verb.items():
        assert before.get(verb, 0) <= n <= after.get(verb, 0), verb
    writes = seen["kro_client_writes_total"][""]
    assert writes == sum(n for verb, n in by_verb.items() if verb in WRITE_VERBS) > 0
    assert seen["kro_client_retries_429_total"][""] == 2
    assert seen["kro_client_errors_total"]["429"] >= 2
    assert seen["kro_client_throttled_seconds_total"][""] >= 1.5


NODE_STATES = ("Synced", "InProgress", "Error", "Deleting")
UPDATES = st.lists(
    st.tuples(
        st.sampled_from(("redis", "queues")),
        st.sampled_from(("a/one", "a/two", "b/one")),
        # None: the instance was deleted
        st.none() | st.dictionaries(st.sampled_from(NODE_STATES), st.integers(0, 5)),
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(UPDATES)
def test_node_state_gauges_equal_a_full_recount(
    updates: list[tuple[str, str, dict[str, int] | None]],
) -> None:
    metrics = Metrics(CollectorRegistry())
    latest: dict[tuple[str, str], dict[str, int]] = {}
    for resource, instance, counts in updates:
        metrics.record_nodes(resource, instance, counts)
        if counts is None:
            latest.pop((resource, instance), None)
        else:
            latest[(resource, instance)] = counts
    for resource in ("redis", "queues"):
        for state in NODE_STATES:
            recount = sum(c.get(state, 0) for (r, _), c in latest.items() if r == resource)
            published = metrics.registry.get_sample_value(
                "kro_instance_nodes", {"resource": resource, "state": state}
            )
            # a state never reported is not published; one that was, is published with its total
            assert (published or 0) == recount, (resource, state)


async def test_one_leader_at_a_time_and_handover_on_stop(kube: KubeClient, kapi: ApiClient) -> None:
    await kube.create(
        GVR("", "v1", "namespaces"),
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kro-system"}},
    )

    def settings(identity: str) -> ControllerSettings:
        # A lease far longer than the test: b can only take over through a's release on stop, never
        # by expiry; and a renew deadline long enough that a stalled, loaded machine does not make
        # a step down (that would be leader election working, not what this test is about).
        return replace(
            SETTINGS,
            leader_elect=True,
            leader_election_identity=identity,
            lease_duration=120.0,
            renew_deadline=60.0,
            retry_period=0.2,
        )

    async def lease() -> dict[str, Any]:
        try:
            found: dict[str, Any] = (await kube.get(LEASES, "controller.kro.run", namespace="kro-system"))["spec"]
        except NotFound:
            return {}
        return found

    stop_a, stop_b = asyncio.Event(), asyncio.Event()
    a = asyncio.create_task(run_controller(settings("a"), client=kube, stop_event=stop_a))
    tasks = [a]
    try:
        await eventually(lambda: _true_async(lease(), "holderIdentity", "a"), timeout=WORK)
        async with KubeClient(kube.config) as client_b:  # b's own requests, counted apart from a's
            b = asyncio.create_task(run_controller(settings("b"), client=client_b, stop_event=stop_b))
            tasks.append(b)
            await _lead_then_hand_over(kapi, a, stop_a, client_b, lease)
            stop_b.set()
            await asyncio.wait_for(b, WORK)
    finally:
        stop_a.set()
        stop_b.set()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _lead_then_hand_over(
    kapi: ApiClient,
    a: asyncio.Task[None],
    stop_a: asyncio.Event,
    client_b: KubeClient,
    lease: Callable[[], Awaitable[dict[str, Any]]],
) -> None:
    def lease_reads() -> int:
        return client_b.stats.by_resource[("get", "leases.coordination.k8s.io")]

    # a holds the Lease before it has installed kro's CRDs: wait until it serves the RGD API
    await eventually(lambda: _served(kapi, RGDS), timeout=WORK)
    await create(kapi, RGDS, note_rgd("first"))
    await eventually(lambda: rgd_active(kapi, "first"), timeout=WORK)  # a does the work
    # b keeps campaigning while a leads: let it look at the Lease a few more times
    seen = lease_reads()
    await eventually(lambda: _at_least(lease_reads(), seen + 3), timeout=WORK)
    held = await lease()
    assert held["holderIdentity"] == "a" and held["leaseTransitions"] == 0, held
    assert client_b.stats.writes == 0, client_b.stats.snapshot()  # b wrote nothing, the Lease included

    stop_a.set()
    await asyncio.wait_for(a, WORK)
    # a released the Lease on its way out: b holds it long before it could have expired
    await eventually(lambda: _true_async(lease(), "holderIdentity", "b"), timeout=WORK)
    assert (await lease())["leaseTransitions"] == 1
    await create(kapi, RGDS, note_rgd("second"))
    await eventually(lambda: rgd_active(kapi, "second"), timeout=WORK)  # b does the work now
    assert client_b.stats.writes > 0


async def _served(kapi: ApiClient, path: str) -> bool:
    code, _ = await kapi.get(path)
    return code == 200


# generous bounds for conditions awaited on a loaded machine; well under the lease's 120 s
WORK = 60.0


async def _at_least(value: int, floor: int) -> bool:
    return value >= floor


async def _true_async(spec: Awaitable[dict[str, Any]], key: str, expected: object) -> bool:
    return (await spec).get(key) == expected


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
