"""The resource verbs: get, list, watch, create, update, patch, delete and deletecollection on
collection and item paths (and ``/status``, ``/scale``), each answering like kube-apiserver."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from aiohttp import web

from kro.devcluster import errors, fieldlabels
from kro.devcluster.errors import MethodNotAllowed
from kro.devcluster.logs import PodLogs
from kro.devcluster.objects import ObjectService, WriteOptions
from kro.devcluster.patch import field_manager_for
from kro.devcluster.registry import Registry, ResourceType
from kro.devcluster.rest import binding, podlogs, reviews, scale
from kro.devcluster.rest import table as tables
from kro.devcluster.rest.negotiate import json_response, object_response
from kro.devcluster.rest.request import (
    BodyKind,
    ResourcePath,
    check_list_query,
    decode_object,
    delete_options,
    list_options,
    read_body,
    write_options,
)
from kro.devcluster.rest.watch import EventEncodings, WatchParams, WatchStream
from kro.devcluster.storage import (
    ContinueExpiredError,
    InvalidContinueError,
    ListOptions,
    ListResult,
    ResourceVersionTooLargeError,
    TooOldError,
)

# Serves a PATCH of one object (see kro.devcluster.rest.patching).
PatchHandler = Callable[[web.Request, ResourceType, ResourcePath], Awaitable[web.Response]]

_SUBRESOURCES = ("status",)
_DELETE_OPTIONS = BodyKind("meta.k8s.io/v1", "DeleteOptions", builtin=True)


def body_kind(rt: ResourceType) -> BodyKind:
    return BodyKind(rt.api_version, rt.kind, builtin=not rt.is_custom)


def _typed(rt: ResourceType, obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """``obj`` with its apiVersion and kind (the protobuf envelope needs them)."""
    if obj.get("kind") and obj.get("apiVersion"):
        return obj
    return {"apiVersion": rt.api_version, "kind": rt.kind, **obj}


def selection(rt: ResourceType, query: Mapping[str, str]) -> ListOptions:
    """The query's list options, its field selector checked against and bound to the kind."""
    options = list_options(query)
    return replace(options, field_selector=fieldlabels.resolve(rt, options.field_selector))


def list_items(rt: ResourceType, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items as a list answer carries them. A built-in kind's list is a typed list whose items have
    no ``apiVersion``/``kind`` (only single objects and watch events carry them); a custom
    resource's list is unstructured and each item keeps both, at the version requested."""
    if not rt.is_custom:
        for item in items:
            item.pop("apiVersion", None)
            item.pop("kind", None)
    return items


class ResourceHandler:
    def __init__(
        self,
        registry: Registry,
        objects: ObjectService,
        *,
        bookmark_interval: float,
        max_watch_seconds: float,
        patcher: PatchHandler | None = None,
        logs: PodLogs | None = None,
    ) -> None:
        self._registry = registry
        self._objects = objects
        self._bookmark_interval = bookmark_interval
        self._max_watch = max_watch_seconds
        self._patcher = patcher
        self._logs = logs or PodLogs()
        self._encodings = EventEncodings()

    def resolve(self, path: ResourcePath) -> ResourceType:
        rt = self._registry.get(path.group, path.version, path.plural)
        if rt is None or (path.namespace is not None and not rt.namespaced):
            raise errors.path_not_found()
        if path.subresource == "finalize" and rt.kind == "Namespace" and not rt.group:
            return rt
        if path.subresource == "scale" and rt.scale is not None:
            return rt
        if path.subresource in ("log", "binding") and rt.kind == "Pod" and not rt.group and path.name is not None:
            return rt
        if path.subresource is not None and (path.subresource not in _SUBRESOURCES or not rt.has_status):
            raise errors.path_not_found()
        return rt

    async def handle(self, request: web.Request, path: ResourcePath) -> web.StreamResponse:
        rt = self.resolve(path)
        method = request.method
        if not rt.stored:
            return await reviews.handle(request, rt, path)
        if path.subresource == "scale" and path.name is not None:
            return await scale.handle(request, self._objects, rt, path)
        if path.subresource == "log":
            return await podlogs.handle(request, self._objects, self._logs, rt, path)
        if path.subresource == "binding":
            return await binding.handle(request, self._objects, rt, path)
        ns = path.namespace or ""
        if path.name is None:
            if method == "GET":
                if request.query.get("watch") in ("1", "true"):
                    return await self._watch(request, rt, path)
                return await self._list(request, rt, path)
            if method == "POST":
                return await self._create(request, rt, ns)
            if method == "DELETE":
                return await self._delete_collection(request, rt, path)
            raise MethodNotAllowed(errors.METHOD_NOT_ALLOWED, details={})
        if method == "GET":
            obj = await self._objects.get(rt, ns, path.name)
            return self._render_one(request, rt, obj)
        if method == "PUT":
            return await self._update(request, rt, ns, path)
        if method == "DELETE":
            return await self._delete(request, rt, ns, path.name)
        if method == "PATCH":
            if self._patcher is None:
                raise errors.UnsupportedMediaType(f"PATCH is not supported by this server ({request.content_type})")
            return await self._patcher(request, rt, path)
        raise MethodNotAllowed(errors.METHOD_NOT_ALLOWED, details={})

    def _render_one(self, request: web.Request, rt: ResourceType, obj: Mapping[str, Any]) -> web.Response:
        accept = request.headers.get("Accept", "")
        if tables.wants_table(accept):
            rv = str((obj.get("metadata") or {}).get("resourceVersion", ""))
            return json_response(
                tables.table(rt, [obj], resource_version=rv, include_object=request.query.get("includeObject") or "Metadata")
            )
        if tables.wants_partial_metadata(accept):
            return json_response(tables.partial_metadata(obj))
        return object_response(request, _typed(rt, obj), builtin=not rt.is_custom)

    async def _list(self, request: web.Request, rt: ResourceType, path: ResourcePath) -> web.Response:
        options = selection(rt, request.query)
        check_list_query(options)
        try:
            result: ListResult = await self._objects.list(rt, path.namespace, options)
        except InvalidContinueError as e:
            raise errors.BadRequest(f"invalid continue token: {e}") from e
        except ContinueExpiredError as e:
            raise errors.ExpiredContinue(e.token) from e
        except TooOldError as e:
            raise errors.Gone("The resourceVersion for the provided list is too old.") from e
        except ResourceVersionTooLargeError as e:
            raise errors.resource_version_too_large(e.requested, e.current) from e
        accept = request.headers.get("Accept", "")
        if tables.wants_table(accept):
            return json_response(
                tables.table(
                    rt,
                    result.items,
                    resource_version=str(result.resource_version),
                    include_object=request.query.get("includeObject") or "Metadata",
                    continue_token=result.continue_token,
                    remaining=result.remaining,
                )
            )
        meta: dict[str, Any] = {"resourceVersion": str(result.resource_version)}
        if result.continue_token:
            meta["continue"] = result.continue_token
            if result.remaining is not None:
                meta["remainingItemCount"] = result.remaining
        if tables.wants_partial_metadata(accept):
            items = [tables.partial_metadata(o) for o in result.items]
            return json_response(
                {"kind": "PartialObjectMetadataList", "apiVersion": tables.TABLE_API_VERSION, "metadata": meta, "items": items}
            )
        body = {"kind": rt.list_kind or rt.kind + "List", "apiVersion": rt.api_version, "metadata": meta, "items": list_items(rt, result.items)}
        return object_response(request, body, builtin=not rt.is_custom)

    async def _watch(self, request: web.Request, rt: ResourceType, path: ResourcePath) -> web.StreamResponse:
        params = WatchParams.parse(request.query, request.headers.get("Accept", ""), max_timeout=self._max_watch)
        stream = WatchStream(
            request,
            self._objects,
            rt,
            path.namespace,
            selection(rt, request.query),
            params,
            bookmark_interval=self._bookmark_interval,
            encodings=self._encodings,
        )
        return await stream.run()

    async def _create(self, request: web.Request, rt: ResourceType, namespace: str) -> web.Response:
        opts = write_options(request.query)
        opts.manager = field_manager_for(request.query.get("fieldManager"), request.headers.get("User-Agent"))
        body = decode_object(await read_body(request), request.headers.get("Content-Type", ""), endpoint=body_kind(rt))
        obj = await self._objects.create(rt, namespace, body, opts)
        return object_response(request, _typed(rt, obj), builtin=not rt.is_custom, status=201, warnings=opts.warnings)

    async def _update(self, request: web.Request, rt: ResourceType, namespace: str, path: ResourcePath) -> web.Response:
        opts: WriteOptions = write_options(request.query, "UpdateOptions")
        opts.manager = field_manager_for(request.query.get("fieldManager"), request.headers.get("User-Agent"))
        body = decode_object(await read_body(request), request.headers.get("Content-Type", ""), endpoint=body_kind(rt))
        assert path.name is not None
        self._require_resource_version(rt, body, path.name)
        obj = await self._objects.update(rt, namespace, path.name, body, opts, subresource=path.subresource)
        return object_response(request, _typed(rt, obj), builtin=not rt.is_custom, warnings=opts.warnings)

    @staticmethod
    def _require_resource_version(rt: ResourceType, body: Mapping[str, Any], name: str) -> None:
        """Custom resources and CRDs refuse unconditional updates, as in kube-apiserver."""
        if not (rt.is_custom or rt.group == "apiextensions.k8s.io"):
            return
        meta = body.get("metadata")
        if isinstance(meta, Mapping) and meta.get("resourceVersion"):
            return
        cause = errors.Cause("metadata.resourceVersion", "FieldValueInvalid", "Invalid value: 0: must be specified for an update")
        raise errors.Invalid(rt.kind, rt.group, name, [cause])

    async def _delete(self, request: web.Request, rt: ResourceType, namespace: str, name: str) -> web.Response:
        raw = await read_body(request)
        body = decode_object(raw, request.headers.get("Content-Type", ""), endpoint=_DELETE_OPTIONS) if raw.strip() else None
        options = delete_options(request.query, body)
        warnings: list[str] = []
        obj, gone = await self._objects.delete_outcome(rt, namespace, name, options, warnings=warnings)
        if gone:
            answer = obj if (rt.group, rt.plural) in RETURN_DELETED_OBJECT else deleted_status(rt, obj)
            return json_response(answer, warnings=warnings)
        # kube-apiserver answers 202 only to an explicit orphanDependents=false it could not finish.
        return json_response(obj, status=202 if options.orphan_dependents is False else 200, warnings=warnings)

    async def _delete_collection(self, request: web.Request, rt: ResourceType, path: ResourcePath) -> web.Response:
        raw = await read_body(request)
        body = decode_object(raw, request.headers.get("Content-Type", ""), endpoint=_DELETE_OPTIONS) if raw.strip() else None
        options = delete_options(request.query, body)
        listed = await self._objects.delete_collection(rt, path.namespace, selection(rt, request.query), options)
        meta = {"resourceVersion": str(listed.resource_version)}
        return json_response(
            {"kind": rt.list_kind or rt.kind + "List", "apiVersion": rt.api_version, "metadata": meta, "items": list_items(rt, listed.items)}
        )


# The kinds whose storage in kube-apiserver v1.32 answers a deletion with the object as it was
# deleted (``ReturnDeletedObject``) instead of a Status, among the kinds served here.
RETURN_DELETED_OBJECT = frozenset({
    ("", "namespaces"), ("", "persistentvolumeclaims"), ("", "persistentvolumes"), ("", "pods"),
    ("", "resourcequotas"), ("", "serviceaccounts"), ("", "services"), ("storage.k8s.io", "storageclasses"),
})


def deleted_status(rt: ResourceType, obj: Mapping[str, Any]) -> dict[str, Any]:
    """What kube-apiserver answers for an object deleted at once: a Success ``Status`` naming it
    (``details.kind`` is the resource, as upstream)."""
    meta = obj.get("metadata") or {}
    details = {"name": meta.get("name"), "group": rt.group, "kind": rt.plural, "uid": meta.get("uid")}
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {k: v for k, v in details.items() if v},
    }
