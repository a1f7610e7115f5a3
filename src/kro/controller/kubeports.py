"""The controller's ports (:mod:`kro.controller.ports`) implemented over :mod:`kro.kube`: writes
through :class:`~kro.kube.KubeClient`, reads through its shared informers, and leader election."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, cast

from kro.api.refs import GVR
from kro.controller.ports import EventHandler
from kro.kube import KubeClient, WatchEvent
from kro.kube.errors import ApiError, Conflict, Gone, NotFound, TransportError

log = logging.getLogger(__name__)

Obj = Mapping[str, Any]


class KubeWriter:
    """:class:`~kro.controller.ports.Writer` over a :class:`~kro.kube.KubeClient`."""

    def __init__(self, client: KubeClient) -> None:
        self._client = client

    async def get(self, gvr: GVR, name: str, *, namespace: str = "") -> dict[str, Any]:
        return await self._client.get(gvr, name, namespace=namespace or None)

    async def create(self, gvr: GVR, body: Obj, *, namespace: str = "") -> dict[str, Any]:
        return await self._client.create(gvr, body, namespace=namespace or None)

    async def replace(self, gvr: GVR, body: Obj, *, namespace: str = "") -> dict[str, Any]:
        return await self._client.replace(gvr, body, namespace=namespace or None)

    async def apply(self, gvr: GVR, body: Obj, *, field_manager: str, force: bool = True) -> dict[str, Any]:
        return await self._client.apply(gvr, body, field_manager=field_manager, force=force)

    async def merge_patch(
        self, gvr: GVR, name: str, patch: Obj, *, namespace: str = "", status: bool = False
    ) -> dict[str, Any]:
        if status:
            return await self._client.patch_status(gvr, name, patch, namespace=namespace or None)
        return await self._client.patch(gvr, name, patch, namespace=namespace or None)

    async def delete(self, gvr: GVR, name: str, *, namespace: str = "", uid: str = "") -> None:
        try:
            await self._client.delete(
                gvr, name, namespace=namespace or None, preconditions={"uid": uid} if uid else None
            )
        except NotFound:
            return
        except Conflict:
            # the UID precondition failed: a new object of the same name is not ours to delete
            return


class _Cache:
    """A :class:`~kro.controller.ports.Store`: objects by ``(namespace, name)``."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], dict[str, Any]] = {}

    def get(self, namespace: str, name: str) -> dict[str, Any] | None:
        return self.objects.get((namespace, name))

    def items(self) -> list[dict[str, Any]]:
        return list(self.objects.values())


def _key(obj: Obj) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name", ""))


class ListWatchInformer:
    """LIST, then WATCH from the list's resourceVersion (with bookmarks), relisting on 410 Gone and
    retrying transport errors with capped backoff; every change updates the cache, then calls the
    handler."""

    def __init__(self, client: KubeClient, gvr: GVR, handler: EventHandler) -> None:
        self._client = client
        self._gvr = gvr
        self._handler = handler
        self._cache = _Cache()
        self._synced = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def store(self) -> _Cache:
        return self._cache

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"informer {self._gvr}")

    async def wait_synced(self) -> None:
        await self._synced.wait()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            try:
                version = await self._relist()
                backoff = 0.1
                while True:
                    version = await self._watch(version)
            except Gone:
                continue
            except (TransportError, ApiError) as e:
                log.debug("informer %s: %s; retrying in %.1fs", self._gvr, e, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)

    async def _relist(self) -> str:
        listing = await self._client.list_all(self._gvr)
        fresh = {_key(o): o for o in listing.get("items") or []}
        old = self._cache.objects
        self._cache.objects = fresh
        for key, obj in fresh.items():
            self._handler("ADDED" if key not in old else "MODIFIED", obj, old.get(key))
        for key, obj in old.items():
            if key not in fresh:
                self._handler("DELETED", obj, obj)
        self._synced.set()
        return str((listing.get("metadata") or {}).get("resourceVersion", ""))

    async def _watch(self, version: str) -> str:
        stream = cast(
            AsyncGenerator[WatchEvent, None],
            self._client.watch(self._gvr, resource_version=version, timeout_seconds=300),
        )
        async with contextlib.aclosing(stream) as events:
            async for event in events:
                meta = event.object.get("metadata") or {}
                version = str(meta.get("resourceVersion") or version)
                if event.type == "BOOKMARK":
                    continue
                key = _key(event.object)
                old = self._cache.objects.get(key)
                if event.type == "DELETED":
                    self._cache.objects.pop(key, None)
                else:
                    self._cache.objects[key] = event.object
                self._handler(event.type, event.object, old)
        return version


class KubeInformers:
    """:class:`~kro.controller.ports.InformerSource` over a :class:`~kro.kube.KubeClient`."""

    def __init__(self, client: KubeClient) -> None:
        self._client = client

    async def start(self, gvr: GVR, handler: EventHandler) -> ListWatchInformer:
        informer = ListWatchInformer(self._client, gvr, handler)
        informer.start()
        return informer


LEASES = GVR("coordination.k8s.io", "v1", "leases")


class LeaderElector:
    """Leader election on a ``coordination.k8s.io/v1`` Lease (15 s lease, renewed every 2 s, given up
    when not renewed within 10 s): the controller runs only while this process holds the lease."""

    def __init__(
        self,
        client: KubeClient,
        *,
        namespace: str,
        name: str,
        identity: str = "",
        lease_seconds: int = 15,
        renew_deadline: float = 10.0,
        retry_period: float = 2.0,
    ) -> None:
        self._client = client
        self._namespace = namespace
        self._name = name
        self.identity = identity or f"{socket.gethostname()}_{os.getpid()}"
        self._lease_seconds = lease_seconds
        self._renew_deadline = renew_deadline
        self._retry = retry_period

    async def run_while_leader(
        self, work: Callable[[asyncio.Event], Awaitable[None]], stop_event: asyncio.Event
    ) -> None:
        while not await self._try_acquire():
            log.info("lease %s/%s is held by another process; waiting", self._namespace, self._name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), self._retry)
            if stop_event.is_set():
                return
        log.info("acquired lease %s/%s as %s", self._namespace, self._name, self.identity)
        lost = asyncio.Event()
        inner = asyncio.Event()
        renewer = asyncio.create_task(self._renew(lost))
        relay = asyncio.create_task(self._relay(stop_event, lost, inner))
        try:
            await work(inner)
        finally:
            renewer.cancel()
            relay.cancel()
        if lost.is_set():
            log.error("lost lease %s/%s; stopped", self._namespace, self._name)

    @staticmethod
    async def _relay(stop: asyncio.Event, lost: asyncio.Event, inner: asyncio.Event) -> None:
        waits = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(lost.wait())}
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            inner.set()
        finally:
            for w in waits:
                w.cancel()

    async def _renew(self, lost: asyncio.Event) -> None:
        last_ok = asyncio.get_running_loop().time()
        while True:
            await asyncio.sleep(self._retry)
            if await self._try_acquire():
                last_ok = asyncio.get_running_loop().time()
            elif asyncio.get_running_loop().time() - last_ok > self._renew_deadline:
                lost.set()
                return

    async def _try_acquire(self) -> bool:
        now = datetime.now(UTC)
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        try:
            lease = await self._client.get(LEASES, self._name, namespace=self._namespace)
        except NotFound:
            body = {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": self._name, "namespace": self._namespace},
                "spec": self._spec(stamp, stamp, 0),
            }
            try:
                await self._client.create(LEASES, body, namespace=self._namespace)
                return True
            except ApiError:
                return False
        except (ApiError, TransportError):
            return False
        spec = lease.get("spec") or {}
        holder = spec.get("holderIdentity")
        if holder and holder != self.identity and not _expired(spec, now):
            return False
        transitions = int(spec.get("leaseTransitions") or 0) + (0 if holder == self.identity else 1)
        acquired = spec.get("acquireTime") if holder == self.identity else stamp
        lease["spec"] = self._spec(str(acquired or stamp), stamp, transitions)
        try:
            await self._client.replace(LEASES, lease, namespace=self._namespace)
            return True
        except (ApiError, TransportError):
            return False

    def _spec(self, acquired: str, renewed: str, transitions: int) -> dict[str, Any]:
        return {
            "holderIdentity": self.identity,
            "leaseDurationSeconds": self._lease_seconds,
            "acquireTime": acquired,
            "renewTime": renewed,
            "leaseTransitions": transitions,
        }


def _expired(spec: Mapping[str, Any], now: datetime) -> bool:
    renewed = spec.get("renewTime")
    if not renewed:
        return True
    try:
        when = datetime.fromisoformat(str(renewed).replace("Z", "+00:00"))
    except ValueError:
        return True
    return (now - when).total_seconds() > float(spec.get("leaseDurationSeconds") or 15)
