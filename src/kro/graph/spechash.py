"""The identity of an RGD spec, for graph revisions: a hash of its normalized form, and the names
revisions get.

Two specs that differ only in map key order, in formatting, or in how an optional field is left
empty (missing, ``null``, ``[]``, ``{}``; a schema ``group``/``scope`` left to its default) hash the
same, so they issue no new revision. The order of ``readyWhen`` and ``includeWhen`` entries does not
matter either (each list is a conjunction); the order of ``resources`` does, since it decides ties in
the creation order. The hash is FNV-64a over the canonical JSON, as 16 hex digits."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kro.api import KRO_GROUP

_FNV64_OFFSET = 0xCBF29CE484222325
_FNV64_PRIME = 0x100000001B3
_FNV32_OFFSET = 0x811C9DC5
_FNV32_PRIME = 0x01000193
_NAME_LIMIT = 253
_EMPTY: tuple[Any, ...] = (None, [], {})


def fnv64a(data: bytes) -> int:
    h = _FNV64_OFFSET
    for byte in data:
        h = ((h ^ byte) * _FNV64_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def fnv32a(data: bytes) -> int:
    h = _FNV32_OFFSET
    for byte in data:
        h = ((h ^ byte) * _FNV32_PRIME) & 0xFFFFFFFF
    return h


def normalize_spec(spec: Mapping[str, Any] | None) -> dict[str, Any]:
    """``spec`` with defaults filled in, empty optional fields dropped and condition lists sorted."""
    raw = dict(spec or {})
    out: dict[str, Any] = {k: v for k, v in raw.items() if k not in ("schema", "resources")}
    schema = raw.get("schema")
    if isinstance(schema, Mapping):
        norm = {k: v for k, v in schema.items() if v not in _EMPTY}
        norm.setdefault("group", KRO_GROUP)
        norm.setdefault("scope", "Namespaced")
        meta = norm.get("metadata")
        if isinstance(meta, Mapping):
            norm["metadata"] = {k: v for k, v in meta.items() if v not in _EMPTY}
            if not norm["metadata"]:
                del norm["metadata"]
        out["schema"] = norm
    elif schema is not None:
        out["schema"] = schema
    resources = raw.get("resources")
    if isinstance(resources, list):
        out["resources"] = [_resource(r) for r in resources]
    elif resources is not None:
        out["resources"] = resources
    return {k: v for k, v in out.items() if v not in _EMPTY}


def _resource(resource: Any) -> Any:
    if not isinstance(resource, Mapping):
        return resource
    out = {k: v for k, v in resource.items() if v not in _EMPTY}
    for key in ("readyWhen", "includeWhen"):
        value = out.get(key)
        if isinstance(value, list) and all(isinstance(x, str) for x in value):
            out[key] = sorted(value)
    return out


def spec_hash(spec: Mapping[str, Any] | None) -> str:
    """The revision identity of an RGD spec: FNV-64a of its normalized canonical JSON, in hex."""
    canonical = json.dumps(normalize_spec(spec), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{fnv64a(canonical.encode()):016x}"


def revision_name(rgd_name: str, revision: int) -> str:
    """``<rgd>-r<revision, 5 digits>``; a name that would pass 253 characters is cut, and gets the
    FNV-32a of the whole RGD name so two long names never share revision names."""
    suffix = f"-r{revision:05d}"
    if len(rgd_name) + len(suffix) <= _NAME_LIMIT:
        return rgd_name + suffix
    suffix = f"-r{revision:05d}-{fnv32a(rgd_name.encode()):08x}"
    stem = rgd_name[: _NAME_LIMIT - len(suffix)].rstrip(".-") or "gr"
    return stem + suffix
