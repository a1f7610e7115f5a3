"""What an operator sees of an instance's life: log lines, Kubernetes Events on the instance, a
deletion that raises no warnings, and instances released when their RGD goes away."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from kro.api.features import parse_feature_gates
from kro.api.refs import GVR
from kro.controller.app import Controller
from kro.kube import KubeClient

from ..conftest import ApiClient
from .conftest import SETTINGS, eventually, start_controller
from .helpers import RGDS, core, create, example, get, instances, rgd_active

REDIS = instances("redis", "session-cache")
REDIS_GVR = GVR("kro.run", "v1alpha1", "redis")


async def events_of(api: ApiClient, name: str) -> list[dict[str, Any]]:
    code, body = await api.get(core("events"))
    assert code == 200, body
    # Only the instance's own Events: the workload simulation records Events on the children
    # (a StatefulSet named like the instance), as kube-controller-manager does.
    return [
        e
        for e in body["items"]
        if e["involvedObject"]["name"] == name and e["involvedObject"]["kind"] == "Redis"
    ]


async def reasons(api: ApiClient, name: str) -> list[str]:
    return [e["reason"] for e in await events_of(api, name)]


async def redis_instance(api: ApiClient) -> dict[str, Any]:
    await create(api, RGDS, example("redis"))
    await eventually(lambda: rgd_active(api, "redis"))
    await create(api, instances("redis"), example("redis", "instance.yaml"))

    async def active() -> dict[str, Any] | None:
        obj = await get(api, REDIS)
        return obj if obj and (obj.get("status") or {}).get("state") == "ACTIVE" else None

    return await eventually(active, timeout=15)


def kro_records(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("kro.controller") and r.levelno >= level]


async def test_deleting_an_instance_raises_no_warnings(
    kapi: ApiClient, controller: Controller, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await redis_instance(kapi)
    code, _ = await kapi.delete(REDIS)
    assert code == 200
    await eventually(lambda: _absent(kapi, REDIS))
    assert [r.getMessage() for r in kro_records(caplog, logging.WARNING)] == []
    assert not any("409" in r.getMessage() for r in caplog.records)


@pytest.fixture
async def telling_controller(kube: KubeClient) -> AsyncIterator[Controller]:
    """The controller with ``--feature-gates=InstanceConditionEvents=true``."""
    gates = parse_feature_gates("InstanceConditionEvents=true")
    ctrl, finish = await start_controller(kube, replace(SETTINGS, feature_gates=gates))
    try:
        yield ctrl
    finally:
        await finish()


async def test_transitions_are_logged_but_not_recorded_as_events_by_default(
    kapi: ApiClient, controller: Controller, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await redis_instance(kapi)
    messages = [r.getMessage() for r in kro_records(caplog, logging.INFO)]
    assert any("IN_PROGRESS -> ACTIVE" in m for m in messages), messages
    assert await events_of(kapi, "session-cache") == []


async def test_the_instance_story_is_logged_and_recorded_as_events(
    kapi: ApiClient, telling_controller: Controller, caplog: pytest.LogCaptureFixture
) -> None:
    controller = telling_controller
    caplog.set_level(logging.INFO)
    await redis_instance(kapi)
    messages = [r.getMessage() for r in kro_records(caplog, logging.INFO)]
    assert any("accepted" in m and "config, statefulset, headless, client" in m for m in messages), messages
    assert any("CustomResourceDefinition redis.kro.run created" in m for m in messages), messages
    assert any("serving Redis" in m for m in messages), messages
    assert any("created ConfigMap/default/session-cache-config" in m for m in messages), messages
    assert any("IN_PROGRESS -> ACTIVE" in m for m in messages), messages
    transitions = [r for r in caplog.records if getattr(r, "state", None) == "ACTIVE"]
    assert transitions and transitions[0].__dict__["instance"] == "default/session-cache"

    story = await eventually(lambda: _has(reasons(kapi, "session-cache"), "ResourcesReady"))
    assert story.count("ResourcesReady") == 1
    events = sorted(await events_of(kapi, "session-cache"), key=lambda e: e["eventTime"])
    waits = [e["message"] for e in events if e["reason"] == "WaitingForReadiness"]
    # one event per node waited on: the ConfigMap and the StatefulSet are created in one reconcile
    # (the StatefulSet's dependency is met by the server's answer), then the StatefulSet's readiness
    assert [m.split(":")[0] for m in waits] == ["waiting for statefulset"], waits
    assert events[-1]["reason"] == "ResourcesReady"
    for e in events:
        # what kube-apiserver requires of a core/v1 Event that has an eventTime
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", e["eventTime"]), e
        assert e["reportingComponent"] == "kro.run/controller"
        assert e["reportingInstance"] and e["action"] == "Reconcile"
        assert "series" not in e
    # name order (the order the API server lists them in, which kubectl keeps for same-second
    # events) is the order they happened in
    assert sorted(events, key=lambda e: e["metadata"]["name"]) == events

    # a converged instance neither logs nor records anything more
    before = len(caplog.records)
    events = len(await events_of(kapi, "session-cache"))
    controller.manager.enqueue_all(REDIS_GVR)
    await asyncio.sleep(1.0)
    assert [r.getMessage() for r in caplog.records[before:] if r.levelno >= logging.INFO] == []
    assert len(await events_of(kapi, "session-cache")) == events
    # the queue told the metrics what it did: keys went through and none is left waiting
    assert controller.metrics.queue_adds._value.get() > 0
    assert controller.metrics.queue_depth._value.get() == 0


async def test_rgd_deletion_releases_its_instances(
    kapi: ApiClient, controller: Controller, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await redis_instance(kapi)
    code, _ = await kapi.delete(f"{RGDS}/redis")
    assert code == 200
    await eventually(lambda: _absent(kapi, f"{RGDS}/redis"))

    async def released() -> dict[str, Any] | None:
        obj = await get(kapi, REDIS)
        return obj if obj and "kro.run/finalizer" not in (obj["metadata"].get("finalizers") or []) else None

    instance = await eventually(released)
    assert "finalizers" not in instance["metadata"]  # removed, not left as []
    await eventually(lambda: _has(reasons(kapi, "session-cache"), "Unmanaged"))
    # children and data stay
    assert await get(kapi, core("configmaps", "session-cache-config")) is not None
    # and deleting the instance later does not hang
    code, _ = await kapi.delete(REDIS)
    assert code == 200
    assert await get(kapi, REDIS) is None
    assert await get(kapi, core("configmaps", "session-cache-config")) is not None
    assert any("no longer managed" in r.getMessage() for r in kro_records(caplog, logging.INFO))


async def _absent(api: ApiClient, path: str) -> bool:
    return await get(api, path) is None


async def _has(found: Any, reason: str) -> list[str] | None:
    got: list[str] = await found
    return got if reason in got else None
