"""Kinds' schemas from a live API server's ``/openapi/v3``, for the compiler to type-check against.

:class:`LiveSchemaResolver` implements :class:`kro.openapi.SchemaResolver`. The compiler is pure and
synchronous, so the resolver fetches first (:meth:`LiveSchemaResolver.load`, async: one OpenAPI
document and one discovery document per group version) and then answers ``resolve()`` from memory.

The published documents use ``$ref`` to ``#/components/schemas/<name>`` and wrap references that
carry a description or default in a one-element ``allOf``. Resolution inlines both (to a depth
limit, past which recursive types such as ``JSONSchemaProps`` become "any object"), and gives
``IntOrString`` and ``Quantity`` the ``x-kubernetes-int-or-string`` shape the offline built-in
schemas use, so the compiler sees one dialect whichever resolver answered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kro.api.refs import GVK
from kro.kube.client import KubeClient
from kro.kube.errors import NotFound
from kro.openapi.resolver import ResolvedKind
from kro.openapi.resources import ResourceInfo

_REF_PREFIX = "#/components/schemas/"
_MAX_DEPTH = 12
_INT_OR_STRING_DEFINITIONS = frozenset(
    {
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
        "io.k8s.apimachinery.pkg.api.resource.Quantity",
    }
)


def resolve_schema(
    definitions: Mapping[str, Any], name: str, *, max_depth: int = _MAX_DEPTH
) -> dict[str, Any]:
    """The definition ``name`` of an OpenAPI v3 document with every reference inlined."""
    resolved: dict[str, Any] = _inline(definitions, definitions[name], depth=0, max_depth=max_depth)
    return resolved


def _inline(defs: Mapping[str, Any], node: Any, *, depth: int, max_depth: int) -> Any:
    if isinstance(node, list):
        return [_inline(defs, x, depth=depth, max_depth=max_depth) for x in node]
    if not isinstance(node, Mapping):
        return node
    target = _single_ref(node)
    if target is not None:
        siblings = {k: v for k, v in node.items() if k not in ("$ref", "allOf")}
        if target in _INT_OR_STRING_DEFINITIONS:
            out: dict[str, Any] = {"x-kubernetes-int-or-string": True}
        elif depth >= max_depth or target not in defs:
            out = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        else:
            out = dict(_inline(defs, defs[target], depth=depth + 1, max_depth=max_depth))
        for key, value in siblings.items():
            out.setdefault(key, _inline(defs, value, depth=depth, max_depth=max_depth))
        return out
    return {k: _inline(defs, v, depth=depth, max_depth=max_depth) for k, v in node.items()}


def _single_ref(node: Mapping[str, Any]) -> str | None:
    """The definition a node stands for: ``{"$ref": …}`` or ``{"allOf": [{"$ref": …}], …}``."""
    ref = node.get("$ref")
    if ref is None:
        all_of = node.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], Mapping):
            ref = all_of[0].get("$ref")
    if not isinstance(ref, str):
        return None
    return ref[len(_REF_PREFIX) :] if ref.startswith(_REF_PREFIX) else ref.rsplit("/", 1)[-1]


def kinds_in(definitions: Mapping[str, Any]) -> dict[GVK, str]:
    """Which definition describes each kind (by ``x-kubernetes-group-version-kind``)."""
    out: dict[GVK, str] = {}
    for name, schema in definitions.items():
        for g in (schema or {}).get("x-kubernetes-group-version-kind") or []:
            gvk = GVK(str(g.get("group", "")), str(g.get("version", "")), str(g.get("kind", "")))
            # Several definitions (e.g. DeleteOptions, WatchEvent) list many kinds; prefer the one named for it.
            if gvk not in out or name.endswith("." + gvk.kind):
                out[gvk] = name
    return out


class LiveSchemaResolver:
    """A :class:`~kro.openapi.SchemaResolver` over what :meth:`load` fetched from a live server."""

    def __init__(self, client: KubeClient) -> None:
        self._client = client
        self._definitions: dict[tuple[str, str], Mapping[str, Any]] = {}
        self._kinds: dict[GVK, str] = {}
        self._resources: dict[GVK, ResourceInfo] = {}
        self._resolved: dict[GVK, ResolvedKind] = {}

    async def load(self, gvks: Iterable[GVK]) -> None:
        """Fetch what ``resolve`` needs for these kinds (their group versions' documents).

        Group versions the server does not serve are remembered as empty; kinds in them resolve
        to ``None``."""
        for group, version in sorted({(g.group, g.version) for g in gvks}):
            await self.load_group_version(group, version)

    async def load_group_version(self, group: str, version: str) -> None:
        """Fetch (again) one group version's OpenAPI and discovery documents."""
        try:
            doc = await self._client.openapi_v3(group, version)
        except NotFound:
            doc = {}
        defs = (doc.get("components") or {}).get("schemas") or {}
        self._definitions[(group, version)] = defs
        for gvk in [k for k in self._resolved if (k.group, k.version) == (group, version)]:
            del self._resolved[gvk]
        for gvk, name in kinds_in(defs).items():
            if (gvk.group, gvk.version) == (group, version):
                self._kinds[gvk] = name
        for info in await self._client.discovery.resources(group, version):
            self._resources[info.gvk] = info

    def resolve(self, gvk: GVK) -> ResolvedKind | None:
        found = self._resolved.get(gvk)
        if found is not None:
            return found
        defs = self._definitions.get((gvk.group, gvk.version))
        name = self._kinds.get(gvk)
        info = self._resources.get(gvk)
        if defs is None or name is None or name not in defs:
            return None
        schema = resolve_schema(defs, name)
        namespaced = info.namespaced if info is not None else True
        plural = info.plural if info is not None else ""
        found = ResolvedKind(gvk, schema, namespaced, plural, f"live/{gvk.api_version}")
        self._resolved[gvk] = found
        return found
