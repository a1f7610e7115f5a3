"""The handle the server's background loops (CRD and namespace controllers, garbage collection,
workload simulation) get: the store, the registry of served types and the object service.

Background loops are plain coroutines ``async def loop(cluster: Cluster) -> None`` that run until
cancelled. They read and watch through ``cluster.store`` and write through ``cluster.objects`` (so
writes get the same semantics as API requests: finalizers, generation, validation)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from kro.devcluster.objects import ObjectService
from kro.devcluster.registry import Registry, ResourceType
from kro.devcluster.storage import Store


@dataclass(frozen=True)
class Cluster:
    store: Store
    registry: Registry
    objects: ObjectService

    def type_for_key(self, storage_key: str) -> ResourceType | None:
        """The served type of objects stored under ``storage_key`` (``"deployments.apps"``)."""
        return self.registry.for_storage_key(storage_key)


BackgroundLoop = Callable[[Cluster], Awaitable[None]]
