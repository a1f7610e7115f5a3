"""An async Kubernetes client on plain dicts.

Objects go in and come out as the JSON the API server speaks; nothing is wrapped in model classes
(decoding into generated models costs several times the CPU of the request itself). Every verb a
controller needs is here: get, list (one page or all pages), watch, create, replace, server-side
apply, patch (merge, JSON, strategic), status writes, delete with preconditions, delete-collection,
plus discovery and the OpenAPI v3 documents.

The HTTP is :class:`~kro.kube.transport.Transport`'s: optional client-side rate limiting (``qps``/
``burst`` of the :class:`ClusterConfig`; off by default), 429 retries after ``Retry-After``, re-authentication on a 401, the
:mod:`kro.kube.errors` tree. :attr:`KubeClient.stats` counts requests by verb.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from kro.api.refs import GVK, GVR
from kro.kube.clock import SYSTEM_CLOCK, Clock
from kro.kube.config import ClusterConfig
from kro.kube.discovery import Discovery
from kro.kube.errors import TransportError, status_error
from kro.kube.selectors import Selector, encode_field_selector, encode_label_selector
from kro.kube.stats import RequestStats
from kro.kube.transport import JSON, Transport, loads
from kro.openapi.resources import ResourceInfo

PatchType = Literal["merge", "json", "strategic"]
_PATCH_CONTENT_TYPES: dict[str, str] = {
    "merge": "application/merge-patch+json",
    "json": "application/json-patch+json",
    "strategic": "application/strategic-merge-patch+json",
}
_APPLY_CONTENT_TYPE = "application/apply-patch+yaml"


@dataclass(frozen=True)
class WatchEvent:
    """One watch event: ``type`` is ADDED, MODIFIED, DELETED or BOOKMARK; ``object`` the object."""

    type: str
    object: dict[str, Any]


def resource_path(
    gvr: GVR, *, namespace: str | None = None, name: str | None = None, subresource: str | None = None
) -> str:
    """The REST path of a collection, an object or an object's subresource."""
    path = f"/api/{gvr.version}" if not gvr.group else f"/apis/{gvr.group}/{gvr.version}"
    if namespace:
        path += f"/namespaces/{quote(namespace, safe='')}"
    path += f"/{gvr.resource}"
    if name is not None:
        if not name:
            raise ValueError(f"{gvr}: empty object name")
        path += f"/{quote(name, safe=':@')}"
        if subresource:
            path += f"/{subresource}"
    return path


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


class KubeClient:
    """The cluster client. Use as ``async with KubeClient(config) as client:`` or call :meth:`close`."""

    def __init__(
        self,
        config: ClusterConfig,
        *,
        clock: Clock = SYSTEM_CLOCK,
        max_429_retries: int = 10,
        max_retry_after: float = 60.0,
        stats: RequestStats | None = None,
    ) -> None:
        self.config = config
        self.transport = Transport(
            config, clock=clock, max_429_retries=max_429_retries, max_retry_after=max_retry_after, stats=stats
        )
        self.stats = self.transport.stats
        self.discovery = Discovery(self, clock=clock)

    async def __aenter__(self) -> KubeClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.transport.close()

    # ---- reading ----

    async def get(
        self, gvr: GVR, name: str, *, namespace: str | None = None, subresource: str | None = None
    ) -> dict[str, Any]:
        """One object. Raises :class:`~kro.kube.errors.NotFound` if absent."""
        path = resource_path(gvr, namespace=namespace, name=name, subresource=subresource)
        result: dict[str, Any] = await self.request("GET", path, verb="get")
        return result

    async def list(
        self,
        gvr: GVR,
        *,
        namespace: str | None = None,
        label_selector: Selector | None = None,
        field_selector: Selector | None = None,
        limit: int | None = None,
        continue_: str | None = None,
        resource_version: str | None = None,
    ) -> dict[str, Any]:
        """One page of a collection (all namespaces when ``namespace`` is ``None``), as the server's
        ``…List`` document: ``items`` and ``metadata.resourceVersion`` / ``metadata.continue``."""
        params = _query(
            labelSelector=encode_label_selector(label_selector),
            fieldSelector=encode_field_selector(field_selector),
            limit=str(limit) if limit else None,
            resourceVersion=resource_version,
            **{"continue": continue_},
        )
        result: dict[str, Any] = await self.request(
            "GET", resource_path(gvr, namespace=namespace), params=params, verb="list"
        )
        return stamp_list_items(result)

    async def list_all(
        self,
        gvr: GVR,
        *,
        namespace: str | None = None,
        label_selector: Selector | None = None,
        field_selector: Selector | None = None,
        page_size: int = 500,
        resource_version: str | None = None,
    ) -> dict[str, Any]:
        """Every page of a collection, joined: one ``…List`` with all ``items`` and the snapshot's
        ``resourceVersion``. An expired continue token raises :class:`~kro.kube.errors.Gone`."""
        first = await self.list(
            gvr,
            namespace=namespace,
            label_selector=label_selector,
            field_selector=field_selector,
            limit=page_size,
            resource_version=resource_version,
        )
        items: list[dict[str, Any]] = list(first.get("items") or [])
        token = _meta(first).get("continue")
        while token:
            page = await self.list(
                gvr,
                namespace=namespace,
                label_selector=label_selector,
                field_selector=field_selector,
                limit=page_size,
                continue_=str(token),
            )
            items.extend(page.get("items") or [])
            token = _meta(page).get("continue")
        first["items"] = items
        first.setdefault("metadata", {}).pop("continue", None)
        return first

    async def watch(
        self,
        gvr: GVR,
        *,
        namespace: str | None = None,
        resource_version: str | None = None,
        label_selector: Selector | None = None,
        field_selector: Selector | None = None,
        allow_bookmarks: bool = True,
        timeout_seconds: int | None = None,
    ) -> AsyncIterator[WatchEvent]:
        """Changes after ``resource_version``, until the server ends the stream.

        An ``ERROR`` event raises its error (:class:`~kro.kube.errors.Gone` for an expired
        resourceVersion). Close the iterator when done early (``contextlib.aclosing``) so the
        connection is released at once."""
        params = _query(
            watch="true",
            resourceVersion=resource_version,
            labelSelector=encode_label_selector(label_selector),
            fieldSelector=encode_field_selector(field_selector),
            allowWatchBookmarks="true" if allow_bookmarks else None,
            timeoutSeconds=str(timeout_seconds) if timeout_seconds else None,
        )
        path = resource_path(gvr, namespace=namespace)
        async with contextlib.aclosing(self.transport.stream(path, params=params, verb="watch")) as lines:
            async for line in lines:
                try:
                    event = loads(line)
                except ValueError as e:
                    raise TransportError(f"watch {path}: undecodable event: {e}") from e
                kind = event.get("type", "")
                obj = event.get("object") or {}
                if kind == "ERROR":
                    raise status_error(obj)
                yield WatchEvent(kind, obj)

    # ---- writing ----

    async def create(
        self,
        gvr: GVR,
        obj: Mapping[str, Any],
        *,
        namespace: str | None = None,
        field_manager: str | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """POST a new object (namespace from the argument or the object's metadata)."""
        ns = namespace or _meta(obj).get("namespace")
        params = _query(fieldManager=field_manager, dryRun="All" if dry_run else None)
        result: dict[str, Any] = await self.request(
            "POST", resource_path(gvr, namespace=ns), params=params, body=obj, verb="create"
        )
        return result

    async def replace(
        self,
        gvr: GVR,
        obj: Mapping[str, Any],
        *,
        namespace: str | None = None,
        subresource: str | None = None,
        field_manager: str | None = None,
    ) -> dict[str, Any]:
        """PUT an object (optimistic concurrency: its ``metadata.resourceVersion`` must be current,
        else :class:`~kro.kube.errors.Conflict`)."""
        meta = _meta(obj)
        path = resource_path(
            gvr,
            namespace=namespace or meta.get("namespace"),
            name=str(meta.get("name", "")),
            subresource=subresource,
        )
        result: dict[str, Any] = await self.request(
            "PUT", path, params=_query(fieldManager=field_manager), body=obj, verb="update"
        )
        return result

    async def replace_status(
        self, gvr: GVR, obj: Mapping[str, Any], *, namespace: str | None = None
    ) -> dict[str, Any]:
        """PUT the ``status`` subresource."""
        return await self.replace(gvr, obj, namespace=namespace, subresource="status")

    async def apply(
        self,
        gvr: GVR,
        obj: Mapping[str, Any],
        *,
        field_manager: str,
        force: bool = True,
        namespace: str | None = None,
        subresource: str | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Server-side apply ``obj`` (a complete intent: the fields this manager owns)."""
        meta = _meta(obj)
        path = resource_path(
            gvr,
            namespace=namespace or meta.get("namespace"),
            name=str(meta.get("name", "")),
            subresource=subresource,
        )
        params = _query(
            fieldManager=field_manager, force="true" if force else None, dryRun="All" if dry_run else None
        )
        result: dict[str, Any] = await self.request(
            "PATCH", path, params=params, body=obj, content_type=_APPLY_CONTENT_TYPE, verb="apply"
        )
        return result

    async def patch(
        self,
        gvr: GVR,
        name: str,
        patch: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        *,
        patch_type: PatchType = "merge",
        namespace: str | None = None,
        subresource: str | None = None,
        field_manager: str | None = None,
    ) -> dict[str, Any]:
        """Patch an object: a JSON merge patch (dict), a JSON patch (list of operations) or a
        strategic merge patch (built-in kinds only)."""
        if patch_type not in _PATCH_CONTENT_TYPES:
            raise ValueError(f"unknown patch type {patch_type!r}: one of {', '.join(_PATCH_CONTENT_TYPES)}")
        path = resource_path(gvr, namespace=namespace, name=name, subresource=subresource)
        result: dict[str, Any] = await self.request(
            "PATCH",
            path,
            params=_query(fieldManager=field_manager),
            body=patch,
            content_type=_PATCH_CONTENT_TYPES[patch_type],
            verb="patch",
        )
        return result

    async def patch_status(
        self,
        gvr: GVR,
        name: str,
        patch: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        *,
        patch_type: PatchType = "merge",
        namespace: str | None = None,
        field_manager: str | None = None,
    ) -> dict[str, Any]:
        """Patch the ``status`` subresource."""
        return await self.patch(
            gvr,
            name,
            patch,
            patch_type=patch_type,
            namespace=namespace,
            subresource="status",
            field_manager=field_manager,
        )

    async def delete(
        self,
        gvr: GVR,
        name: str,
        *,
        namespace: str | None = None,
        propagation_policy: Literal["Foreground", "Background", "Orphan"] | None = None,
        preconditions: Mapping[str, str] | None = None,
        grace_period_seconds: int | None = None,
    ) -> dict[str, Any] | None:
        """Delete an object. Returns the object the server answers with (one that lingers: finalizers,
        foreground or graceful deletion; or, for the kinds whose storage answers so, such as pods
        and services, the object as deleted), ``None`` when it answers with a success ``Status``.
        Whether the object is gone is for a watch or a read to tell. ``preconditions`` may hold
        ``uid`` and/or ``resourceVersion``; a mismatch raises :class:`~kro.kube.errors.Conflict`."""
        options = _delete_options(propagation_policy, preconditions, grace_period_seconds)
        path = resource_path(gvr, namespace=namespace, name=name)
        result = await self.request("DELETE", path, body=options, verb="delete")
        if not isinstance(result, dict) or result.get("kind") == "Status":
            return None
        return result

    async def delete_collection(
        self,
        gvr: GVR,
        *,
        namespace: str | None = None,
        label_selector: Selector | None = None,
        field_selector: Selector | None = None,
        propagation_policy: Literal["Foreground", "Background", "Orphan"] | None = None,
    ) -> dict[str, Any]:
        """Delete every matching object of a collection; returns the server's answer."""
        params = _query(
            labelSelector=encode_label_selector(label_selector),
            fieldSelector=encode_field_selector(field_selector),
        )
        options = _delete_options(propagation_policy, None, None)
        result = await self.request(
            "DELETE",
            resource_path(gvr, namespace=namespace),
            params=params,
            body=options,
            verb="deletecollection",
        )
        return result if isinstance(result, dict) else {}

    # ---- discovery and schemas ----

    async def resource_for(self, gvk: GVK) -> ResourceInfo | None:
        """The served resource of ``gvk`` (plural, scope, status subresource), or ``None``."""
        return await self.discovery.resource_for(gvk)

    async def resource_for_gvr(self, gvr: GVR) -> ResourceInfo | None:
        """The served resource named by ``gvr`` (its kind, scope, status subresource), or ``None``."""
        return await self.discovery.resource_for_gvr(gvr)

    async def server_version(self) -> dict[str, Any]:
        """``/version``: ``major``, ``minor``, ``gitVersion``, …"""
        result: dict[str, Any] = await self.get_path("/version", verb="discovery")
        return result

    async def openapi_v3(self, group: str, version: str) -> dict[str, Any]:
        """The OpenAPI v3 document of one group version (``/openapi/v3/apis/<g>/<v>``)."""
        path = f"/openapi/v3/api/{version}" if not group else f"/openapi/v3/apis/{group}/{version}"
        result: dict[str, Any] = await self.get_path(path, verb="discovery")
        return result

    async def get_path(self, path: str, *, verb: str = "get") -> Any:
        """GET any server path, decoded from JSON."""
        return await self.transport.request("GET", path, verb=verb)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        content_type: str = JSON,
        verb: str,
    ) -> Any:
        """Send any request and decode its JSON answer (errors raise the :mod:`kro.kube.errors` tree)."""
        return await self.transport.request(
            method, path, params=params, body=body, content_type=content_type, verb=verb
        )


def _query(**params: str | None) -> dict[str, str]:
    return {k: v for k, v in params.items() if v is not None and v != ""}


def _delete_options(
    propagation_policy: str | None, preconditions: Mapping[str, str] | None, grace_period_seconds: int | None
) -> dict[str, Any] | None:
    options: dict[str, Any] = {}
    if propagation_policy:
        options["propagationPolicy"] = propagation_policy
    if preconditions:
        unknown = set(preconditions) - {"uid", "resourceVersion"}
        if unknown:
            raise ValueError(f"delete preconditions may name uid and resourceVersion, not {sorted(unknown)}")
        options["preconditions"] = dict(preconditions)
    if grace_period_seconds is not None:
        options["gracePeriodSeconds"] = grace_period_seconds
    if not options:
        return None
    return {"apiVersion": "v1", "kind": "DeleteOptions", **options}


def stamp_list_items(listed: dict[str, Any]) -> dict[str, Any]:
    """Give each item of a ``…List`` the ``apiVersion`` and ``kind`` of its list, in place.

    kube-apiserver leaves them out of the items of a built-in kind's list (only single objects and
    watch events carry them), so without this an object cached from a LIST would not say what it is.
    Items that carry their own (custom resources) keep them."""
    list_kind = listed.get("kind")
    api_version = listed.get("apiVersion")
    if not isinstance(list_kind, str) or not list_kind.endswith("List") or not isinstance(api_version, str):
        return listed
    kind = list_kind[: -len("List")]
    for item in listed.get("items") or ():
        if isinstance(item, dict):
            if not item.get("kind"):
                item["kind"] = kind
            if not item.get("apiVersion"):
                item["apiVersion"] = api_version
    return listed
