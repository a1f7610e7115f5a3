"""Watch streams: resourceVersion semantics, bookmarks, 410 Gone, selectors, disconnects."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

from kro.devcluster import DevServer, DevServerConfig
from tests.integration.conftest import ApiClient, DevServerFactory
from tests.integration.devcluster.builders import configmap

CMS = "/api/v1/namespaces/default/configmaps"


async def test_watch_without_resource_version_starts_with_current_objects(api: ApiClient) -> None:
    await api.post(CMS, configmap("a"))
    await api.post(CMS, configmap("b"))
    events = await api.watch(CMS, {"timeoutSeconds": "1"})
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "a"), ("ADDED", "b"), ("ADDED", "kube-root-ca.crt")]  # and what every namespace has


async def test_watch_from_resource_version_sees_only_later_changes(api: ApiClient) -> None:
    _, a = await api.post(CMS, configmap("a"))
    rv = a["metadata"]["resourceVersion"]

    async def change() -> None:
        await asyncio.sleep(0.1)
        await api.post(CMS, configmap("b"))
        _, b = await api.get(f"{CMS}/b")
        await api.put(f"{CMS}/b", {**b, "data": {"x": "1"}})
        await api.delete(f"{CMS}/a")

    task = asyncio.create_task(change())
    events = await api.watch(CMS, {"resourceVersion": rv, "timeoutSeconds": "5"}, limit=3)
    await task
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "b"),
        ("MODIFIED", "b"),
        ("DELETED", "a"),
    ]
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert rvs == sorted(rvs) and rvs[0] > int(rv)


async def test_bookmarks_carry_the_latest_resource_version(api: ApiClient) -> None:
    _, a = await api.post(CMS, configmap("a"))
    rv = a["metadata"]["resourceVersion"]
    events = await api.watch(CMS, {"resourceVersion": rv, "allowWatchBookmarks": "true", "timeoutSeconds": "3"})
    bookmarks = [e for e in events if e["type"] == "BOOKMARK"]
    assert bookmarks, events
    assert bookmarks[0]["object"]["kind"] == "ConfigMap"
    assert int(bookmarks[0]["object"]["metadata"]["resourceVersion"]) >= int(rv)


async def test_send_initial_events_ends_with_annotated_bookmark(api: ApiClient) -> None:
    await api.post(CMS, configmap("a"))
    params = {"sendInitialEvents": "true", "allowWatchBookmarks": "true", "resourceVersionMatch": "NotOlderThan", "timeoutSeconds": "1"}
    events = await api.watch(CMS, params, limit=3)
    assert [e["type"] for e in events] == ["ADDED", "ADDED", "BOOKMARK"]  # a and kube-root-ca.crt
    assert events[2]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}


async def test_watch_from_compacted_resource_version_is_410_in_stream(tmp_path: object) -> None:
    async with DevServer(DevServerConfig(tls=False, watch_window=5)) as server, aiohttp.ClientSession() as session:
        api = ApiClient(server, session)
        for i in range(10):
            await api.post(CMS, configmap(f"c{i}"))
        events = await api.watch(CMS, {"resourceVersion": "1", "timeoutSeconds": "2"})
        assert len(events) == 1 and events[0]["type"] == "ERROR"
        status = events[0]["object"]
        assert status["kind"] == "Status" and status["code"] == 410 and status["reason"] == "Expired"


async def test_label_selector_turns_changes_into_added_and_deleted(api: ApiClient) -> None:
    _, a = await api.post(CMS, configmap("a", app="x"))
    rv = a["metadata"]["resourceVersion"]

    async def change() -> None:
        await asyncio.sleep(0.1)
        _, cur = await api.get(f"{CMS}/a")
        cur["metadata"]["labels"] = {"app": "y"}
        _, cur = await api.put(f"{CMS}/a", cur)
        cur["metadata"]["labels"] = {"app": "x"}
        await api.put(f"{CMS}/a", cur)

    task = asyncio.create_task(change())
    events = await api.watch(CMS, {"resourceVersion": rv, "labelSelector": "app=x", "timeoutSeconds": "5"}, limit=2)
    await task
    assert [e["type"] for e in events] == ["DELETED", "ADDED"]
    # DELETED carries the last state that matched (app=x), at the resourceVersion of the change.
    deleted, added = events[0]["object"], events[1]["object"]
    assert deleted["metadata"]["labels"] == {"app": "x"} and deleted["kind"] == "ConfigMap"
    assert int(rv) < int(deleted["metadata"]["resourceVersion"]) < int(added["metadata"]["resourceVersion"])


async def test_bad_resource_version_is_400(api: ApiClient) -> None:
    status, body = await api.get(CMS, params={"watch": "1", "resourceVersion": "abc"})
    assert status == 400 and body["kind"] == "Status"


async def test_client_disconnect_mid_watch_does_not_hurt_the_server(api: ApiClient, devserver: DevServer) -> None:
    baseline = devserver.store.active_watches
    for _ in range(5):
        async with aiohttp.ClientSession() as other:
            resp = await other.get(
                devserver.url + CMS, params={"watch": "1"}, headers={"Authorization": f"Bearer {devserver.token}"}
            )
            assert resp.status == 200
            resp.close()  # drop the connection with the stream open
    await api.post(CMS, configmap("after"))
    events = await api.watch(CMS, {"timeoutSeconds": "1"})
    assert [e["object"]["metadata"]["name"] for e in events] == ["after", "kube-root-ca.crt"]
    for _ in range(100):  # idle streams notice within ~2 s that their client left
        if devserver.store.active_watches == baseline:
            break
        await asyncio.sleep(0.1)
    assert devserver.store.active_watches == baseline


async def test_watch_as_table_for_kubectl(api: ApiClient) -> None:
    await api.post(CMS, configmap("a"))
    async with api.session.get(
        api.server.url + CMS,
        params={"watch": "1", "timeoutSeconds": "1"},
        headers={"Authorization": f"Bearer {api.server.token}", "Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"},
    ) as resp:
        lines = [json.loads(line) for line in (await resp.read()).splitlines() if line.strip()]
    table = lines[0]["object"]
    assert table["kind"] == "Table" and table["columnDefinitions"][0]["name"] == "Name"
    assert table["rows"][0]["cells"][0] == "a"


async def test_stopping_the_server_ends_open_watches() -> None:
    server = DevServer(DevServerConfig(tls=False))
    await server.start()
    async with aiohttp.ClientSession() as session:
        resp = await session.get(server.url + CMS, params={"watch": "1"})
        assert resp.status == 200
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.wait_for(server.stop(), 5)
        assert loop.time() - started < 3
        rest = await asyncio.wait_for(resp.read(), 5)  # the stream ends instead of hanging
        assert b"ERROR" not in rest
        resp.close()


async def test_a_burst_of_events_goes_out_in_one_chunk(devserver: DevServer) -> None:
    """Events already queued together are written together (one write, not one per event)."""
    rt = devserver.registry.get("", "v1", "configmaps")
    assert rt is not None
    url = f"{devserver.url}/api/v1/namespaces/default/configmaps"
    headers = {"Authorization": f"Bearer {devserver.token}"}
    since = str(devserver.store.resource_version)
    async with aiohttp.ClientSession() as session, session.get(
        url, params={"watch": "1", "resourceVersion": since}, headers=headers,
        timeout=aiohttp.ClientTimeout(total=10),
    ) as resp:
        assert resp.status == 200
        # All 20 creates finish before the watch stream runs again, so they reach it as one burst.
        await asyncio.gather(*(devserver.objects.create(rt, "default", configmap(f"burst-{i}")) for i in range(20)))
        names: list[str] = []
        chunks = 0
        buffered = b""
        async for data, end_of_chunk in resp.content.iter_chunks():
            buffered += data
            chunks += end_of_chunk
            *lines, buffered = buffered.split(b"\n")
            names += [json.loads(line)["object"]["metadata"]["name"] for line in lines if line.strip()]
            if len(names) >= 20:
                break
    assert names == [f"burst-{i}" for i in range(20)]
    assert chunks == 1


async def test_the_last_bookmark_comes_two_seconds_before_the_timeout(devserver_factory: DevServerFactory) -> None:
    """kube-apiserver schedules a BOOKMARK every minute and one 2 s before the watch's deadline, so a
    watch shorter than the interval still ends with one; a watch of 2 s or less gets none."""
    server = await devserver_factory(bookmark_interval=600)
    async with aiohttp.ClientSession() as session:
        api = ApiClient(server, session)
        _, a = await api.post(CMS, configmap("a"))
        loop = asyncio.get_running_loop()
        started = loop.time()
        params = {"resourceVersion": a["metadata"]["resourceVersion"], "allowWatchBookmarks": "true", "timeoutSeconds": "3"}
        events = await api.watch(CMS, params)
        assert loop.time() - started >= 2.5  # the stream ran to its timeout
        assert [e["type"] for e in events] == ["BOOKMARK"]
        assert events[0]["object"]["metadata"]["resourceVersion"] == a["metadata"]["resourceVersion"]
        params["timeoutSeconds"] = "2"
        assert await api.watch(CMS, params) == []


async def test_watches_that_filter_or_serve_a_change_differently_each_get_their_own_form(api: ApiClient) -> None:
    cms = "/api/v1/namespaces/default/configmaps"
    code, created = await api.post(cms, {"apiVersion": "v1", "kind": "ConfigMap",
                                         "metadata": {"name": "moving", "labels": {"tier": "web"}}, "data": {"k": "v"}})
    assert code == 201, created
    code, moved = await api.patch(f"{cms}/moving", {"metadata": {"labels": {"tier": "db"}}})
    assert code == 200, moved
    code, _ = await api.delete(f"{cms}/moving")
    assert code == 200
    since = str(int(created["metadata"]["resourceVersion"]) - 1)
    rv2 = moved["metadata"]["resourceVersion"]

    def seen(events: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
        return [(e["type"], e["object"]["metadata"]["resourceVersion"], e["object"]["metadata"]["labels"]["tier"])
                for e in events]

    # The unfiltered watch first: the others must not be sent what it was sent for the same change.
    everything = await api.watch(cms, {"resourceVersion": since, "timeoutSeconds": "1"})
    web = await api.watch(cms, {"resourceVersion": since, "timeoutSeconds": "1", "labelSelector": "tier=web"})
    db = await api.watch(cms, {"resourceVersion": since, "timeoutSeconds": "1", "labelSelector": "tier=db",
                               "allowWatchBookmarks": "true"})
    deleted_rv = everything[-1]["object"]["metadata"]["resourceVersion"]
    assert seen(everything) == [("ADDED", created["metadata"]["resourceVersion"], "web"), ("MODIFIED", rv2, "db"),
                                ("DELETED", deleted_rv, "db")]
    assert seen(web) == [("ADDED", created["metadata"]["resourceVersion"], "web"), ("DELETED", rv2, "web")]
    assert seen([e for e in db if e["type"] != "BOOKMARK"]) == [("ADDED", rv2, "db"), ("DELETED", deleted_rv, "db")]
    assert everything[1]["object"] == moved

    event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1"}, "involvedObject": {"name": "x"},
             "reason": "R", "message": "said"}
    code, body = await api.post("/api/v1/namespaces/default/events", event)
    assert code == 201, body
    before = str(int(body["metadata"]["resourceVersion"]) - 1)
    core = await api.watch("/api/v1/namespaces/default/events", {"resourceVersion": before, "timeoutSeconds": "1"})
    new = await api.watch("/apis/events.k8s.io/v1/namespaces/default/events",
                          {"resourceVersion": before, "timeoutSeconds": "1"})
    assert [(e["object"]["apiVersion"], e["object"].get("message"), e["object"].get("note")) for e in core + new] == [
        ("v1", "said", None), ("events.k8s.io/v1", None, "said")]
