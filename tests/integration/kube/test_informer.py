"""Reflectors, informers and the shared factory against the local API server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kro.api import GVR, Labels
from kro.devcluster import DevServer, DevServerConfig
from kro.kube import Backoff, ClusterConfig, Informer, InformerFactory, KubeClient
from tests.integration.kube.builders import WIDGETS, install_widget_crd, widget

CONFIGMAPS = GVR("", "v1", "configmaps")


def configmap(name: str, *, namespace: str = "default", **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "data": {},
    }


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def add(self, obj: dict[str, Any]) -> None:
        self.events.append(("add", obj["metadata"]["name"]))

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.events.append(("update", new["metadata"]["name"]))

    def delete(self, obj: dict[str, Any]) -> None:
        self.events.append(("delete", obj["metadata"]["name"]))

    def attach(self, informer: Informer) -> None:
        informer.add_handler(self.add, self.update, self.delete)


async def test_informer_lists_then_sees_adds_updates_and_deletes(client: KubeClient) -> None:
    await client.create(CONFIGMAPS, configmap("before"))
    informer = Informer(client, CONFIGMAPS, namespace="default", label_indexes=[Labels.INSTANCE_ID])
    seen = Recorder()
    seen.attach(informer)
    informer.start()
    try:
        assert await informer.wait_for_sync(5)
        assert informer.cache.get("before", "default") is not None
        await client.create(CONFIGMAPS, configmap("x", **{Labels.INSTANCE_ID: "u1"}))
        await client.patch(CONFIGMAPS, "x", {"data": {"k": "v"}}, namespace="default")
        await client.delete(CONFIGMAPS, "x", namespace="default")
        await eventually(lambda: ("delete", "x") in seen.events)
        assert [e for e in seen.events if e[1] == "x"] == [("add", "x"), ("update", "x"), ("delete", "x")]
        assert ("add", "before") in seen.events
        assert informer.cache.get("x", "default") is None
        assert informer.cache.by_label(Labels.INSTANCE_ID, "u1") == []
    finally:
        await informer.stop()


async def test_cached_objects_carry_no_managed_fields_and_are_indexed(client: KubeClient) -> None:
    informer = Informer(client, CONFIGMAPS, label_indexes=[Labels.INSTANCE_ID])
    informer.start()
    try:
        assert await informer.wait_for_sync(5)
        await client.apply(CONFIGMAPS, configmap("a", **{Labels.INSTANCE_ID: "u1"}), field_manager="t")
        await client.apply(
            CONFIGMAPS,
            configmap("b", namespace="kube-system", **{Labels.INSTANCE_ID: "u1"}),
            field_manager="t",
        )
        await eventually(lambda: len(informer.cache.by_label(Labels.INSTANCE_ID, "u1")) == 2)
        cached = informer.cache.get("a", "default")
        assert cached is not None and "managedFields" not in cached["metadata"]
        assert [
            o["metadata"]["name"] for o in informer.cache.list("kube-system") if o["metadata"]["name"] == "b"
        ] == ["b"]
    finally:
        await informer.stop()


async def test_a_handler_added_late_is_told_of_existing_objects(client: KubeClient) -> None:
    await client.create(CONFIGMAPS, configmap("early"))
    informer = Informer(client, CONFIGMAPS, namespace="default")
    informer.start()
    try:
        assert await informer.wait_for_sync(5)
        seen = Recorder()
        seen.attach(informer)
        assert ("add", "early") in seen.events
    finally:
        await informer.stop()


async def test_label_selected_informer_only_caches_matching_objects(client: KubeClient) -> None:
    informer = Informer(client, CONFIGMAPS, namespace="default", label_selector={"pick": "me"})
    informer.start()
    try:
        assert await informer.wait_for_sync(5)
        await client.create(CONFIGMAPS, configmap("no"))
        await client.create(CONFIGMAPS, configmap("yes", pick="me"))
        await eventually(lambda: informer.cache.get("yes", "default") is not None)
        assert informer.cache.get("no", "default") is None
    finally:
        await informer.stop()


async def test_stuck_stream_is_restarted_and_a_compacted_version_forces_a_relist(tmp_path: Path) -> None:
    # No bookmarks for a long time and a tiny event window: the watchdog restarts the silent watch,
    # whose version has meanwhile left the window, so the server answers 410 and the reflector relists.
    server = DevServer(
        DevServerConfig(tls=False, watch_window=3, bookmark_interval=600, kubeconfig_path=tmp_path / "kc")
    )
    await server.start()
    try:
        async with KubeClient(ClusterConfig.from_kubeconfig(str(server.kubeconfig_path))) as c:
            informer = Informer(
                c, CONFIGMAPS, namespace="default", label_selector={"pick": "me"}, idle_timeout=0.3
            )
            seen = Recorder()
            seen.attach(informer)
            informer.start()
            try:
                assert await informer.wait_for_sync(5)
                for i in range(6):
                    await c.create(CONFIGMAPS, configmap(f"noise{i}"))  # filtered out: no events reach us
                await eventually(lambda: informer.reflector.relists_on_gone >= 1)
                assert informer.reflector.stuck_restarts >= 1
                await c.create(CONFIGMAPS, configmap("wanted", pick="me"))
                await eventually(lambda: ("add", "wanted") in seen.events)
            finally:
                await informer.stop()
    finally:
        await server.stop()


async def test_a_restarted_informer_relists_and_reports_what_changed_meanwhile(client: KubeClient) -> None:
    await client.create(CONFIGMAPS, configmap("old"))
    informer = Informer(client, CONFIGMAPS, namespace="default")
    seen = Recorder()
    seen.attach(informer)
    informer.start()
    assert await informer.wait_for_sync(5)
    await informer.stop()  # the cache keeps its last state
    await client.delete(CONFIGMAPS, "old", namespace="default")
    await client.create(CONFIGMAPS, configmap("new"))
    informer.start()
    try:
        await eventually(lambda: ("delete", "old") in seen.events and ("add", "new") in seen.events)
        assert informer.reflector.lists == 2
        assert [o["metadata"]["name"] for o in informer.cache.list()] == ["kube-root-ca.crt", "new"]
    finally:
        await informer.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def restart_scenario(tmp_path: Path, *, writes_while_reconnecting: int, backoff: Backoff) -> Informer:
    """Sync an informer, restart the server (objects kept, event history not), write, wait."""
    config = DevServerConfig(
        tls=False,
        port=free_port(),
        state_dir=tmp_path / "state",
        token="t",
        bookmark_interval=0.2,
        watch_window=2,
    )
    server = DevServer(config)
    await server.start()
    async with KubeClient(ClusterConfig.explicit(server.url, token="t")) as c:
        await c.create(CONFIGMAPS, configmap("old"))
        informer = Informer(c, CONFIGMAPS, namespace="default", backoff=backoff)
        seen = Recorder()
        seen.attach(informer)
        informer.start()
        try:
            assert await informer.wait_for_sync(5)
            await server.stop()
            server = DevServer(config)
            await server.start()
            await c.delete(CONFIGMAPS, "old", namespace="default")
            for i in range(writes_while_reconnecting):
                await c.create(CONFIGMAPS, configmap(f"new{i}"))
            last = f"new{writes_while_reconnecting - 1}"
            await eventually(lambda: ("delete", "old") in seen.events and ("add", last) in seen.events)
            assert sorted(o["metadata"]["name"] for o in informer.cache.list()) == [
                "kube-root-ca.crt", *(f"new{i}" for i in range(writes_while_reconnecting))
            ]
            assert informer.reflector.watches >= 2  # the stream dropped and was started again
            return informer
        finally:
            await informer.stop()
            await server.stop()


async def test_after_an_api_server_restart_the_watch_resumes_from_the_last_version(tmp_path: Path) -> None:
    informer = await restart_scenario(tmp_path, writes_while_reconnecting=1, backoff=Backoff(0.05, 0.2))
    assert informer.reflector.lists == 1  # resumed, no relist
    assert informer.reflector.relists_on_gone == 0


async def test_a_version_compacted_while_disconnected_forces_a_relist(tmp_path: Path) -> None:
    # The reflector reconnects only after 2 s; by then three writes pushed its version out of the
    # server's two-event window, so the watch is answered with 410 and the reflector relists.
    informer = await restart_scenario(
        tmp_path, writes_while_reconnecting=3, backoff=Backoff(2.0, 2.0, jitter=0)
    )
    assert informer.reflector.relists_on_gone == 1
    assert informer.reflector.lists == 2


async def test_factory_shares_informers_and_stops_them_with_the_last_release(client: KubeClient) -> None:
    factory = InformerFactory(client, label_indexes=[Labels.INSTANCE_ID])
    try:
        a = factory.informer(CONFIGMAPS, namespace="default")
        b = factory.informer(CONFIGMAPS, namespace="default")
        other = factory.informer(CONFIGMAPS, namespace="kube-system")
        assert a is b and a is not other
        assert factory.references(CONFIGMAPS, namespace="default") == 2
        assert await factory.wait_for_sync(5)
        assert a.cache.has_index(f"label:{Labels.INSTANCE_ID}")
        seen = Recorder()
        handler = a.add_handler(on_add=seen.add)
        assert not await factory.release(CONFIGMAPS, namespace="default", handler=handler)
        assert a.running
        await client.create(CONFIGMAPS, configmap("after-release"))
        await eventually(lambda: a.cache.get("after-release", "default") is not None)
        assert ("add", "after-release") not in seen.events  # the released handler is not called
        assert await factory.release(CONFIGMAPS, namespace="default")
        assert not a.running
        assert factory.get(CONFIGMAPS, namespace="default") is None
        again = factory.informer(CONFIGMAPS, namespace="default")  # started afresh at run time
        assert again is not a and await again.wait_for_sync(5)
    finally:
        await factory.shutdown()
    assert factory.informers() == []


async def test_resync_redelivers_cached_objects_and_a_failing_handler_harms_no_other(
    client: KubeClient,
) -> None:
    await client.create(CONFIGMAPS, configmap("r"))
    informer = Informer(client, CONFIGMAPS, namespace="default", resync_period=0.1)

    def broken(obj: dict[str, Any]) -> None:
        raise RuntimeError("handler bug")

    informer.add_handler(on_add=broken)
    seen = Recorder()
    seen.attach(informer)
    informer.start()
    try:
        await eventually(lambda: seen.events.count(("update", "r")) >= 2)
        assert ("add", "r") in seen.events
        assert informer.running
    finally:
        await informer.stop()


async def test_factory_starts_an_informer_for_a_kind_defined_at_run_time(client: KubeClient) -> None:
    factory = InformerFactory(client)
    try:
        await install_widget_crd(client)
        informer = factory.informer(WIDGETS, namespace="default")
        assert await informer.wait_for_sync(5)
        await client.create(WIDGETS, widget("w1"))
        await eventually(lambda: informer.cache.get("w1", "default") is not None)
        assert await factory.release(WIDGETS, namespace="default")
        assert not informer.running
    finally:
        await factory.shutdown()


async def test_objects_cached_from_a_list_say_what_they_are(client: KubeClient) -> None:
    """kube-apiserver's list items of a built-in kind carry no apiVersion/kind; the cache's do."""
    await client.create(CONFIGMAPS, configmap("listed"))
    raw = await client.transport.request("GET", "/api/v1/namespaces/default/configmaps", verb="list")
    assert all("kind" not in item for item in raw["items"])  # the server lists like kube-apiserver
    informer = Informer(client, CONFIGMAPS, namespace="default")
    informer.start()
    try:
        assert await informer.wait_for_sync(5)
        cached = informer.cache.get("listed", "default")
        assert cached is not None
        assert (cached["apiVersion"], cached["kind"]) == ("v1", "ConfigMap")
    finally:
        await informer.stop()
