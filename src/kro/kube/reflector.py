"""The reflector: keeps a local copy of one resource in step with the API server.

It LISTs (all pages), hands the objects to its sink as a full replacement (each stamped with the
list's ``apiVersion`` and kind by :meth:`~kro.kube.client.KubeClient.list`: kube-apiserver leaves
them out of a built-in kind's list items), then WATCHes from the
list's resourceVersion, passing each change on. The stream is kept alive the way client-go keeps it:

- a stream the server ends (its ``timeoutSeconds``) or the network drops is resumed from the last
  resourceVersion seen (of an event or a BOOKMARK), without relisting;
- ``410 Gone`` (the version left the server's window) forces a fresh LIST;
- other failures are retried after an exponential backoff with jitter, reset by success;
- a watchdog restarts a stream that delivered nothing, not even a bookmark, for ``idle_timeout``
  seconds (a half-open connection otherwise stalls the cache forever).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Mapping
from typing import Any, Protocol

from kro.api.refs import GVR
from kro.kube.backoff import Backoff
from kro.kube.client import KubeClient, WatchEvent
from kro.kube.clock import SYSTEM_CLOCK, Clock
from kro.kube.errors import ApiError, Gone, KubeError
from kro.kube.selectors import Selector

log = logging.getLogger("kro.kube.reflector")


class ReflectorSink(Protocol):
    """Where a reflector delivers: a full state after each LIST, then one event at a time."""

    def replace(self, objects: list[dict[str, Any]], resource_version: str) -> None: ...

    def apply(self, event: WatchEvent) -> None: ...


class _StreamStuck(Exception):
    pass


class Reflector:
    """LIST then WATCH one resource (optionally one namespace / label selector) into a sink."""

    def __init__(
        self,
        client: KubeClient,
        gvr: GVR,
        sink: ReflectorSink,
        *,
        namespace: str | None = None,
        label_selector: Selector | None = None,
        field_selector: Selector | None = None,
        page_size: int = 500,
        watch_timeout: tuple[int, int] = (300, 600),
        idle_timeout: float = 150.0,
        backoff: Backoff | None = None,
        clock: Clock = SYSTEM_CLOCK,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self.gvr = gvr
        self.namespace = namespace
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.page_size = page_size
        self.watch_timeout = watch_timeout
        self.idle_timeout = idle_timeout
        self._sink = sink
        self._clock = clock
        self._rng = rng or random.Random()
        self._backoff = backoff or Backoff(0.8, 30.0, rng=self._rng)
        self._paginate = True
        self._last_activity = 0.0
        self.resource_version = ""
        self.synced = asyncio.Event()
        # Counters for metrics and tests.
        self.lists = 0
        self.watches = 0
        self.relists_on_gone = 0
        self.stuck_restarts = 0
        self.errors = 0
        self.last_error: KubeError | None = None

    def __str__(self) -> str:
        where = f" in {self.namespace}" if self.namespace else ""
        return f"reflector {self.gvr}{where}"

    async def run(self) -> None:
        """Keep the sink in step until cancelled."""
        need_list = True
        while True:
            try:
                if need_list:
                    await self._list()
                    need_list = False
                started = self._clock.now()
                delivered = await self._watch()
                if not delivered and self._clock.now() - started < 1.0:
                    # An empty stream that ended at once: a misbehaving server or proxy. Do not spin.
                    await self._clock.sleep(self._backoff.next())
            except Gone as e:
                self.relists_on_gone += 1
                log.info("%s: %s; relisting", self, e.message or e.reason)
                if need_list:  # the LIST itself was answered 410: do not spin
                    await self._clock.sleep(self._backoff.next())
                need_list = True
            except _StreamStuck:
                self.stuck_restarts += 1
                log.warning(
                    "%s: no event or bookmark for %.0fs; restarting the watch", self, self.idle_timeout
                )
            except KubeError as e:
                self.errors += 1
                self.last_error = e
                wait = self._backoff.next()
                log.warning("%s: %s; retrying in %.1fs", self, e, wait)
                if isinstance(e, ApiError) and not need_list:
                    need_list = e.status in (403, 404)  # the type or our access changed: start over
                await self._clock.sleep(wait)
            except Exception:
                # A fault in a sink must not silently end the watch: log it, start over from a LIST.
                self.errors += 1
                wait = self._backoff.next()
                log.exception("%s: unexpected failure; relisting in %.1fs", self, wait)
                need_list = True
                await self._clock.sleep(wait)

    async def _list(self) -> None:
        try:
            listed = await self.client.list_all(
                self.gvr,
                namespace=self.namespace,
                label_selector=self.label_selector,
                field_selector=self.field_selector,
                page_size=self.page_size if self._paginate else 0,
            )
        except Gone:
            if not self._paginate:
                raise
            # The continue token expired mid-list (a large, fast-changing collection): next time,
            # one unpaginated request.
            self._paginate = False
            raise
        self.lists += 1
        meta: Mapping[str, Any] = listed.get("metadata") or {}
        self.resource_version = str(meta.get("resourceVersion", ""))
        self._sink.replace(list(listed.get("items") or []), self.resource_version)
        self._backoff.reset()
        self.synced.set()

    async def _watch(self) -> int:
        """Follow one watch stream until it ends; the number of events (bookmarks too) it gave."""
        low, high = self.watch_timeout
        stream = self.client.watch(
            self.gvr,
            namespace=self.namespace,
            resource_version=self.resource_version,
            label_selector=self.label_selector,
            field_selector=self.field_selector,
            allow_bookmarks=True,
            timeout_seconds=self._rng.randint(low, high) if high else None,
        )
        self.watches += 1
        self._last_activity = self._clock.now()
        consumer = asyncio.get_running_loop().create_task(self._consume(stream))
        watchdog = asyncio.get_running_loop().create_task(self._watchdog(consumer))
        try:
            return await consumer
        except asyncio.CancelledError:
            if watchdog.done() and not watchdog.cancelled() and watchdog.result():
                raise _StreamStuck() from None
            raise
        finally:
            watchdog.cancel()
            consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog

    async def _consume(self, stream: Any) -> int:
        delivered = 0
        async with contextlib.aclosing(stream):
            async for event in stream:
                delivered += 1
                self._last_activity = self._clock.now()
                rv = str((event.object.get("metadata") or {}).get("resourceVersion", ""))
                if event.type != "BOOKMARK":
                    self._sink.apply(event)
                if rv:
                    self.resource_version = rv
                self._backoff.reset()
        return delivered

    async def _watchdog(self, consumer: asyncio.Task[int]) -> bool:
        """Cancel ``consumer`` when it has been idle too long; True if it did."""
        while not consumer.done():
            idle = self._clock.now() - self._last_activity
            if idle >= self.idle_timeout:
                consumer.cancel()
                return True
            await self._clock.sleep(self.idle_timeout - idle)
        return False
