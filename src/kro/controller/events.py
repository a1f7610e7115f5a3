"""Kubernetes Events (core/v1) about kro's objects, so ``kubectl describe`` shows what happened.

Events carry ``eventTime`` (a MicroTime, microsecond precision) besides the second-precision
``firstTimestamp``/``lastTimestamp`` that ``kubectl describe`` reads for the age and sorts by. Events
of the same second tie there, and a sort keeps ties in list order, which is name order: names end
in the time in nanoseconds (fixed-width hex), so the order is the order they happened in. The API
server requires, of a core/v1 Event with ``eventTime``: ``reportingComponent`` (the reporting
controller, a qualified name), ``reportingInstance`` and ``action`` (at most 128 characters each),
``reason`` (at most 128), ``message`` (at most 1024 bytes), and for an involved object without a
namespace an Event in ``default`` or ``kube-system``. ``series`` is left unset: each event is new.

Recording is best effort: failing to record an event is logged and never fails a reconcile."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from kro.api.refs import GVR
from kro.controller.ports import Writer
from kro.kube.errors import KubeError

log = logging.getLogger(__name__)

CONTROLLER = "kro.run/controller"
"""``reportingComponent`` (core/v1's name for ``reportingController``); ``kubectl describe`` shows
it in its From column."""
EVENTS = GVR("", "v1", "events")
_LIMIT = 128
_MESSAGE_BYTES = 1024
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micro_time(now: datetime) -> str:
    """``now`` as a Kubernetes MicroTime: RFC 3339 in UTC with exactly six fractional digits."""
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-8 bytes (the API server counts bytes), never mid-character."""
    return text.encode()[:limit].decode(errors="ignore")


def event_body(
    involved: Mapping[str, Any],
    *,
    type: str,
    reason: str,
    message: str,
    now: datetime,
    action: str = "Reconcile",
    instance: str = "",
) -> dict[str, Any]:
    """An Event about ``involved``; cluster-scoped objects' events go to ``default``, where
    ``kubectl describe`` finds them by the involved object's uid. ``instance``: which replica of
    the controller reports it (``reportingInstance``)."""
    meta = involved.get("metadata") or {}
    namespace = str(meta.get("namespace") or "default")
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": event_name(str(meta.get("name") or "object"), now), "namespace": namespace},
        "involvedObject": {
            "apiVersion": involved.get("apiVersion", ""),
            "kind": involved.get("kind", ""),
            "name": meta.get("name", ""),
            "namespace": meta.get("namespace") or "",
            "uid": meta.get("uid", ""),
            "resourceVersion": meta.get("resourceVersion", ""),
        },
        "type": type,
        "reason": _clip(reason, _LIMIT),
        "message": _clip(message, _MESSAGE_BYTES),
        "action": _clip(action, _LIMIT),
        "eventTime": micro_time(now),
        "firstTimestamp": stamp,
        "lastTimestamp": stamp,
        "count": 1,
        "reportingComponent": CONTROLLER,
        "reportingInstance": _clip(instance or CONTROLLER, _LIMIT),
    }


def event_name(involved: str, now: datetime) -> str:
    """``<involved name>.<time in nanoseconds, 16 hex digits>``: the API server lists a namespace's
    events in name order, so one object's events list in the order they happened."""
    nanos = (now.astimezone(UTC) - _EPOCH) // timedelta(microseconds=1) * 1000
    return f"{involved[: 253 - 17]}.{nanos:016x}"


class EventRecorder:
    """Records Events as one replica of the controller: ``instance`` (default: the host name)."""

    def __init__(self, writer: Writer, *, now: Callable[[], datetime], instance: str = "") -> None:
        self._writer = writer
        self._now = now
        self._instance = instance or socket.gethostname()

    async def warning(
        self, involved: Mapping[str, Any], *, reason: str, message: str, action: str = "Reconcile"
    ) -> None:
        await self.record(involved, type="Warning", reason=reason, message=message, action=action)

    async def normal(
        self, involved: Mapping[str, Any], *, reason: str, message: str, action: str = "Reconcile"
    ) -> None:
        await self.record(involved, type="Normal", reason=reason, message=message, action=action)

    async def record(
        self, involved: Mapping[str, Any], *, type: str, reason: str, message: str, action: str = "Reconcile"
    ) -> None:
        """Record an Event of ``type`` (``Normal`` or ``Warning``) about ``involved``; ``action``
        says what kro was doing. Callers decide when (on a transition, once per generation): the
        recorder does not de-duplicate."""
        body = event_body(
            involved,
            type=type,
            reason=reason,
            message=message,
            now=self._now(),
            action=action,
            instance=self._instance,
        )
        try:
            await self._writer.create(EVENTS, body, namespace=body["metadata"]["namespace"])
        except KubeError as e:
            log.warning("could not record event %s on %s: %s", reason, body["involvedObject"]["name"], e)
