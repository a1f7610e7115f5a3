"""``?watch=1``: a chunked stream of newline-delimited ``{"type", "object"}`` events.

ResourceVersion semantics follow kube-apiserver: unset or ``"0"`` starts with a synthetic ADDED for
every current object, a specific version resumes after it (or, if it left the event window, sends an
ERROR event carrying a 410 ``Expired`` Status), ``sendInitialEvents=true`` ends the initial ADDEDs
with a bookmark annotated ``k8s.io/initial-events-end``. A change is encoded once for all the
watches that send it the same way (:class:`EventEncodings`). With ``allowWatchBookmarks`` the stream
carries a BOOKMARK every bookmark interval and a last one 2 s before ``timeoutSeconds`` ends it, as
kube-apiserver schedules them. Label and field selectors are applied to each change: an object that
stops matching is sent as DELETED carrying its last matching state (at the change's
resourceVersion), one that starts matching as ADDED.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from kro.devcluster import jsoncodec
from kro.devcluster.errors import BadRequest, Gone
from kro.devcluster.objects import ObjectService
from kro.devcluster.registry import ResourceType
from kro.devcluster.rest import table as tables
from kro.devcluster.storage import ListOptions, TooOldError, Watcher, WatchEvent
from kro.devcluster.versions import served

INITIAL_EVENTS_END = "k8s.io/initial-events-end"
# How often an idle stream checks that its client is still there.
_LIVENESS_SECONDS = 2.0
# The last BOOKMARK of a watch with a deadline goes out this long before it.
_FINAL_BOOKMARK_LEAD = 2.0
# Encoded watch events kept for other watches to reuse: the watches of one change deliver it within
# moments, so a few hundred suffice; each line holds a whole object (2,048 cost the server about 4 MiB
# more at its peak with 2,000 Redis instances).
_ENCODINGS_KEPT = 256


@dataclass(frozen=True)
class WatchParams:
    resource_version: str
    bookmarks: bool
    timeout: float | None
    send_initial_events: bool
    as_table: bool
    include_object: str

    @classmethod
    def parse(cls, query: Mapping[str, str], accept: str, *, max_timeout: float) -> WatchParams:
        rv = query.get("resourceVersion") or ""
        if rv and not rv.isdigit():
            raise BadRequest(f"invalid resource version: {rv!r}")
        timeout: float | None = max_timeout
        if query.get("timeoutSeconds"):
            try:
                timeout = min(float(query["timeoutSeconds"]), max_timeout)
            except ValueError as e:
                raise BadRequest(f"invalid timeoutSeconds {query['timeoutSeconds']!r}") from e
        return cls(
            resource_version=rv,
            bookmarks=query.get("allowWatchBookmarks") in ("true", "1"),
            timeout=timeout,
            send_initial_events=query.get("sendInitialEvents") == "true",
            as_table=tables.wants_table(accept),
            include_object=query.get("includeObject") or "Metadata",
        )


class EventEncodings:
    """The encoded lines of recent watch events, shared by the watches of one server: an event sent
    the same way (same change, type, object form and endpoint version) is encoded once, however
    many watches send it. Bounded; the oldest line goes first."""

    def __init__(self, size: int = _ENCODINGS_KEPT) -> None:
        self._size = size
        self._lines: dict[tuple[int, str, bool, str, str], bytes] = {}

    def get(self, key: tuple[int, str, bool, str, str]) -> bytes | None:
        return self._lines.get(key)

    def put(self, key: tuple[int, str, bool, str, str], line: bytes) -> None:
        self._lines[key] = line
        if len(self._lines) > self._size:
            del self._lines[next(iter(self._lines))]


class WatchStream:
    def __init__(
        self,
        request: web.Request,
        objects: ObjectService,
        rt: ResourceType,
        namespace: str | None,
        options: ListOptions,
        params: WatchParams,
        *,
        bookmark_interval: float,
        encodings: EventEncodings | None = None,
    ) -> None:
        self._request = request
        self._objects = objects
        self._rt = rt
        self._namespace = namespace
        self._options = options
        self._params = params
        self._bookmark_interval = bookmark_interval
        self._encodings = encodings if encodings is not None else EventEncodings()
        self._response = web.StreamResponse(status=200)
        self._sent_headers = False
        self._last_rv = 0
        # Encoded events not yet written; a burst (one group commit) goes out in one write.
        self._out: list[bytes] = []
        self._batching = False

    async def run(self) -> web.StreamResponse:
        self._response.content_type = "application/json"
        self._response.enable_chunked_encoding()
        await self._response.prepare(self._request)
        watcher: Watcher | None = None
        try:
            watcher = await self._start()
            if watcher is not None:
                await self._pump(watcher)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if watcher is not None:
                watcher.close()
        return self._response

    async def _start(self) -> Watcher | None:
        store = self._objects.store
        ns = self._namespace if self._rt.namespaced else None
        p = self._params
        initial = p.resource_version in ("", "0") or p.send_initial_events
        if not initial:
            since = int(p.resource_version)
            try:
                watcher = store.watch(self._rt.storage_key, ns, since)
            except TooOldError as e:
                await self._send_error(Gone(f"too old resource version: {e.requested} ({e.oldest})"))
                return None
            self._last_rv = since
            return watcher
        # Subscribe first, at the list's resourceVersion, so nothing falls between list and watch.
        opts = ListOptions(self._options.label_selector, self._options.field_selector)
        listed = await self._objects.list(self._rt, ns, opts)
        watcher = store.watch(self._rt.storage_key, ns, listed.resource_version)
        for obj in listed.items:
            await self._send("ADDED", obj)
        self._last_rv = listed.resource_version
        if p.send_initial_events and p.bookmarks:
            await self._send_bookmark(initial_end=True)
        return watcher

    async def _pump(self, watcher: Watcher) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._params.timeout if self._params.timeout else None
        next_bookmark = self._next_bookmark(loop.time(), deadline)
        while True:
            now = loop.time()
            if deadline is not None and now >= deadline:
                return
            wait = _LIVENESS_SECONDS
            if deadline is not None:
                wait = min(wait, deadline - now)
            if next_bookmark is not None:
                wait = min(wait, max(next_bookmark - now, 0.0))
            event = await watcher.next(timeout=max(wait, 0.0))
            if event is not None:
                await self._deliver_burst(event, watcher)
                continue
            if watcher.overflowed:
                await self._send_error(Gone("too old resource version: the watch fell too far behind"))
                return
            if watcher.closed or self._client_gone():
                return
            if next_bookmark is not None and loop.time() >= next_bookmark and not watcher.has_pending:
                await self._send_bookmark()
                next_bookmark = self._next_bookmark(loop.time(), deadline)

    def _next_bookmark(self, now: float, deadline: float | None) -> float | None:
        """When the next BOOKMARK is due, as kube-apiserver schedules them: every bookmark interval
        (a minute there), and one 2 s before the watch's deadline; none once that moment has passed."""
        if not self._params.bookmarks:
            return None
        due = now + self._bookmark_interval
        if deadline is not None:
            due = min(due, deadline - _FINAL_BOOKMARK_LEAD)
        return due if due >= now else None

    def _client_gone(self) -> bool:
        transport = self._request.transport
        return transport is None or transport.is_closing()

    async def _deliver_burst(self, first: WatchEvent, watcher: Watcher) -> None:
        """Deliver ``first`` and every event already queued behind it with one write (one syscall
        for the whole burst instead of one per event)."""
        self._batching = True
        try:
            await self._deliver(first)
            while watcher.has_pending:
                event = await watcher.next(timeout=0)
                if event is None:
                    break
                await self._deliver(event)
        finally:
            self._batching = False
        await self._flush()

    async def _deliver(self, event: WatchEvent) -> None:
        self._last_rv = event.resource_version
        sent = self._as_sent(event)
        if sent is None:
            return
        kind, from_old = sent
        if self._params.as_table:
            await self._send(kind, self._sent_object(event, from_old))
            return
        # Every plain watch of this endpoint that sends this event this way sends the same line.
        key = (event.resource_version, kind, from_old, self._rt.api_version, self._rt.kind)
        line = self._encodings.get(key)
        if line is None:
            line = jsoncodec.dumps({"type": kind, "object": self._sent_object(event, from_old)}) + b"\n"
            self._encodings.put(key, line)
        await self._write_line(line)

    def _as_sent(self, event: WatchEvent) -> tuple[str, bool] | None:
        """The type this watch sends ``event`` as, and whether it carries the object as it was before
        the change (``None``: not sent), as kube-apiserver filters a change through the selectors."""
        now_in = self._selected(event.object)
        was_in = event.old is not None and self._selected(event.old)
        if event.type == "ADDED":
            return ("ADDED", False) if now_in else None
        if event.type == "DELETED":
            return ("DELETED", False) if was_in else None
        if now_in:
            return ("MODIFIED", False) if was_in else ("ADDED", False)
        # As kube-apiserver: the last state that matched, at the change's resourceVersion.
        return ("DELETED", True) if was_in else None

    def _sent_object(self, event: WatchEvent, from_old: bool) -> dict[str, Any]:
        if from_old and event.old is not None:
            return self._last_match(event.old, event.resource_version)
        return served(self._rt, dict(event.object))

    def _last_match(self, old: Mapping[str, Any], rv: int) -> dict[str, Any]:
        obj = dict(old)
        obj["metadata"] = {**(old.get("metadata") or {}), "resourceVersion": str(rv)}
        return served(self._rt, obj)

    def _selected(self, obj: Mapping[str, Any]) -> bool:
        meta: Mapping[str, Any] = obj.get("metadata") or {}
        o = self._options
        return (o.label_selector.empty or o.label_selector.matches(meta.get("labels"))) and (
            o.field_selector.empty or o.field_selector.matches(obj)
        )

    async def _send(self, kind: str, obj: Mapping[str, Any]) -> None:
        payload: Mapping[str, Any] = obj
        if self._params.as_table:
            rv = str((obj.get("metadata") or {}).get("resourceVersion", ""))
            payload = tables.table(
                self._rt, [obj], resource_version=rv, include_object=self._params.include_object, headers=not self._sent_headers
            )
            self._sent_headers = True
        await self._write({"type": kind, "object": payload})

    async def _send_bookmark(self, *, initial_end: bool = False) -> None:
        rv = max(self._last_rv, self._objects.store.published_resource_version)
        meta: dict[str, Any] = {"resourceVersion": str(rv)}
        if initial_end:
            meta["annotations"] = {INITIAL_EVENTS_END: "true"}
        await self._write({"type": "BOOKMARK", "object": {"kind": self._rt.kind, "apiVersion": self._rt.api_version, "metadata": meta}})

    async def _send_error(self, error: Gone | BadRequest) -> None:
        await self._write({"type": "ERROR", "object": error.status()})

    async def _write(self, event: Mapping[str, Any]) -> None:
        await self._write_line(jsoncodec.dumps(event) + b"\n")

    async def _write_line(self, line: bytes) -> None:
        if self._client_gone():
            raise ConnectionResetError("watch client went away")
        self._out.append(line)
        if not self._batching:
            await self._flush()

    async def _flush(self) -> None:
        if self._out:
            data, self._out = b"".join(self._out), []
            await self._response.write(data)
