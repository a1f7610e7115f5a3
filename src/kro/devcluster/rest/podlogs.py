"""``GET /api/v1/namespaces/{ns}/pods/{name}/log``: a container's log as kube-apiserver serves it
(through the kubelet): ``container``, ``tailLines``, ``sinceSeconds``/``sinceTime``, ``timestamps``,
``limitBytes``, ``previous`` and ``follow``, with kube-apiserver's errors for a missing container
or one that has not started."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from kro.devcluster import errors
from kro.devcluster.logs import LogLine, PodLogs, simulated_lines
from kro.devcluster.objects import ObjectService
from kro.devcluster.registry import ResourceType
from kro.devcluster.rest.request import ResourcePath

_POLL = 1.0  # how often a follower checks that its client and its pod are still there


def _int_param(query: Mapping[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(str(raw))
    except ValueError as e:
        raise errors.BadRequest(f'invalid value for {name}: "{raw}": strconv.ParseInt: parsing "{raw}": invalid syntax') from e


def _bool_param(query: Mapping[str, str], name: str) -> bool:
    return query.get(name, "").lower() in ("true", "1")


class LogOptions:
    def __init__(self, query: Mapping[str, str]) -> None:
        self.container = query.get("container", "")
        self.follow = _bool_param(query, "follow")
        self.previous = _bool_param(query, "previous")
        self.timestamps = _bool_param(query, "timestamps")
        self.tail = _int_param(query, "tailLines")
        self.limit_bytes = _int_param(query, "limitBytes")
        since_seconds = _int_param(query, "sinceSeconds")
        since_time = query.get("sinceTime")
        causes: list[errors.Cause] = []
        if self.tail is not None and self.tail < 0:
            causes.append(errors.Cause("tailLines", "FieldValueInvalid", f"Invalid value: {self.tail}: must be greater than or equal to 0"))
        if self.limit_bytes is not None and self.limit_bytes < 1:
            causes.append(errors.Cause("limitBytes", "FieldValueInvalid", f"Invalid value: {self.limit_bytes}: must be greater than 0"))
        if since_seconds is not None and since_seconds < 1:
            causes.append(errors.Cause("sinceSeconds", "FieldValueInvalid", f"Invalid value: {since_seconds}: must be greater than 0"))
        if since_seconds is not None and since_time:
            causes.append(errors.Cause("", "FieldValueForbidden", "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified"))
        if causes:
            raise errors.Invalid("PodLogOptions", "", "", causes)
        self.since: datetime | None = None
        if since_seconds is not None:
            self.since = datetime.now(UTC) - timedelta(seconds=since_seconds)
        elif since_time:
            try:
                self.since = datetime.fromisoformat(since_time.replace("Z", "+00:00"))
            except ValueError as e:
                raise errors.BadRequest(f'invalid value for sinceTime: "{since_time}"') from e

    def render(self, line: LogLine) -> bytes:
        if self.timestamps:
            stamp = line.time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"
            return f"{stamp} {line.text}\n".encode()
        return (line.text + "\n").encode()

    def select(self, lines: Sequence[LogLine]) -> list[LogLine]:
        chosen = [line for line in lines if self.since is None or line.time >= self.since]
        if self.tail is not None:
            chosen = chosen[len(chosen) - self.tail:] if self.tail else []
        return chosen


def _container(pod: Mapping[str, Any], name: str, wanted: str) -> str:
    spec = pod.get("spec") or {}
    names = [str(c.get("name", "")) for c in spec.get("containers") or []]
    init_names = [str(c.get("name", "")) for c in spec.get("initContainers") or []]
    if wanted:
        if wanted not in names and wanted not in init_names:
            raise errors.BadRequest(f"container {wanted} is not valid for pod {name}")
        return wanted
    if len(names) == 1:
        return names[0]
    if not names:
        raise errors.BadRequest(f"a container name must be specified for pod {name}")
    message = f"a container name must be specified for pod {name}, choose one of: [{' '.join(names)}]"
    if init_names:
        message += f" or one of the init containers: [{' '.join(init_names)}]"
    raise errors.BadRequest(message)


def _check_started(pod: Mapping[str, Any], name: str, container: str, *, previous: bool) -> None:
    """The kubelet's answers for a container with no log to show."""
    status = pod.get("status") or {}
    statuses = [*(status.get("containerStatuses") or []), *(status.get("initContainerStatuses") or [])]
    mine = next((s for s in statuses if s.get("name") == container), None)
    if previous:
        if not mine or not (mine.get("lastState") or {}).get("terminated"):
            raise errors.BadRequest(f'previous terminated container "{container}" in pod "{name}" not found')
        return
    state = (mine or {}).get("state") or {}
    if mine is None or "waiting" in state:
        reason = ((state.get("waiting") or {}).get("reason")) or "ContainerCreating"
        raise errors.BadRequest(f'container "{container}" in pod "{name}" is waiting to start: {reason}')


async def handle(request: web.Request, objects: ObjectService, logs: PodLogs, rt: ResourceType, path: ResourcePath) -> web.StreamResponse:
    if request.method != "GET":
        raise errors.MethodNotAllowed(f"the server does not allow this method on the requested resource ({request.method})")
    assert path.name is not None
    ns = path.namespace or ""
    options = LogOptions(request.query)
    pod = await objects.get(rt, ns, path.name)
    container = _container(pod, path.name, options.container)
    if not (pod.get("spec") or {}).get("nodeName") and not (pod.get("status") or {}).get("containerStatuses"):
        return web.Response(body=b"", content_type="text/plain")  # not scheduled: nothing to read
    _check_started(pod, path.name, container, previous=options.previous)
    source = logs.source(ns, path.name, container)
    current = list(source.lines()) if source is not None else simulated_lines(pod, container)
    resp = web.StreamResponse(headers={"Content-Type": "text/plain"})
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    budget = options.limit_bytes
    queue = source.subscribe() if options.follow and source is not None else None
    try:
        for line in options.select(current):
            budget = await _write(resp, options.render(line), budget)
            if budget == 0:
                break
        if options.follow and budget != 0:
            await _follow(request, resp, objects, rt, path, queue, options, budget)
        await resp.write_eof()
    except ConnectionError:
        pass  # the client went away (kubectl logs -f stopped)
    finally:
        if queue is not None and source is not None:
            source.unsubscribe(queue)
    return resp


async def _write(resp: web.StreamResponse, data: bytes, budget: int | None) -> int | None:
    if budget is not None:
        data = data[:budget]
        budget -= len(data)
    await resp.write(data)
    return budget


async def _follow(
    request: web.Request,
    resp: web.StreamResponse,
    objects: ObjectService,
    rt: ResourceType,
    path: ResourcePath,
    queue: asyncio.Queue[LogLine] | None,
    options: LogOptions,
    budget: int | None,
) -> None:
    """New lines as they come, until the client goes away or the pod is deleted."""
    assert path.name is not None
    while True:
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        try:
            if queue is None:
                await asyncio.sleep(_POLL)
            else:
                line = await asyncio.wait_for(queue.get(), timeout=_POLL)
                budget = await _write(resp, options.render(line), budget)
                if budget == 0:
                    return
                continue
        except TimeoutError:
            pass
        try:
            await objects.get(rt, path.namespace or "", path.name)
        except errors.NotFound:
            return
