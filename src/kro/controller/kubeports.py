"""The controller's ports (:mod:`kro.controller.ports`) implemented over :mod:`kro.kube`: writes
through :class:`~kro.kube.KubeClient`, reads through its shared informers, and leader election."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kro.api.refs import GVR
from kro.kube import KubeClient
from kro.kube.errors import Conflict, NotFound

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
