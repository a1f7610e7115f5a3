"""The two things the controllers need from a cluster, as small protocols.

:class:`Writer` is the handful of writes (server-side apply, delete with a UID precondition, merge
patches of an object or its status, guarded JSON patches, creating an Event); :class:`Caches` is
read access to the informer caches. :mod:`kro.controller.kubeports` implements both over :mod:`kro.kube`; keeping the
controllers on these ports keeps them independent of the client's full surface."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from kro.api.refs import GVR

Obj = Mapping[str, Any]


class Writer(Protocol):
    async def get(self, gvr: GVR, name: str, *, namespace: str = "") -> dict[str, Any]:
        """Raises :class:`kro.kube.errors.NotFound`."""
        ...

    async def list(self, gvr: GVR, *, label_selector: Mapping[str, str]) -> list[dict[str, Any]]:
        """Every object of ``gvr`` (all namespaces) with these labels, read from the server."""
        ...

    async def create(self, gvr: GVR, body: Obj, *, namespace: str = "") -> dict[str, Any]: ...

    async def replace(self, gvr: GVR, body: Obj, *, namespace: str = "") -> dict[str, Any]: ...

    async def apply(
        self, gvr: GVR, body: Obj, *, field_manager: str, force: bool = True
    ) -> dict[str, Any]: ...

    async def merge_patch(
        self, gvr: GVR, name: str, patch: Obj, *, namespace: str = "", status: bool = False
    ) -> dict[str, Any]: ...

    async def json_patch(
        self, gvr: GVR, name: str, operations: Sequence[Obj], *, namespace: str = ""
    ) -> dict[str, Any]:
        """An RFC 6902 patch; a failed ``test`` raises :class:`kro.kube.errors.Invalid`."""
        ...

    async def delete(self, gvr: GVR, name: str, *, namespace: str = "", uid: str = "") -> None:
        """Delete, guarded by ``uid`` when given; a missing object is not an error."""
        ...


class Store(Protocol):
    def get(self, namespace: str, name: str) -> Obj | None: ...

    def items(self) -> Iterable[Obj]: ...

    def by_label(self, key: str, value: str) -> Iterable[Obj]:
        """Objects whose label ``key`` is ``value`` (indexed for ``kro.run/instance-id``)."""
        ...


class Caches(Protocol):
    def store(self, gvr: GVR) -> Store | None:
        """The informer cache of ``gvr``, or ``None`` when no informer runs for it."""
        ...


EventHandler = Callable[[str, Obj, "Obj | None"], None]
"""``(type, object, old object)``: ``type`` is ``ADDED``, ``MODIFIED`` or ``DELETED``."""


class Informer(Protocol):
    """A running informer: its cache, and a way to stop it."""

    @property
    def store(self) -> Store: ...

    async def wait_synced(self) -> None: ...

    async def stop(self) -> None: ...


class InformerSource(Protocol):
    async def start(self, gvr: GVR, handler: EventHandler) -> Informer:
        """Start an informer over every object of ``gvr`` (all namespaces), calling ``handler`` for
        each event, initial list included."""
        ...
