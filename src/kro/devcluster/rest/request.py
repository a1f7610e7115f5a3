"""Reading requests: the resource path, query options and the body (JSON or YAML, size-limited)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from aiohttp import web

from kro.devcluster import jsoncodec
from kro.devcluster.codec import protobuf
from kro.devcluster.errors import (
    BadRequest,
    Cause,
    Invalid,
    RequestEntityTooLarge,
    Unclassified,
    UnsupportedMediaType,
    undecodable,
)
from kro.devcluster.objects import DeleteOptions, FieldValidation, WriteOptions
from kro.devcluster.storage import FieldSelector, InvalidSelectorError, LabelSelector, ListOptions
from kro.openapi.goencoding import TYPE_AND_META, first_type_error
from kro.openapi.gofacts import go_facts

MAX_BODY_BYTES = 3 * 1024 * 1024
_TOO_LARGE = f"limit is {MAX_BODY_BYTES}"
_FIELD_VALIDATION: dict[str, FieldValidation] = {"Ignore": "Ignore", "Strict": "Strict", "Warn": "Warn"}
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
        raise RequestEntityTooLarge(f"Request entity too large: {_TOO_LARGE}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise RequestEntityTooLarge(f"Request entity too large: {_TOO_LARGE}")
        chunks.append(chunk)
    return b"".join(chunks)


def decode_object(raw: bytes, content_type: str, *, endpoint: BodyKind | None = None) -> dict[str, Any]:
    """A JSON, YAML or (for built-in kinds) Kubernetes protobuf body holding one object.

    ``endpoint``: the kind the endpoint serves; protobuf is read only for built-in kinds, whose
    messages the codec knows, and the envelope's empty apiVersion/kind default to it."""
    media = content_type.split(";")[0].strip().lower()
    if media == protobuf.MEDIA_TYPE and endpoint is not None:
        return _decode_protobuf(raw, endpoint)
    if media not in ("", "application/json", "application/yaml"):
        accepted = "application/json, application/yaml" + (f", {protobuf.MEDIA_TYPE}" if endpoint is None or endpoint.builtin else "")
        raise UnsupportedMediaType(f"the body of the request was in an unknown format - accepted media types include: {accepted}")
    if not raw.strip():
        raise BadRequest("the request body is empty")
    try:
        if media == "application/yaml":
            value = yaml.safe_load(raw.decode("utf-8"))
        else:
            value = jsoncodec.loads(raw)
    except (ValueError, RecursionError, yaml.YAMLError) as e:
        raise BadRequest(f"the request body could not be decoded: {_first_line(e)}") from e
    if not isinstance(value, dict):
        raise BadRequest("the request body must be an object")
    return value


def _decode_protobuf(raw: bytes, endpoint: BodyKind) -> dict[str, Any]:
    """kube-apiserver's answers: a custom resource's decoder cannot read protobuf (400, as any
    undecodable body), a built-in kind's body is read by the codec."""
    version = endpoint.api_version.rsplit("/", 1)[-1]
    if not endpoint.builtin:
        raise undecodable(endpoint.kind, version, protobuf.not_marshalable("Unstructured"))
    try:
        return protobuf.decode_object(raw, default_api_version=endpoint.api_version, default_kind=endpoint.kind)
    except protobuf.ProtobufError as e:
        raise undecodable(endpoint.kind, version, str(e)) from e


def _first_line(e: Exception) -> str:
    return str(e).splitlines()[0] if str(e) else type(e).__name__


def _all(query: Mapping[str, str], key: str) -> list[str]:
    """Every value of a repeated query parameter (``?dryRun=All&dryRun=All``)."""
    getall = getattr(query, "getall", None)
    if callable(getall):
        return [str(v) for v in getall(key, [])]
    return [query[key]] if key in query else []


def _options_invalid(kind: str, causes: list[Cause]) -> None:
    if causes:
        raise Invalid(kind, "meta.k8s.io", "", causes)


def _unsupported(path: str, value: str, supported: tuple[str, ...]) -> Cause:
    listed = ", ".join(json.dumps(v) for v in supported)
    return Cause(path, "FieldValueNotSupported", f"Unsupported value: {value}: supported values: {listed}")


def _dry_run_causes(values: list[str]) -> list[Cause]:
    """kube-apiserver's ``ValidateDryRun``: every value must be ``All``."""
    if all(v == "All" for v in values):
        return []
    # v1.32 prints the list as Go's %#v does: []string{"Yes"}.
    shown = "[]string{" + ", ".join(json.dumps(v) for v in values) + "}"
    return [_unsupported("dryRun", shown, ("All",))]


def write_options(query: Mapping[str, str], kind: str = "CreateOptions") -> WriteOptions:
    """The options of a create, update or patch (``kind``: CreateOptions, UpdateOptions,
    PatchOptions), refused as kube-apiserver does (422 Invalid of ``<kind>.meta.k8s.io``)."""
    dry_run = _all(query, "dryRun")
    causes = _dry_run_causes([str(v) for v in dry_run])
    fv = query.get("fieldValidation") or ""
    if fv and fv not in _FIELD_VALIDATION:
        causes.append(_unsupported("fieldValidation", json.dumps(fv), ("", *sorted(_FIELD_VALIDATION))))
    _options_invalid(kind, causes)
    # With no fieldValidation parameter kube-apiserver warns (kubectl sends Strict itself).
    return WriteOptions(dry_run=bool(dry_run), field_validation=_FIELD_VALIDATION.get(fv, "Warn"))


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
    return ListOptions(
        labels,
        fields,
        max(limit, 0),
        query.get("continue") or None,
        resource_version=query.get("resourceVersion") or "",
        resource_version_match=query.get("resourceVersionMatch") or "",
    )


def check_list_query(options: ListOptions) -> None:
    """kube-apiserver's checks of a (non-watch) list's options: 422 on ``ListOptions``, or 400."""
    causes: list[Cause] = []
    match, rv = options.resource_version_match, options.resource_version
    field = "resourceVersionMatch"
    if match:
        if not rv:
            causes.append(Cause(field, "FieldValueForbidden", "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"))
        if options.continue_token:
            causes.append(Cause(field, "FieldValueForbidden", "Forbidden: resourceVersionMatch is forbidden when continue is provided"))
        if match not in ("Exact", "NotOlderThan"):
            causes.append(Cause(field, "FieldValueNotSupported", f'Unsupported value: "{match}": supported values: "Exact", "NotOlderThan", ""'))
        if match == "Exact" and rv == "0":
            causes.append(Cause(field, "FieldValueForbidden", 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"'))
    if causes:
        raise Invalid("ListOptions", "meta.k8s.io", "", causes)
    if rv and not rv.isdigit():
        raise BadRequest(f"invalid resource version: {rv}")
    if options.continue_token and rv not in ("", "0"):
        raise BadRequest("specifying resource version is not allowed when using continue")


def delete_options(query: Mapping[str, str], body: Mapping[str, Any] | None) -> DeleteOptions:
    """DeleteOptions from the body, or else from the query, refused as kube-apiserver does. A body
    value of the wrong JSON type is its decoder's error, which its DELETE handler passes on
    unclassified: 500 (``json: cannot unmarshal string into Go struct field
    DeleteOptions.gracePeriodSeconds of type int64``)."""
    if body:
        wrong = first_type_error(go_facts(), _DELETE_OPTIONS_TYPE, body, skip=TYPE_AND_META)
        if wrong is not None:
            raise Unclassified(wrong)
        source: Mapping[str, Any] = body
        dry = body.get("dryRun") or []
        orphan = body.get("orphanDependents")
    else:
        source = query
        dry = _all(query, "dryRun")
        orphan = {"true": True, "false": False}.get(str(query.get("orphanDependents")))
    pre = (body or {}).get("preconditions") or {}
    policy = source.get("propagationPolicy")
    causes: list[Cause] = []
    if orphan is not None and policy is not None:
        causes.append(Cause("propagationPolicy", "FieldValueInvalid",
                            f"Invalid value: {json.dumps(policy)}: orphanDependents and deletionPropagation cannot be both set"))
    if policy is not None and policy not in ("Foreground", "Background", "Orphan"):
        causes.append(_unsupported("propagationPolicy", json.dumps(policy), ("Foreground", "Background", "Orphan", "nil")))
    causes += _dry_run_causes([str(v) for v in dry] if isinstance(dry, list) else [str(dry)])
    _options_invalid("DeleteOptions", causes)
    if orphan is not None:
        policy = "Orphan" if orphan else "Background"
    grace = source.get("gracePeriodSeconds")
    if body is None and grace is not None:
        try:
            grace = int(str(grace))
        except ValueError as e:  # the query's conversion error, as a 400
            raise BadRequest(f'strconv.ParseInt: parsing "{grace}": invalid syntax') from e
    return DeleteOptions(
        propagation_policy=policy,
        uid=pre.get("uid"),
        resource_version=pre.get("resourceVersion"),
        dry_run=bool(dry),
        orphan_dependents=orphan,
        grace_period_seconds=grace,
    )


_DELETE_OPTIONS_TYPE = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"
