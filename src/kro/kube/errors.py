"""The errors the cluster client raises, classified from the API server's ``Status`` objects.

Kubernetes answers a failed request with a ``Status`` (``code``, ``reason``, ``message``,
``details``). The class is chosen from the HTTP code and the machine-readable ``reason``, never from
the human-readable message::

    KubeError
    ├── ConfigError           no usable kubeconfig / in-cluster environment
    ├── TransportError        the request never got an HTTP answer (refused, reset, TLS, timeout)
    └── ApiError              the server answered with an error Status
        ├── BadRequest        400
        ├── Unauthorized      401
        ├── Forbidden         403
        ├── NotFound          404
        ├── MethodNotAllowed  405
        ├── Conflict          409 (stale resourceVersion, failed precondition)
        │   └── AlreadyExists 409 with reason AlreadyExists
        ├── Gone              410 (expired resourceVersion or continue token; also watch ERROR events)
        ├── UnsupportedMediaType 415
        ├── Invalid           422
        ├── TooManyRequests   429 (``retry_after`` from the Retry-After header or Status details)
        └── ServerError       5xx
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class KubeError(Exception):
    """Base of every error raised by :mod:`kro.kube`."""


class ConfigError(KubeError):
    """No usable cluster configuration (missing or malformed kubeconfig, not inside a cluster)."""


class TransportError(KubeError):
    """The request got no HTTP answer: connection refused or reset, TLS failure, timeout."""


class ApiError(KubeError):
    """The API server answered with an error ``Status``."""

    def __init__(
        self,
        status: int,
        reason: str = "",
        message: str = "",
        *,
        details: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.reason = reason
        self.message = message
        self.details: Mapping[str, Any] = details or {}
        self.body: Mapping[str, Any] = body or {}
        super().__init__(f"{status} {reason or 'Error'}: {message}" if message else f"{status} {reason}")

    @property
    def causes(self) -> list[Mapping[str, Any]]:
        """Field-level causes (``details.causes``): ``{"reason", "message", "field"}`` each."""
        causes = self.details.get("causes")
        return list(causes) if isinstance(causes, list) else []


class BadRequest(ApiError):
    pass


class Unauthorized(ApiError):
    pass


class Forbidden(ApiError):
    pass


class NotFound(ApiError):
    pass


class MethodNotAllowed(ApiError):
    pass


class Conflict(ApiError):
    pass


class AlreadyExists(Conflict):
    pass


class Gone(ApiError):
    pass


class UnsupportedMediaType(ApiError):
    pass


class Invalid(ApiError):
    pass


class TooManyRequests(ApiError):
    """429. ``retry_after`` is the server's requested wait in seconds, when it gave one."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class ServerError(ApiError):
    pass


_BY_CODE: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    410: Gone,
    415: UnsupportedMediaType,
    422: Invalid,
    429: TooManyRequests,
}

# metav1.StatusReason values, for Status objects that carry no usable code.
_BY_REASON: dict[str, type[ApiError]] = {
    "BadRequest": BadRequest,
    "Unauthorized": Unauthorized,
    "Forbidden": Forbidden,
    "NotFound": NotFound,
    "MethodNotAllowed": MethodNotAllowed,
    "Conflict": Conflict,
    "AlreadyExists": AlreadyExists,
    "Gone": Gone,
    "Expired": Gone,
    "UnsupportedMediaType": UnsupportedMediaType,
    "Invalid": Invalid,
    "TooManyRequests": TooManyRequests,
    "InternalError": ServerError,
    "ServiceUnavailable": ServerError,
    "ServerTimeout": ServerError,
    "Timeout": ServerError,
}

_REASON_FOR_CODE: dict[int, str] = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "Gone",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


def error_class(status: int, reason: str) -> type[ApiError]:
    """The error class for an HTTP code and a Status reason (the code wins; the reason refines)."""
    if status == 409 and reason == "AlreadyExists":
        return AlreadyExists
    cls = _BY_CODE.get(status)
    if cls is not None:
        return cls
    if status >= 500:
        return ServerError
    return _BY_REASON.get(reason, ApiError)


def api_error(
    status: int,
    body: Any,
    *,
    retry_after: float | None = None,
) -> ApiError:
    """Build the error for an HTTP error answer whose decoded body is ``body`` (a Status, ideally).

    ``status`` is the HTTP code; a Status ``code`` of its own takes precedence only when the HTTP
    code is missing (``0``), which is the case for watch ``ERROR`` events.
    """
    doc: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    is_status = doc.get("kind") == "Status"
    code = status
    if not code and is_status and isinstance(doc.get("code"), int):
        code = doc["code"]
    reason = str(doc.get("reason") or "") if is_status else ""
    message = str(doc.get("message") or "") if is_status else (body if isinstance(body, str) else "")
    details = doc.get("details") if is_status and isinstance(doc.get("details"), Mapping) else None
    if not reason:
        reason = _REASON_FOR_CODE.get(code, "")
    cls = error_class(code, reason)
    if cls is TooManyRequests:
        if retry_after is None and details is not None:
            seconds = details.get("retryAfterSeconds")
            retry_after = float(seconds) if isinstance(seconds, int | float) else None
        return TooManyRequests(code, reason, message, details=details, body=doc, retry_after=retry_after)
    return cls(code, reason, message, details=details, body=doc)


def status_error(status: Mapping[str, Any]) -> ApiError:
    """The error a watch ``ERROR`` event's Status object stands for (its own ``code`` decides)."""
    code = status.get("code")
    return api_error(code if isinstance(code, int) else 0, status)
