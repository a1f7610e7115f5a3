"""Error classification from the API server's Status objects: by code and reason, never message."""

from __future__ import annotations

import pytest

from kro.kube.errors import (
    AlreadyExists,
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    Gone,
    Invalid,
    NotFound,
    ServerError,
    TooManyRequests,
    Unauthorized,
    api_error,
    status_error,
)


def status(code: int, reason: str, message: str = "m", **details: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "apiVersion": "v1",
        "kind": "Status",
        "status": "Failure",
        "code": code,
        "reason": reason,
        "message": message,
    }
    if details:
        doc["details"] = details
    return doc


@pytest.mark.parametrize(
    ("code", "reason", "cls"),
    [
        (400, "BadRequest", BadRequest),
        (401, "Unauthorized", Unauthorized),
        (403, "Forbidden", Forbidden),
        (404, "NotFound", NotFound),
        (409, "Conflict", Conflict),
        (409, "AlreadyExists", AlreadyExists),
        (410, "Gone", Gone),
        (410, "Expired", Gone),
        (422, "Invalid", Invalid),
        (429, "TooManyRequests", TooManyRequests),
        (500, "InternalError", ServerError),
        (503, "ServiceUnavailable", ServerError),
        (504, "Timeout", ServerError),
        (418, "", ApiError),
    ],
)
def test_class_follows_code_and_reason(code: int, reason: str, cls: type[ApiError]) -> None:
    error = api_error(code, status(code, reason))
    assert type(error) is cls
    assert error.status == code


def test_message_text_never_decides_the_class() -> None:
    error = api_error(409, status(409, "Conflict", "object already exists, not found, gone"))
    assert type(error) is Conflict


def test_already_exists_is_a_conflict() -> None:
    assert isinstance(api_error(409, status(409, "AlreadyExists")), Conflict)


def test_invalid_keeps_field_causes() -> None:
    causes = [{"reason": "FieldValueInvalid", "message": "bad", "field": "metadata.name"}]
    error = api_error(422, status(422, "Invalid", name="x", kind="ConfigMap", causes=causes))
    assert error.causes == causes
    assert error.details["kind"] == "ConfigMap"


def test_retry_after_comes_from_the_header_or_the_status_details() -> None:
    from_header = api_error(429, status(429, "TooManyRequests"), retry_after=3.0)
    assert isinstance(from_header, TooManyRequests) and from_header.retry_after == 3.0
    from_details = api_error(429, status(429, "TooManyRequests", retryAfterSeconds=7))
    assert isinstance(from_details, TooManyRequests) and from_details.retry_after == 7.0


def test_watch_error_event_with_410_is_gone() -> None:
    error = status_error(status(410, "Expired", "too old resource version: 1 (5)"))
    assert isinstance(error, Gone)
    assert error.reason == "Expired"


def test_watch_error_without_code_is_classified_by_reason() -> None:
    assert isinstance(status_error({"kind": "Status", "reason": "Expired"}), Gone)


def test_non_status_body_still_gets_a_class_by_code() -> None:
    error = api_error(404, "404 page not found")
    assert isinstance(error, NotFound)
    assert error.reason == "NotFound"
    assert "page not found" in error.message
    assert isinstance(api_error(403, None), Forbidden)
