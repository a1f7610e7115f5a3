"""Kubernetes Events (core/v1) about kro's objects, so ``kubectl describe`` shows what happened.

Recording is best effort: failing to record an event is logged and never fails a reconcile."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from kro.api.refs import GVR
from kro.controller.ports import Writer
from kro.kube.errors import KubeError

log = logging.getLogger(__name__)

COMPONENT = "kro-controller"
EVENTS = GVR("", "v1", "events")


def event_body(
    involved: Mapping[str, Any], *, type: str, reason: str, message: str, now: datetime
) -> dict[str, Any]:
    """An Event about ``involved``; cluster-scoped objects' events go to ``default``, where
    ``kubectl describe`` finds them by the involved object's uid."""
    meta = involved.get("metadata") or {}
    namespace = str(meta.get("namespace") or "default")
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = hashlib.sha256(f"{meta.get('uid')}|{reason}|{message}|{now.isoformat()}".encode()).hexdigest()[
        :12
    ]
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{meta.get('name', 'object')}.{digest}", "namespace": namespace},
        "involvedObject": {
            "apiVersion": involved.get("apiVersion", ""),
            "kind": involved.get("kind", ""),
            "name": meta.get("name", ""),
            "namespace": meta.get("namespace") or "",
            "uid": meta.get("uid", ""),
            "resourceVersion": meta.get("resourceVersion", ""),
        },
        "type": type,
        "reason": reason,
        "message": message[:1024],
        "source": {"component": COMPONENT},
        "reportingComponent": COMPONENT,
        "firstTimestamp": stamp,
        "lastTimestamp": stamp,
        "count": 1,
    }


class EventRecorder:
    def __init__(self, writer: Writer, *, now: Callable[[], datetime]) -> None:
        self._writer = writer
        self._now = now

    async def warning(self, involved: Mapping[str, Any], *, reason: str, message: str) -> None:
        await self.record(involved, type="Warning", reason=reason, message=message)

    async def normal(self, involved: Mapping[str, Any], *, reason: str, message: str) -> None:
        await self.record(involved, type="Normal", reason=reason, message=message)

    async def record(self, involved: Mapping[str, Any], *, type: str, reason: str, message: str) -> None:
        """Record an Event of ``type`` (``Normal`` or ``Warning``) about ``involved``. Callers
        decide when (on a transition, once per generation): the recorder does not de-duplicate."""
        body = event_body(involved, type=type, reason=reason, message=message, now=self._now())
        try:
            await self._writer.create(EVENTS, body, namespace=body["metadata"]["namespace"])
        except KubeError as e:
            log.warning("could not record event %s on %s: %s", reason, body["involvedObject"]["name"], e)
