"""Reading requests: the resource path, query options and the body (JSON or YAML, size-limited)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from aiohttp import web

from kro.devcluster import jsoncodec
from kro.devcluster.codec import protobuf
from kro.devcluster.errors import BadRequest, RequestEntityTooLarge, UnsupportedMediaType
from kro.devcluster.objects import DeleteOptions, FieldValidation, WriteOptions
from kro.devcluster.storage import FieldSelector, InvalidSelectorError, LabelSelector, ListOptions

MAX_BODY_BYTES = 3 * 1024 * 1024
_NAMESPACE_SUBRESOURCES = ("status", "finalize")


@dataclass(frozen=True)
class BodyKind:
    """The kind a request body is read as: ``builtin`` kinds also accept protobuf."""

    api_version: str
    kind: str
    builtin: bool


@dataclass(frozen=True)
class ResourcePath:
    group: str
    version: str
    plural: str
    namespace: str | None = None
    name: str | None = None
    subresource: str | None = None


def parse_path(path: str) -> ResourcePath | None:
    """``/api/v1/namespaces/ns/pods/p/status`` → its parts; ``None`` if not a resource path."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 3 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 4 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    namespace: str | None = None
    if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in _NAMESPACE_SUBRESOURCES:
        namespace, rest = rest[1], rest[2:]
    if len(rest) > 3:
        return None
    return ResourcePath(
        group,
        version,
        rest[0],
        namespace,
        rest[1] if len(rest) > 1 else None,
        rest[2] if len(rest) > 2 else None,
    )


async def read_body(request: web.Request) -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise RequestEntityTooLarge("the request body is too large (limit is 3 MiB)")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise RequestEntityTooLarge("the request body is too large (limit is 3 MiB)")
        chunks.append(chunk)
    return b"".join(chunks)


def decode_object(raw: bytes, content_type: str, *, endpoint: BodyKind | None = None) -> dict[str, Any]:
    """A JSON, YAML or (for built-in kinds) Kubernetes protobuf body holding one object.

    ``endpoint``: the kind the endpoint serves; protobuf is read only for built-in kinds, whose
    messages the codec knows, and the envelope's empty apiVersion/kind default to it."""
    media = content_type.split(";")[0].strip().lower()
    if media == protobuf.MEDIA_TYPE and endpoint is not None and endpoint.builtin:
        try:
            return protobuf.decode_object(raw, default_api_version=endpoint.api_version, default_kind=endpoint.kind)
        except protobuf.ProtobufError as e:
            raise BadRequest(str(e)) from e
    if media in (protobuf.MEDIA_TYPE, "application/cbor"):
        raise UnsupportedMediaType("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml")
    if not raw.strip():
        raise BadRequest("the request body is empty")
    try:
        if media in ("application/yaml", "application/x-yaml", "text/yaml"):
            value = yaml.safe_load(raw.decode("utf-8"))
        else:
            value = jsoncodec.loads(raw)
    except (ValueError, RecursionError, yaml.YAMLError) as e:
        raise BadRequest(f"the request body could not be decoded: {_first_line(e)}") from e
    if not isinstance(value, dict):
        raise BadRequest("the request body must be an object")
    return value


def _first_line(e: Exception) -> str:
    return str(e).splitlines()[0] if str(e) else type(e).__name__


def write_options(query: Mapping[str, str]) -> WriteOptions:
    dry_run = query.get("dryRun")
    if dry_run not in (None, "", "All"):
        raise BadRequest(f'Invalid dryRun value: "{dry_run}"; the only supported value is "All"')
    fv = query.get("fieldValidation") or "Strict"
    mapping: dict[str, FieldValidation] = {"strict": "Strict", "warn": "Warn", "ignore": "Ignore"}
    if fv.lower() not in mapping:
        raise BadRequest(f"fieldValidation must be one of Ignore, Warn, Strict; got {fv!r}")
    return WriteOptions(dry_run=dry_run == "All", field_validation=mapping[fv.lower()])


def list_options(query: Mapping[str, str]) -> ListOptions:
    try:
        labels = LabelSelector.parse(query.get("labelSelector"))
        fields = FieldSelector.parse(query.get("fieldSelector"))
    except InvalidSelectorError as e:
        raise BadRequest(str(e)) from e
    try:
        limit = int(query.get("limit") or 0)
    except ValueError as e:
        raise BadRequest(f"invalid limit {query.get('limit')!r}") from e
    return ListOptions(labels, fields, max(limit, 0), query.get("continue") or None)


def delete_options(query: Mapping[str, str], body: Mapping[str, Any] | None) -> DeleteOptions:
    body = body or {}
    pre = body.get("preconditions") or {}
    policy = body.get("propagationPolicy") or query.get("propagationPolicy")
    if body.get("orphanDependents") is True or query.get("orphanDependents") == "true":
        policy = policy or "Orphan"
    if policy not in (None, "Background", "Foreground", "Orphan"):
        raise BadRequest(f"propagationPolicy {policy!r} is not one of Background, Foreground, Orphan")
    dry = body.get("dryRun") or ([query["dryRun"]] if query.get("dryRun") else [])
    return DeleteOptions(
        propagation_policy=policy,
        uid=pre.get("uid"),
        resource_version=pre.get("resourceVersion"),
        dry_run="All" in dry,
    )
