"""The client against the local API server over HTTP: CRUD, apply, patch, delete, watch, discovery."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from kro.api import GVK, GVR
from kro.devcluster import DevServer
from kro.kube import ClusterConfig, KubeClient, WatchEvent
from kro.kube.errors import AlreadyExists, Conflict, Gone, Invalid, NotFound, TransportError, Unauthorized
from tests.integration.kube.builders import WIDGET, configmap, install_widget_crd

CONFIGMAPS = GVR("", "v1", "configmaps")
DEPLOYMENTS = GVR("apps", "v1", "deployments")
NAMESPACES = GVR("", "v1", "namespaces")


async def test_create_get_replace_delete_round_trip(client: KubeClient) -> None:
    created = await client.create(CONFIGMAPS, configmap("a", {"k": "1"}))
    assert created["metadata"]["uid"]
    got = await client.get(CONFIGMAPS, "a", namespace="default")
    assert got["data"] == {"k": "1"}
    got["data"]["k"] = "2"
    replaced = await client.replace(CONFIGMAPS, got)
    assert replaced["data"] == {"k": "2"}
    with pytest.raises(Conflict):
        await client.replace(CONFIGMAPS, got)  # stale resourceVersion
    with pytest.raises(AlreadyExists):
        await client.create(CONFIGMAPS, configmap("a"))
    await client.delete(CONFIGMAPS, "a", namespace="default")
    with pytest.raises(NotFound):
        await client.get(CONFIGMAPS, "a", namespace="default")
    assert client.stats.by_verb["create"] == 2
    assert client.stats.writes >= 5


async def test_delete_preconditions_guard_against_a_different_object(client: KubeClient) -> None:
    created = await client.create(CONFIGMAPS, configmap("p"))
    with pytest.raises(Conflict):
        await client.delete(CONFIGMAPS, "p", namespace="default", preconditions={"uid": "not-the-uid"})
    await client.delete(
        CONFIGMAPS, "p", namespace="default", preconditions={"uid": created["metadata"]["uid"]}
    )
    with pytest.raises(NotFound):
        await client.delete(CONFIGMAPS, "p", namespace="default")


async def test_server_side_apply_creates_then_updates_and_tracks_managers(client: KubeClient) -> None:
    first = await client.apply(CONFIGMAPS, configmap("s", {"a": "1"}), field_manager="kro-test")
    assert first["data"] == {"a": "1"}
    second = await client.apply(CONFIGMAPS, configmap("s", {"a": "2", "b": "3"}), field_manager="kro-test")
    assert second["data"] == {"a": "2", "b": "3"}
    managers = {m["manager"] for m in second["metadata"].get("managedFields", [])}
    assert "kro-test" in managers


async def test_merge_json_and_status_patches(client: KubeClient) -> None:
    await client.create(CONFIGMAPS, configmap("m", {"a": "1"}))
    merged = await client.patch(CONFIGMAPS, "m", {"data": {"b": "2"}}, namespace="default")
    assert merged["data"] == {"a": "1", "b": "2"}
    patched = await client.patch(
        CONFIGMAPS, "m", [{"op": "remove", "path": "/data/a"}], patch_type="json", namespace="default"
    )
    assert patched["data"] == {"b": "2"}
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d", "namespace": "default"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "d"}},
            "template": {
                "metadata": {"labels": {"app": "d"}},
                "spec": {"containers": [{"name": "c", "image": "x"}]},
            },
        },
    }
    await client.create(DEPLOYMENTS, deploy)
    status = await client.patch_status(
        DEPLOYMENTS, "d", {"status": {"observedGeneration": 1}}, namespace="default"
    )
    assert status["status"]["observedGeneration"] == 1


async def test_invalid_object_is_rejected_with_field_causes(client: KubeClient) -> None:
    bad = configmap("Not_A_Valid_Name")
    with pytest.raises(Invalid) as info:
        await client.create(CONFIGMAPS, bad)
    assert info.value.status == 422


async def test_list_pages_and_label_selectors(client: KubeClient) -> None:
    for i in range(7):
        await client.create(CONFIGMAPS, configmap(f"l{i}", labels={"set": "odd" if i % 2 else "even"}))
    page = await client.list(CONFIGMAPS, namespace="default", limit=3)
    assert len(page["items"]) == 3
    assert page["metadata"].get("continue")
    everything = await client.list_all(CONFIGMAPS, namespace="default", page_size=2)
    names = {o["metadata"]["name"] for o in everything["items"]}
    assert {f"l{i}" for i in range(7)} <= names
    odd = await client.list_all(CONFIGMAPS, namespace="default", label_selector={"set": "odd"})
    assert sorted(o["metadata"]["name"] for o in odd["items"]) == ["l1", "l3", "l5"]
    expr = await client.list(
        CONFIGMAPS,
        namespace="default",
        label_selector={"matchExpressions": [{"key": "set", "operator": "In", "values": ["even"]}]},
    )
    assert sorted(o["metadata"]["name"] for o in expr["items"]) == ["l0", "l2", "l4", "l6"]
    by_field = await client.list(CONFIGMAPS, namespace="default", field_selector={"metadata.name": "l3"})
    assert [o["metadata"]["name"] for o in by_field["items"]] == ["l3"]


async def test_delete_collection_by_label(client: KubeClient) -> None:
    for i in range(3):
        await client.create(CONFIGMAPS, configmap(f"dc{i}", labels={"doomed": "yes"}))
    await client.create(CONFIGMAPS, configmap("keep"))
    await client.delete_collection(CONFIGMAPS, namespace="default", label_selector={"doomed": "yes"})
    left = await client.list_all(CONFIGMAPS, namespace="default", label_selector={"doomed": "yes"})
    assert left["items"] == []
    await client.get(CONFIGMAPS, "keep", namespace="default")


async def test_watch_sees_changes_after_a_resource_version(client: KubeClient) -> None:
    listed = await client.list(CONFIGMAPS, namespace="default")
    rv = listed["metadata"]["resourceVersion"]
    events: list[WatchEvent] = []

    async def collect() -> None:
        async with contextlib.aclosing(
            client.watch(CONFIGMAPS, namespace="default", resource_version=rv)
        ) as stream:
            async for event in stream:
                if event.type != "BOOKMARK":
                    events.append(event)
                if len(events) == 3:
                    return

    task = asyncio.create_task(collect())
    await client.create(CONFIGMAPS, configmap("w", {"a": "1"}))
    await client.patch(CONFIGMAPS, "w", {"data": {"a": "2"}}, namespace="default")
    await client.delete(CONFIGMAPS, "w", namespace="default")
    await asyncio.wait_for(task, 5)
    assert [(e.type, e.object["metadata"]["name"]) for e in events] == [
        ("ADDED", "w"),
        ("MODIFIED", "w"),
        ("DELETED", "w"),
    ]


async def test_watch_sends_bookmarks(client: KubeClient) -> None:
    listed = await client.list(CONFIGMAPS, namespace="default")
    stream = client.watch(
        CONFIGMAPS, namespace="default", resource_version=listed["metadata"]["resourceVersion"]
    )
    async with contextlib.aclosing(stream):
        event = await asyncio.wait_for(anext(stream), 5)
    assert event.type == "BOOKMARK"
    assert event.object["metadata"]["resourceVersion"]


async def test_watch_from_a_compacted_version_raises_gone(tmp_path: Any) -> None:
    from kro.devcluster import DevServerConfig

    server = DevServer(DevServerConfig(tls=False, watch_window=3, kubeconfig_path=tmp_path / "kc"))
    await server.start()
    try:
        async with KubeClient(ClusterConfig.from_kubeconfig(str(server.kubeconfig_path))) as c:
            first = await c.create(CONFIGMAPS, configmap("g0"))
            for i in range(1, 8):
                await c.create(CONFIGMAPS, configmap(f"g{i}"))
            with pytest.raises(Gone):
                async with contextlib.aclosing(
                    c.watch(
                        CONFIGMAPS, namespace="default", resource_version=first["metadata"]["resourceVersion"]
                    )
                ) as stream:
                    async for _ in stream:
                        pass
    finally:
        await server.stop()


async def test_discovery_finds_builtin_kinds_and_misses_unknown_ones(client: KubeClient) -> None:
    info = await client.resource_for(GVK("apps", "v1", "Deployment"))
    assert info is not None
    assert (info.plural, info.namespaced, info.has_status) == ("deployments", True, True)
    ns = await client.resource_for(GVK("", "v1", "Namespace"))
    assert ns is not None and not ns.namespaced
    cm = await client.resource_for(GVK("", "v1", "ConfigMap"))
    assert cm is not None and not cm.has_status
    assert await client.resource_for(GVK("example.com", "v1", "Nothing")) is None
    assert await client.resource_for(GVK("apps", "v1", "Nothing")) is None


async def test_discovery_sees_a_crd_created_at_run_time(client: KubeClient) -> None:
    assert await client.resource_for(WIDGET) is None
    info = await install_widget_crd(client)
    assert (info.plural, info.namespaced, info.has_status) == ("widgets", True, True)


async def test_a_wrong_token_is_unauthorized(devserver: DevServer) -> None:
    async with KubeClient(ClusterConfig.explicit(devserver.url, token="wrong")) as c:
        with pytest.raises(Unauthorized):
            await c.get(NAMESPACES, "default")


async def test_tls_with_the_servers_ca(devserver_tls: DevServer) -> None:
    config = ClusterConfig.from_kubeconfig(str(devserver_tls.kubeconfig_path))
    async with KubeClient(config) as c:
        ns = await c.get(NAMESPACES, "default")
    assert ns["metadata"]["name"] == "default"
    explicit = ClusterConfig.explicit(
        devserver_tls.url, token=devserver_tls.token, ca_file=str(devserver_tls.ca_file)
    )
    async with KubeClient(explicit) as c:
        assert (await c.server_version())["major"]


async def test_discovery_lists_groups_with_the_preferred_version_first(client: KubeClient) -> None:
    groups = await client.discovery.groups()
    assert groups[""] == ["v1"]
    assert groups["apps"][0] == "v1"
    assert "coordination.k8s.io" in groups
    kinds = {r.gvk.kind for r in await client.discovery.resources("apps", "v1")}
    assert {"Deployment", "StatefulSet"} <= kinds


async def test_a_closed_client_refuses_requests(devserver: DevServer) -> None:
    c = KubeClient(ClusterConfig.explicit(devserver.url, token=devserver.token))
    await c.get(NAMESPACES, "default")
    await c.close()
    with pytest.raises(TransportError):
        await c.get(NAMESPACES, "default")


async def test_watch_carries_objects_larger_than_a_stream_buffer(client: KubeClient) -> None:
    listed = await client.list(CONFIGMAPS, namespace="default")
    big = {f"k{i}": "x" * 1000 for i in range(600)}  # ~600 KB on one line of the stream
    stream = client.watch(
        CONFIGMAPS, namespace="default", resource_version=listed["metadata"]["resourceVersion"]
    )
    async with contextlib.aclosing(stream):
        await client.create(CONFIGMAPS, configmap("big", big))
        async for event in stream:
            if event.type == "ADDED":
                break
    assert event.object["data"] == big
