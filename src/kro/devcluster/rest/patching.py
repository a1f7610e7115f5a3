"""PATCH requests: JSON patch, merge patch, strategic merge patch and server-side apply, computed by
:mod:`kro.devcluster.patch` against the live object and stored through the object service (so a
patched object gets the same validation and semantics as a PUT). A patch that races another write is
retried on the new live object, as kube-apiserver does, unless the patch itself pins a
resourceVersion."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from kro.devcluster import errors
from kro.devcluster.metadata import timestamp
from kro.devcluster.objects import ObjectService
from kro.devcluster.patch import (
    PatchType,
    apply_patch,
    field_manager_for,
    ignored_fields,
    parse_body,
    patch_type,
    server_side_apply,
)
from kro.devcluster.registry import ResourceType
from kro.devcluster.rest.handlers import PatchHandler
from kro.devcluster.rest.negotiate import json_response
from kro.devcluster.rest.request import ResourcePath, read_body, write_options

_RETRIES = 5
# The patch media types a route consumes: custom resources take every one but strategic merge.
_BUILTIN_MEDIA = frozenset(t.value for t in PatchType)
_CUSTOM_MEDIA = _BUILTIN_MEDIA - {PatchType.STRATEGIC.value}


def patch_handler(objects: ObjectService) -> PatchHandler:
    async def handle(request: web.Request, rt: ResourceType, path: ResourcePath) -> web.Response:
        kind = _route_patch_type(request, rt)
        doc = parse_body(await read_body(request), kind)
        assert path.name is not None
        ns = path.namespace or ""
        sub = path.subresource or ""
        for attempt in range(_RETRIES):
            try:
                return await _once(request, objects, rt, ns, path.name, sub, kind, doc)
            except errors.Conflict:
                if attempt == _RETRIES - 1 or _pins_version(doc, kind):
                    raise
        raise AssertionError("unreachable")

    return handle


def _route_patch_type(request: web.Request, rt: ResourceType) -> PatchType:
    """The patch type, or the 415 kube-apiserver's router gives a media type the route does not
    consume (strategic merge is not consumed for custom resources)."""
    media = request.content_type.split(";", 1)[0].strip().lower()
    if media not in (_CUSTOM_MEDIA if rt.is_custom else _BUILTIN_MEDIA):
        raise errors.UnsupportedMediaType("415: Unsupported Media Type", details={})
    return patch_type(media)


def _pins_version(doc: Any, kind: PatchType) -> bool:
    if kind is PatchType.JSON:
        return any(isinstance(op, dict) and str(op.get("path", "")).startswith("/metadata/resourceVersion") for op in doc or [])
    return isinstance(doc, dict) and bool((doc.get("metadata") or {}).get("resourceVersion"))


async def _once(
    request: web.Request,
    objects: ObjectService,
    rt: ResourceType,
    ns: str,
    name: str,
    sub: str,
    kind: PatchType,
    doc: Any,
) -> web.Response:
    opts = write_options(request.query, "PatchOptions")
    if kind is PatchType.APPLY:
        opts.manager = request.query.get("fieldManager") or None
    else:
        opts.manager = field_manager_for(request.query.get("fieldManager"), request.headers.get("User-Agent"))
    schema = objects.schema_for(rt)
    now = timestamp(objects.now())
    if kind is PatchType.APPLY:
        if not opts.manager:
            raise errors.Invalid(
                "PatchOptions", "meta.k8s.io", "", [errors.Cause("fieldManager", "FieldValueRequired", "Required value: is required for apply patch")]
            )
        try:
            live: Mapping[str, Any] | None = await objects.get_shared(rt, ns, name)
        except errors.NotFound:
            if sub:
                raise
            live = None
        ignored = ignored_fields(subresource=sub, has_status=rt.has_status, objects=[o for o in (live, doc) if o])
        result = server_side_apply(
            live, doc, schema=schema, manager=opts.manager, now=now, force=request.query.get("force") == "true",
            ignored=ignored, subresource=sub,
        )
        opts.managed_fields_set = True
        # What apply answers shares nothing with the live object or the request: it is handed over.
        if result.created:
            body = result.object
            body.setdefault("metadata", {})["name"] = name
            created = await objects.create(rt, ns, body, opts, owned=True, shared=True)
            return json_response(created, status=201, warnings=opts.warnings)
        assert live is not None
        if not result.changed:
            return json_response(live)
        stored = await objects.update(
            rt, ns, name, _pinned(result.object, live), opts, subresource=sub or None, owned=True, shared=True
        )
        return json_response(stored, warnings=opts.warnings)
    # The patch functions never change their input; their answer may share parts with it (the
    # stored object), which the update copies.
    live = await objects.get_shared(rt, ns, name)
    patched = apply_patch(live, doc, kind, schema=schema, builtin=not rt.is_custom)
    stored = await objects.update(
        rt, ns, name, _pinned(patched, live), opts, subresource=sub or None, shared=True
    )
    return json_response(stored, warnings=opts.warnings)


def _pinned(obj: dict[str, Any], live: Mapping[str, Any]) -> dict[str, Any]:
    """Write against the version that was patched (a concurrent change makes this a 409, retried).
    ``obj``'s metadata may be the live object's own: it is replaced, never changed."""
    meta = obj.get("metadata")
    if meta is None:
        meta = {}
    if isinstance(meta, dict) and not meta.get("resourceVersion"):
        obj["metadata"] = {**meta, "resourceVersion": live["metadata"]["resourceVersion"]}
    return obj
