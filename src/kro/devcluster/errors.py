"""The API errors the local server answers with, each rendered as a Kubernetes ``Status`` object.

Codes, reasons and message shapes follow kube-apiserver (``k8s.io/apimachinery/pkg/api/errors``), so
clients that branch on ``reason``/``code`` behave the same here as against a real cluster.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


def failure_status(
    *, message: str, reason: str, code: int, details: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A ``v1 Status`` with ``status: Failure``, as kube-apiserver answers errors; ``details`` is
    left out when ``None``."""
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details is not None:
        # StatusDetails' fields are all omitempty: an empty group (the core group) or name is absent.
        body["details"] = {k: v for k, v in details.items() if v not in ("", None, [])}
    return body


@dataclass(frozen=True)
class Cause:
    """One field error of an Invalid answer (``details.causes[]``)."""

    field: str
    reason: str  # FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueForbidden, ...
    message: str

    def to_json(self) -> dict[str, str]:
        return {"reason": self.reason, "message": self.message, "field": self.field}

    def render(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ApiError(Exception):
    code = 500
    reason = "InternalError"

    def __init__(self, message: str, *, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        # None: the Status has no ``details`` (kube-apiserver's NewBadRequest and the like); ``{}``
        # gives ``"details": {}`` (its generic responses: unknown paths, wrong methods).
        self.details = dict(details) if details is not None else None

    def status(self) -> dict[str, Any]:
        return failure_status(message=self.message, reason=self.reason, code=self.code, details=self.details)


class BadRequest(ApiError):
    code, reason = 400, "BadRequest"


class Unauthorized(ApiError):
    code, reason = 401, "Unauthorized"


class Forbidden(ApiError):
    code, reason = 403, "Forbidden"


class NotFound(ApiError):
    code, reason = 404, "NotFound"


class MethodNotAllowed(ApiError):
    code, reason = 405, "MethodNotAllowed"


class NotAcceptable(ApiError):
    code, reason = 406, "NotAcceptable"


class AlreadyExists(ApiError):
    code, reason = 409, "AlreadyExists"


class Conflict(ApiError):
    code, reason = 409, "Conflict"


class Gone(ApiError):
    code, reason = 410, "Expired"


class RequestEntityTooLarge(ApiError):
    code, reason = 413, "RequestEntityTooLarge"


class UnsupportedMediaType(ApiError):
    code, reason = 415, "UnsupportedMediaType"


class Invalid(ApiError):
    code, reason = 422, "Invalid"

    def __init__(self, kind: str, group: str, name: str, causes: Sequence[Cause]) -> None:
        qualified = f"{kind}.{group}" if group else kind
        rendered = [c.render() for c in causes]
        summary = rendered[0] if len(rendered) == 1 else "[" + ", ".join(rendered) + "]"
        super().__init__(
            f'{qualified} "{name}" is invalid: {summary}',
            details={"name": name, "group": group, "kind": kind, "causes": [c.to_json() for c in causes]},
        )
        self.causes = tuple(causes)


class InternalError(ApiError):
    code, reason = 500, "InternalError"


class Unclassified(ApiError):
    """An error kube-apiserver's handler passes on as it got it, not as an API status (a
    DeleteOptions body its decoder refused): 500, and no ``reason``."""

    code, reason = 500, ""

    def status(self) -> dict[str, Any]:
        body = super().status()
        del body["reason"]
        return body


def _qualified(resource: str, group: str) -> str:
    return f"{resource}.{group}" if group else resource


def not_found(resource: str, group: str, name: str) -> NotFound:
    return NotFound(
        f'{_qualified(resource, group)} "{name}" not found',
        details={"name": name, "group": group, "kind": resource},
    )


def already_exists(resource: str, group: str, name: str) -> AlreadyExists:
    return AlreadyExists(
        f'{_qualified(resource, group)} "{name}" already exists',
        details={"name": name, "group": group, "kind": resource},
    )


def conflict(resource: str, group: str, name: str, why: str) -> Conflict:
    return Conflict(
        f'Operation cannot be fulfilled on {_qualified(resource, group)} "{name}": {why}',
        details={"name": name, "group": group, "kind": resource},
    )


STALE = "the object has been modified; please apply your changes to the latest version and try again"


METHOD_NOT_ALLOWED = "the server does not allow this method on the requested resource"


def undecodable(kind: str, version: str, reason: str) -> BadRequest:
    """kube-apiserver's 400 for a body its decoder refuses."""
    return BadRequest(f'{kind} in version "{version}" cannot be handled as a {kind}: {reason}')


def path_not_found() -> NotFound:
    return NotFound("the server could not find the requested resource", details={})


class ExpiredContinue(Gone):
    """410 for a continue token that left the history window, with a token that resumes the list
    at the latest version (``metadata.continue``), as kube-apiserver answers after compaction."""

    MESSAGE = (
        "The provided continue parameter is too old to display a consistent list result. You can start "
        "a new list without the continue parameter, or use the continue token in this response to "
        "retrieve the remainder of the results. Continuing with the provided token results in an "
        "inconsistent list - objects that were created, modified, or deleted between the time the first "
        "chunk was returned and now may show up in the list."
    )

    def __init__(self, token: str) -> None:
        super().__init__(self.MESSAGE)
        self.token = token

    def status(self) -> dict[str, Any]:
        body = failure_status(message=self.message, reason=self.reason, code=self.code)
        body["metadata"] = {"continue": self.token}
        return body


class Timeout(ApiError):
    code, reason = 504, "Timeout"


def resource_version_too_large(requested: int, current: int) -> Timeout:
    return Timeout(
        f"Timeout: Too large resource version: {requested}, current: {current}",
        details={
            "causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
            "retryAfterSeconds": 1,
        },
    )
