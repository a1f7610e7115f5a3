"""Request dispatch: authentication, the non-resource paths (discovery, OpenAPI, version, health)
and resource paths, with every failure answered as a ``Status`` object and never a crash."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from aiohttp import web

from kro.devcluster import errors
from kro.devcluster.errors import ApiError
from kro.devcluster.patch import PatchError
from kro.devcluster.registry import Registry
from kro.devcluster.rest import discovery
from kro.devcluster.rest.handlers import ResourceHandler
from kro.devcluster.rest.inflight import InflightLimiter, too_many_requests
from kro.devcluster.rest.negotiate import json_response
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


def _require_json(accept: str) -> None:
    """Only JSON is served: a client that accepts nothing else (protobuf OpenAPI) gets 406."""
    types = [part.split(";")[0].strip().lower() for part in accept.split(",") if part.strip()]
    if types and not any(t in ("application/json", "*/*", "application/*") for t in types):
        raise errors.NotAcceptable(f"only the following media types are accepted: application/json (asked for {', '.join(types)})")


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
            _require_json(request.headers.get("Accept", ""))
            return self._openapi_doc(path)
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

    def _openapi_doc(self, path: str) -> web.Response:
        if path == "/openapi/v2":
            return web.Response(body=self._openapi.v2(), content_type="application/json")
        if path == "/openapi/v3":
            return json_response(self._openapi.v3_root())
        parts = path.removeprefix("/openapi/v3/").split("/")
        if parts[0] == "api" and len(parts) == 2:
            body = self._openapi.v3_group("", parts[1])
        elif parts[0] == "apis" and len(parts) == 3:
            body = self._openapi.v3_group(parts[1], parts[2])
        else:
            body = None
        if body is None:
            raise errors.path_not_found()
        return web.Response(body=body, content_type="application/json")
