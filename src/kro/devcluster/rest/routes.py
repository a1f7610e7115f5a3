"""Request dispatch: authentication, the non-resource paths (discovery, OpenAPI, version, health)
and resource paths, with every failure answered as a ``Status`` object and never a crash."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from aiohttp import web

from kro.devcluster import errors
from kro.devcluster.codec import openapi as openapi_codec
from kro.devcluster.errors import ApiError
from kro.devcluster.patch import PatchError
from kro.devcluster.registry import Registry
from kro.devcluster.rest import discovery
from kro.devcluster.rest.handlers import ResourceHandler
from kro.devcluster.rest.inflight import InflightLimiter, too_many_requests
from kro.devcluster.rest.negotiate import accepted_types, json_response
from kro.devcluster.rest.openapi import KUBERNETES_VERSION, OpenAPIDocuments
from kro.devcluster.rest.request import parse_path
from kro.devcluster.storage import StorageError

log = logging.getLogger("kro.devcluster.rest")
_ANONYMOUS = frozenset({"/healthz", "/livez", "/readyz", "/version"})
_HEALTH = frozenset({"/healthz", "/livez", "/readyz"})


def version_info() -> dict[str, str]:
    major, minor, _ = KUBERNETES_VERSION.lstrip("v").split(".")
    return {
        "major": major,
        "minor": minor,
        "gitVersion": f"{KUBERNETES_VERSION}+kro.dev",
        "gitCommit": "",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "python",
        "compiler": "kro",
        "platform": "linux/amd64",
    }


def _openapi_media(accept: str, protobuf_type: str) -> str:
    """The OpenAPI document's encoding: the first of the client's types that is JSON or the
    version's protobuf, asked for as ``...spec.vN@v1.0+protobuf`` or ``...spec.vN.v1.0+protobuf``
    and answered, as kube-apiserver does, with the second spelling (Go's media type parser refuses
    the ``@``)."""
    answer = protobuf_type.replace("@v1.0", ".v1.0")
    types = accepted_types(accept) or ["application/json"]
    for media in types:
        if media in ("application/json", "*/*", "application/*"):
            return "application/json"
        if media in (protobuf_type, answer):
            return answer
    raise errors.NotAcceptable(f"only the following media types are accepted: application/json, {protobuf_type}")


class Router:
    def __init__(
        self,
        registry: Registry,
        resources: ResourceHandler,
        openapi: OpenAPIDocuments,
        *,
        token_ref: Callable[[], str],
        anonymous: bool = False,
        inflight: InflightLimiter | None = None,
    ) -> None:
        self._anonymous = anonymous
        self._inflight = inflight or InflightLimiter()
        self._registry = registry
        self._resources = resources
        self._openapi = openapi
        self._token = token_ref

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        try:
            self._authenticate(request)
            if not self._inflight.enabled:
                return await self._route(request)
            slot = self._inflight.try_acquire(request)
            if slot is None:
                return too_many_requests()
            try:
                return await self._route(request)
            finally:
                self._inflight.release(slot)
        except ApiError as e:
            return json_response(e.status(), status=e.code)
        except PatchError as e:
            return json_response(e.status(), status=e.code)
        except StorageError as e:
            log.exception("storage failure on %s %s", request.method, request.path)
            failure = errors.InternalError(f"storage failure: {e}")
            return json_response(failure.status(), status=500)
        except (ConnectionError, web.HTTPException):
            raise
        except Exception as e:  # the server must answer, not crash, whatever the request
            log.exception("unexpected failure on %s %s", request.method, request.path)
            failure = errors.InternalError(f"an error on the server ({type(e).__name__}) has prevented the request from succeeding")
            return json_response(failure.status(), status=500)

    def _authenticate(self, request: web.Request) -> None:
        if request.path in _ANONYMOUS:
            return
        header = request.headers.get("Authorization", "")
        if not header and self._anonymous:
            return
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or value.strip() != self._token():
            raise errors.Unauthorized("Unauthorized")

    async def _route(self, request: web.Request) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        if path in _HEALTH or path.startswith(("/healthz/", "/livez/", "/readyz/")):
            return web.Response(text="ok", content_type="text/plain")
        if path == "/version":
            return json_response(version_info())
        if path == "/":
            return json_response({"paths": ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/readyz", "/version"]})
        if path.startswith("/openapi/"):
            return self._openapi_doc(path, request.headers.get("Accept", ""))
        accept = request.headers.get("Accept", "")
        if path in ("/api", "/apis"):
            if discovery.wants_aggregated(accept):
                body = discovery.aggregated(self._registry, core=path == "/api")
                resp = web.Response(body=json.dumps(body, separators=(",", ":")).encode(), status=200)
                resp.headers["Content-Type"] = discovery.AGGREGATED_MEDIA
                resp.headers["Vary"] = "Accept"
                return resp
            if path == "/api":
                return json_response(discovery.api_versions(request.host))
            return json_response(discovery.api_group_list(self._registry))
        parts = path.strip("/").split("/")
        if parts[0] == "api" and len(parts) == 2 and request.method == "GET":
            return self._resource_list("", parts[1])
        if parts[0] == "apis" and len(parts) == 2 and request.method == "GET":
            group = discovery.api_group(self._registry, parts[1])
            if group is None:
                raise errors.path_not_found()
            return json_response(group)
        if parts[0] == "apis" and len(parts) == 3 and request.method == "GET":
            return self._resource_list(parts[1], parts[2])
        resource_path = parse_path(path)
        if resource_path is None:
            raise errors.path_not_found()
        return await self._resources.handle(request, resource_path)

    def _resource_list(self, group: str, version: str) -> web.Response:
        doc = discovery.api_resource_list(self._registry, group, version)
        if doc is None:
            raise errors.path_not_found()
        return json_response(doc)

    def _openapi_doc(self, path: str, accept: str) -> web.Response:
        if path == "/openapi/v2":
            media = _openapi_media(accept, openapi_codec.V2_MEDIA_TYPE)
            body = self._openapi.v2() if media == "application/json" else self._openapi.v2_protobuf()
            return _document(body, media, etag=self._openapi.v2_etag())
        if path == "/openapi/v3":
            _openapi_media(accept, "application/json")
            return json_response(self._openapi.v3_root())
        parts = path.removeprefix("/openapi/v3/").split("/")
        if parts[0] == "api" and len(parts) == 2:
            group, version = "", parts[1]
        elif parts[0] == "apis" and len(parts) == 3:
            group, version = parts[1], parts[2]
        else:
            raise errors.path_not_found()
        media = _openapi_media(accept, openapi_codec.V3_MEDIA_TYPE)
        found = self._openapi.v3_group(group, version) if media == "application/json" else self._openapi.v3_group_protobuf(group, version)
        if found is None:
            raise errors.path_not_found()
        return _document(found, media)


def _document(body: bytes, media: str, *, etag: str = "") -> web.Response:
    resp = web.Response(body=body)
    resp.headers["Content-Type"] = media
    resp.headers["Vary"] = "Accept"
    if etag:
        resp.headers["Etag"] = f'"{etag}"'
    return resp
