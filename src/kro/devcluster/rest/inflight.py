"""Load shedding as kube-apiserver's max-in-flight filter does it (``--max-requests-inflight``,
``--max-mutating-requests-inflight``): at most N requests are served at once, counted apart for
reads (get, list) and writes; one more is turned away at once with ``429``, ``Retry-After: 1`` and
the plain-text body ``Too many requests, please try again later.`` Long-running requests (watches)
are not counted. A limit of 0 means no limit.

kube-apiserver exempts ``system:masters`` from this filter; the local server has one identity,
which the limit does apply to, so clients can be watched slowing down under load shedding.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

RETRY_AFTER = "1"
MESSAGE = "Too many requests, please try again later.\n"
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def long_running(request: web.Request) -> bool:
    """A watch (``?watch=true``/``1`` or a ``/watch/`` path): never counted."""
    if request.method != "GET":
        return False
    return request.query.get("watch", "").lower() in ("true", "1") or "/watch/" in request.path


def too_many_requests() -> web.Response:
    """What kube-apiserver's filter answers (Go's ``http.Error``: plain text, ``nosniff``)."""
    resp = web.Response(text=MESSAGE, status=429, content_type="text/plain", charset="utf-8")
    resp.headers["Retry-After"] = RETRY_AFTER
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


@dataclass
class InflightLimiter:
    max_requests: int = 0
    max_mutating: int = 0
    reading: int = 0
    writing: int = 0
    rejected: int = 0

    @property
    def enabled(self) -> bool:
        return self.max_requests > 0 or self.max_mutating > 0

    def try_acquire(self, request: web.Request) -> str | None:
        """The slot taken (``"read"``/``"write"``; ``""`` for an uncounted request), or ``None``
        when the request must be turned away."""
        if long_running(request):
            return ""
        if request.method in _READ_METHODS:
            if self.max_requests and self.reading >= self.max_requests:
                self.rejected += 1
                return None
            self.reading += 1
            return "read"
        if self.max_mutating and self.writing >= self.max_mutating:
            self.rejected += 1
            return None
        self.writing += 1
        return "write"

    def release(self, slot: str) -> None:
        if slot == "read":
            self.reading -= 1
        elif slot == "write":
            self.writing -= 1
