"""Where the ``log`` subresource of pods gets its lines: a seam of log sources.

A :class:`LogSource` holds one container's recent lines and lets a follower wait for new ones.
:class:`PodLogs` maps (namespace, pod, container) to a source; what has no source attached is a
simulated container, whose log is made up from its status (:func:`simulated_lines`). A process
embedding the server attaches real sources: :class:`LogBuffer` is a ring buffer fed, for example,
by :class:`LogBufferHandler` from Python's logging, and :func:`publish_process_pod` shows such a
process as a Running pod (``kro dev`` shows its controller this way).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from kro.devcluster import errors
from kro.devcluster.cluster import Cluster
from kro.devcluster.metadata import timestamp
from kro.devcluster.objects import DeleteOptions, WriteOptions
from kro.devcluster.simulation.pods import NODE_NAME, SAFE_ALPHABET, pod_status
from kro.devcluster.storage import ListOptions
from kro.devcluster.storage.selectors import LabelSelector


@dataclass(frozen=True)
class LogLine:
    time: datetime
    text: str


class LogSource(Protocol):
    def lines(self) -> Sequence[LogLine]:
        """The lines kept so far, oldest first."""
        ...

    def subscribe(self) -> asyncio.Queue[LogLine]:
        """A queue that receives every line written from now on (until :meth:`unsubscribe`)."""
        ...

    def unsubscribe(self, queue: asyncio.Queue[LogLine]) -> None: ...


class LogBuffer:
    """The last ``capacity`` lines of a process; safe to write from any thread."""

    def __init__(self, capacity: int = 5000) -> None:
        self._lines: deque[LogLine] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._followers: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[LogLine]]] = []

    def write(self, text: str, *, at: datetime | None = None) -> None:
        moment = at or datetime.now(UTC)
        with self._lock:
            new = [LogLine(moment, part) for part in text.splitlines() or [""]]
            self._lines.extend(new)
            followers = list(self._followers)
        for loop, queue in followers:
            for line in new:
                try:
                    loop.call_soon_threadsafe(queue.put_nowait, line)
                except RuntimeError:  # that loop is closed: its follower is gone
                    continue

    def lines(self) -> Sequence[LogLine]:
        with self._lock:
            return list(self._lines)

    def subscribe(self) -> asyncio.Queue[LogLine]:
        queue: asyncio.Queue[LogLine] = asyncio.Queue()
        with self._lock:
            self._followers.append((asyncio.get_running_loop(), queue))
        return queue

    def unsubscribe(self, queue: asyncio.Queue[LogLine]) -> None:
        with self._lock:
            self._followers = [(loop, q) for loop, q in self._followers if q is not queue]


class LogBufferHandler(logging.Handler):
    """Python logging into a :class:`LogBuffer`, each record formatted by the handler's formatter."""

    def __init__(self, buffer: LogBuffer, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self.buffer = buffer

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.buffer.write(self.format(record), at=datetime.fromtimestamp(record.created, UTC))
        except Exception:  # logging must never raise into the caller
            self.handleError(record)


class PodLogs:
    """Log sources attached to pods' containers."""

    def __init__(self) -> None:
        self._sources: dict[tuple[str, str, str], LogSource] = {}

    def attach(self, namespace: str, pod: str, container: str, source: LogSource) -> None:
        self._sources[(namespace, pod, container)] = source

    def detach(self, namespace: str, pod: str) -> None:
        for key in [k for k in self._sources if k[:2] == (namespace, pod)]:
            del self._sources[key]

    def source(self, namespace: str, pod: str, container: str) -> LogSource | None:
        return self._sources.get((namespace, pod, container))


def simulated_lines(pod: Mapping[str, Any], container: str) -> list[LogLine]:
    """What a simulated container "printed": that it started (and, for a finished one, exited)."""
    status: Mapping[str, Any] = next(
        (s for s in (pod.get("status") or {}).get("containerStatuses") or [] if s.get("name") == container), {}
    )
    state = status.get("state") or {}
    image = status.get("image") or next(
        (c.get("image", "") for c in (pod.get("spec") or {}).get("containers") or [] if c.get("name") == container), ""
    )
    running, done = state.get("running") or {}, state.get("terminated") or {}
    started = _parse(running.get("startedAt") or done.get("startedAt"))
    lines = [
        LogLine(started, f"[kro dev] container {container} started (image {image})"),
        LogLine(started, "[kro dev] this container is simulated: no process runs, so it prints nothing else"),
    ]
    if done:
        lines.append(LogLine(_parse(done.get("finishedAt")), f"[kro dev] container {container} exited with code {done.get('exitCode', 0)}"))
    return lines


def _parse(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    return datetime.now(UTC)


@dataclass(frozen=True)
class ProcessPod:
    """A process shown as a pod: its namespace, name prefix, labels and single container."""

    namespace: str
    prefix: str
    labels: Mapping[str, str]
    container: str
    image: str


async def publish_process_pod(cluster: Cluster, logs: PodLogs, pod: ProcessPod, source: LogSource) -> str:
    """Create ``pod`` (Running, Ready) with ``source`` as its container's log; the pods a previous
    run left behind (same namespace and labels) are deleted first. Returns the pod's name."""
    await _ensure_namespace(cluster, pod.namespace)
    pods = cluster.registry.get("", "v1", "pods")
    assert pods is not None
    selector = LabelSelector.parse(",".join(f"{k}={v}" for k, v in pod.labels.items()))
    stale = await cluster.objects.list(pods, pod.namespace, ListOptions(label_selector=selector))
    for old in stale.items:
        name = old["metadata"]["name"]
        logs.detach(pod.namespace, name)
        try:
            # its process is gone already: nothing to wait for (kubectl delete --force --grace-period=0)
            await cluster.objects.delete(pods, pod.namespace, name, DeleteOptions(grace_period_seconds=0))
        except errors.NotFound:
            continue
    name = pod.prefix + "".join(secrets.choice(SAFE_ALPHABET) for _ in range(10))
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": pod.namespace, "labels": dict(pod.labels)},
        "spec": {"nodeName": NODE_NAME, "containers": [{"name": pod.container, "image": pod.image}]},
    }
    created = await cluster.objects.create(pods, pod.namespace, body, WriteOptions(manager="kro"))
    logs.attach(pod.namespace, name, pod.container, source)
    created["status"] = pod_status(created, "Running", now=timestamp(datetime.now(UTC)))
    await cluster.objects.update(pods, pod.namespace, name, created, WriteOptions(manager="kubelet"), subresource="status")
    return name


async def _ensure_namespace(cluster: Cluster, name: str) -> None:
    namespaces = cluster.registry.get("", "v1", "namespaces")
    assert namespaces is not None
    try:
        await cluster.objects.create(namespaces, "", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}, WriteOptions(manager="kro"))
    except errors.AlreadyExists:
        return
