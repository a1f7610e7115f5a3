"""Shared informers, started and stopped while the controller runs.

Many controllers watch the same resource (every RGD whose graph contains a Deployment needs the
Deployment informer). :class:`InformerFactory` keeps one informer per (resource, namespace, label
selector), counts who uses it, starts it on first use and stops it when the last user releases it,
so the set of watched types can follow CRDs that come and go at run time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kro.api.refs import GVR
from kro.kube.client import KubeClient
from kro.kube.informer import Handler, Informer
from kro.kube.selectors import Selector, encode_label_selector

log = logging.getLogger("kro.kube.factory")


@dataclass(frozen=True)
class InformerKey:
    gvr: GVR
    namespace: str
    label_selector: str


@dataclass
class _Entry:
    informer: Informer
    refs: int


class InformerFactory:
    """Reference-counted shared informers over one client.

    ``label_indexes`` are label keys every informer indexes (e.g. ``kro.run/instance-id``); options
    in ``informer_options`` go to each :class:`Informer` (reflector timeouts, page size, clock).
    """

    def __init__(
        self, client: KubeClient, *, label_indexes: Iterable[str] = (), **informer_options: Any
    ) -> None:
        self.client = client
        self.label_indexes = tuple(label_indexes)
        self._options = informer_options
        self._entries: dict[InformerKey, _Entry] = {}
        self._closed = False

    @staticmethod
    def key(gvr: GVR, *, namespace: str | None = None, label_selector: Selector | None = None) -> InformerKey:
        return InformerKey(gvr, namespace or "", encode_label_selector(label_selector) or "")

    def informer(
        self,
        gvr: GVR,
        *,
        namespace: str | None = None,
        label_selector: Selector | None = None,
        label_indexes: Iterable[str] = (),
    ) -> Informer:
        """Take a reference to the shared informer (created and started on first use).

        Each call must be matched by one :meth:`release` with the same arguments. Extra
        ``label_indexes`` are added to the shared cache."""
        if self._closed:
            raise RuntimeError("the informer factory is shut down")
        key = self.key(gvr, namespace=namespace, label_selector=label_selector)
        entry = self._entries.get(key)
        if entry is None:
            informer = Informer(
                self.client,
                gvr,
                namespace=namespace,
                label_selector=key.label_selector or None,
                label_indexes=self.label_indexes,
                **self._options,
            )
            entry = self._entries[key] = _Entry(informer, 0)
            informer.start()
            log.debug("started %s", informer)
        for label in label_indexes:
            entry.informer.cache.add_label_index(label)
        entry.refs += 1
        return entry.informer

    def get(
        self, gvr: GVR, *, namespace: str | None = None, label_selector: Selector | None = None
    ) -> Informer | None:
        """The shared informer if one is running, without taking a reference."""
        entry = self._entries.get(self.key(gvr, namespace=namespace, label_selector=label_selector))
        return entry.informer if entry else None

    async def release(
        self,
        gvr: GVR,
        *,
        namespace: str | None = None,
        label_selector: Selector | None = None,
        handler: Handler | None = None,
    ) -> bool:
        """Drop one reference (and unregister ``handler``, the caller's registration on the shared
        informer); the last reference stops the informer. True if it was stopped."""
        key = self.key(gvr, namespace=namespace, label_selector=label_selector)
        entry = self._entries.get(key)
        if entry is None:
            return False
        if handler is not None:
            entry.informer.remove_handler(handler)
        entry.refs -= 1
        if entry.refs > 0:
            return False
        del self._entries[key]
        await entry.informer.stop()
        log.debug("stopped %s", entry.informer)
        return True

    def references(
        self, gvr: GVR, *, namespace: str | None = None, label_selector: Selector | None = None
    ) -> int:
        entry = self._entries.get(self.key(gvr, namespace=namespace, label_selector=label_selector))
        return entry.refs if entry else 0

    def informers(self) -> list[Informer]:
        return [e.informer for e in self._entries.values()]

    async def wait_for_sync(self, timeout: float | None = None) -> bool:
        """Wait until every running informer has synced."""
        results = await asyncio.gather(*(i.wait_for_sync(timeout) for i in self.informers()))
        return all(results)

    async def shutdown(self) -> None:
        """Stop every informer, whatever its references."""
        self._closed = True
        entries, self._entries = list(self._entries.values()), {}
        await asyncio.gather(*(e.informer.stop() for e in entries))
