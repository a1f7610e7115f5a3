"""Discovery: which REST resource serves a kind, whether it is namespaced, whether it has status.

Answers come from the API server's discovery documents (``/api/v1``, ``/apis/<group>/<version>``),
cached per group version. CustomResourceDefinitions appear and disappear while the controller runs,
so a miss refetches the group version (no more often than ``miss_refresh_seconds``, so a kind that
really does not exist costs at most one request per interval), and :meth:`Discovery.invalidate`
drops entries when the caller learns that a CRD changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from kro.api.refs import GVK, GVR
from kro.kube.clock import SYSTEM_CLOCK, Clock
from kro.kube.errors import NotFound
from kro.openapi.resources import ResourceInfo


class PathGetter(Protocol):
    async def get_path(self, path: str, *, verb: str = "get") -> Any: ...


@dataclass
class _GroupVersion:
    fetched_at: float
    by_kind: dict[str, ResourceInfo] = field(default_factory=dict)
    by_plural: dict[str, ResourceInfo] = field(default_factory=dict)


def group_version_path(group: str, version: str) -> str:
    """The discovery path of a group version: ``/api/v1`` for the core group, else ``/apis/g/v``."""
    return f"/api/{version}" if not group else f"/apis/{group}/{version}"


def parse_resource_list(group: str, version: str, doc: Mapping[str, Any]) -> list[ResourceInfo]:
    """The resources of an ``APIResourceList`` (subresources fold into ``has_status``)."""
    entries = [r for r in doc.get("resources") or [] if isinstance(r, Mapping)]
    names = {str(r.get("name", "")) for r in entries}
    out: list[ResourceInfo] = []
    for r in entries:
        name = str(r.get("name", ""))
        if not name or "/" in name:
            continue
        out.append(
            ResourceInfo(
                GVK(group, version, str(r.get("kind", ""))),
                name,
                bool(r.get("namespaced", False)),
                tuple(r.get("shortNames") or ()),
                tuple(r.get("categories") or ()),
                f"{name}/status" in names,
                tuple(r.get("verbs") or ()),
            )
        )
    return out


class Discovery:
    """A cache of discovery documents, refreshed on misses."""

    def __init__(
        self, client: PathGetter, *, miss_refresh_seconds: float = 1.0, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self._client = client
        self._clock = clock
        self.miss_refresh_seconds = miss_refresh_seconds
        self._cache: dict[tuple[str, str], _GroupVersion] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    async def resource_for(self, gvk: GVK) -> ResourceInfo | None:
        """The resource serving ``gvk``, or ``None`` if the server has no such kind."""
        entry = await self._entry(gvk.group, gvk.version, lambda e: gvk.kind in e.by_kind)
        return entry.by_kind.get(gvk.kind)

    async def resource_for_gvr(self, gvr: GVR) -> ResourceInfo | None:
        """The resource named by ``gvr``, or ``None`` if the server has no such resource."""
        entry = await self._entry(gvr.group, gvr.version, lambda e: gvr.resource in e.by_plural)
        return entry.by_plural.get(gvr.resource)

    async def resources(self, group: str, version: str) -> list[ResourceInfo]:
        """Every resource of one group version (empty if the server does not serve it)."""
        entry = await self._entry(group, version, lambda e: bool(e.by_kind))
        return list(entry.by_kind.values())

    async def groups(self) -> dict[str, list[str]]:
        """Served groups and their versions, preferred version first (``""`` is the core group)."""
        out: dict[str, list[str]] = {}
        core = await self._client.get_path("/api", verb="discovery")
        out[""] = [str(v) for v in (core or {}).get("versions") or []]
        doc = await self._client.get_path("/apis", verb="discovery")
        for g in (doc or {}).get("groups") or []:
            preferred = (g.get("preferredVersion") or {}).get("version")
            versions = [str(v.get("version")) for v in g.get("versions") or []]
            versions.sort(key=lambda v: v != preferred)
            out[str(g.get("name", ""))] = versions
        return out

    def invalidate(self, group: str | None = None, version: str | None = None) -> None:
        """Forget cached answers: all, one group's, or one group version's."""
        if group is None:
            self._cache.clear()
            return
        for key in [k for k in self._cache if k[0] == group and (version is None or k[1] == version)]:
            del self._cache[key]

    async def _entry(self, group: str, version: str, hit: Any) -> _GroupVersion:
        key = (group, version)
        entry = self._cache.get(key)
        if entry is not None and (
            hit(entry) or self._clock.now() - entry.fetched_at < self.miss_refresh_seconds
        ):
            return entry
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            again = self._cache.get(key)
            if again is not None and again is not entry:
                return again  # another task refreshed it while this one waited
            fresh = await self._fetch(group, version)
            self._cache[key] = fresh
            return fresh

    async def _fetch(self, group: str, version: str) -> _GroupVersion:
        now = self._clock.now()
        try:
            doc = await self._client.get_path(group_version_path(group, version), verb="discovery")
        except NotFound:
            return _GroupVersion(now)
        entry = _GroupVersion(now)
        for info in parse_resource_list(group, version, doc or {}):
            entry.by_kind.setdefault(info.gvk.kind, info)
            entry.by_plural[info.plural] = info
        return entry
