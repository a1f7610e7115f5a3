"""The controller's ports (:mod:`kro.controller.ports`) implemented over :mod:`kro.kube`: writes
through :class:`~kro.kube.KubeClient`, reads through its shared informer factory, and running the
controller under :mod:`kro.kube.leaderelection`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from kro.api.keys import Labels
from kro.api.refs import GVR
from kro.controller.ports import EventHandler
from kro.kube import KubeClient
from kro.kube.cache import Cache
from kro.kube.errors import Conflict, NotFound
from kro.kube.factory import InformerFactory
from kro.kube.informer import Handler, Informer
from kro.kube.leaderelection import LeaderElectionConfig, LeaderElector

log = logging.getLogger(__name__)

Obj = Mapping[str, Any]


class KubeWriter:
    """:class:`~kro.controller.ports.Writer` over a :class:`~kro.kube.KubeClient`."""

    def __init__(self, client: KubeClient) -> None:
        self._client = client

    async def get(self, gvr: GVR, name: str, *, namespace: str = "") -> dict[str, Any]:
        return await self._client.get(gvr, name, namespace=namespace or None)

    async def list(self, gvr: GVR, *, label_selector: Mapping[str, str]) -> list[dict[str, Any]]:
        found = await self._client.list_all(gvr, label_selector=label_selector)
        return list(found.get("items") or [])

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

    async def json_patch(
        self, gvr: GVR, name: str, operations: Sequence[Obj], *, namespace: str = ""
    ) -> dict[str, Any]:
        return await self._client.patch(
            gvr, name, list(operations), patch_type="json", namespace=namespace or None
        )

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


class _Registration:
    """One controller-side view of a shared informer: its cache as a
    :class:`~kro.controller.ports.Store`, and the handler to release with it."""

    def __init__(self, factory: InformerFactory, informer: Informer, handler: Handler) -> None:
        self._factory = factory
        self._informer = informer
        self._handler = handler

    @property
    def store(self) -> _CacheStore:
        return _CacheStore(self._informer.cache)

    async def wait_synced(self) -> None:
        await self._informer.wait_for_sync()

    async def stop(self) -> None:
        await self._factory.release(self._informer.gvr, handler=self._handler)


class _CacheStore:
    def __init__(self, cache: Cache) -> None:
        self._cache = cache

    def get(self, namespace: str, name: str) -> dict[str, Any] | None:
        return self._cache.get(name, namespace or None)

    def items(self) -> list[dict[str, Any]]:
        return list(self._cache)

    def by_label(self, key: str, value: str) -> list[dict[str, Any]]:
        return self._cache.by_label(key, value)


class KubeInformers:
    """:class:`~kro.controller.ports.InformerSource` over :class:`kro.kube.factory.InformerFactory`:
    one shared, cluster-wide informer per resource, its cache indexed by ``kro.run/instance-id``."""

    def __init__(self, client: KubeClient) -> None:
        self.factory = InformerFactory(client, label_indexes=(Labels.INSTANCE_ID,))

    async def start(self, gvr: GVR, handler: EventHandler) -> _Registration:
        informer = self.factory.informer(gvr)
        registration = informer.add_handler(
            on_add=lambda obj: handler("ADDED", obj, None),
            on_update=lambda old, new: handler("MODIFIED", new, old),
            on_delete=lambda obj: handler("DELETED", obj, obj),
        )
        return _Registration(self.factory, informer, registration)

    async def shutdown(self) -> None:
        await self.factory.shutdown()


async def run_while_leader(
    client: KubeClient,
    config: LeaderElectionConfig,
    work: Callable[[asyncio.Event], Awaitable[None]],
    stop_event: asyncio.Event,
) -> None:
    """Run ``work`` only while holding the Lease. ``stop_event`` stops the work gracefully, after
    which the Lease is released; losing the Lease cancels the work."""
    inner = asyncio.Event()

    async def lead() -> None:
        await work(inner)

    elector = LeaderElector(client, config, on_started_leading=lead)
    campaign = asyncio.create_task(elector.run(), name="leader election")
    stopper = asyncio.create_task(stop_event.wait())
    try:
        await asyncio.wait({campaign, stopper}, return_when=asyncio.FIRST_COMPLETED)
        inner.set()
        if not campaign.done() and not elector.is_leader:
            campaign.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await campaign
    finally:
        stopper.cancel()
