"""The ``/scale`` subresource (``autoscaling/v1`` Scale) of Deployments, ReplicaSets, StatefulSets
and custom resources whose CRD declares ``subresources.scale``; what ``kubectl scale`` uses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from kro.devcluster import errors
from kro.devcluster.objects import ObjectService
from kro.devcluster.patch import PatchType, apply_patch, parse_body, patch_type
from kro.devcluster.registry import ResourceType, ScaleSpec
from kro.devcluster.rest.request import BodyKind, ResourcePath, decode_object, read_body, write_options
from kro.devcluster.storage.selectors import LabelSelector

_SCALE = BodyKind("autoscaling/v1", "Scale", builtin=True)


def _path(json_path: str) -> list[str]:
    return [p for p in json_path.strip().lstrip(".").split(".") if p]


def _read(obj: Mapping[str, Any], json_path: str) -> Any:
    node: Any = obj
    for part in _path(json_path):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _write(obj: dict[str, Any], json_path: str, value: Any) -> None:
    parts = _path(json_path)
    node = obj
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[parts[-1]] = value


def _selector(obj: Mapping[str, Any], spec: ScaleSpec) -> str:
    if spec.label_selector_path:
        value = _read(obj, spec.label_selector_path)
        return value if isinstance(value, str) else ""
    selector = _read(obj, ".spec.selector")
    if not isinstance(selector, Mapping):
        return ""
    reqs = LabelSelector.from_match(selector).requirements
    parts = []
    for r in reqs:
        if r.op == "=":
            parts.append(f"{r.key}={r.values[0]}")
        elif r.op in ("in", "notin"):
            parts.append(f"{r.key} {r.op} ({','.join(r.values)})")
        else:
            parts.append(r.key if r.op == "exists" else f"!{r.key}")
    return ",".join(parts)


def scale_of(rt: ResourceType, obj: Mapping[str, Any]) -> dict[str, Any]:
    assert rt.scale is not None
    meta: Mapping[str, Any] = obj.get("metadata") or {}
    replicas = _read(obj, rt.scale.spec_replicas_path)
    current = _read(obj, rt.scale.status_replicas_path)
    keep = ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {k: meta[k] for k in keep if k in meta},
        "spec": {"replicas": replicas if isinstance(replicas, int) else 0},
        "status": {"replicas": current if isinstance(current, int) else 0, "selector": _selector(obj, rt.scale)},
    }


async def handle(request: web.Request, objects: ObjectService, rt: ResourceType, path: ResourcePath) -> web.Response:
    assert path.name is not None and rt.scale is not None
    ns = path.namespace or ""
    obj = await objects.get(rt, ns, path.name)
    if request.method == "GET":
        return _json(scale_of(rt, obj))
    if request.method == "PUT":
        wanted = decode_object(await read_body(request), request.headers.get("Content-Type", ""), endpoint=_SCALE)
    elif request.method == "PATCH":
        kind = patch_type(request.content_type)
        if kind is PatchType.APPLY:
            raise errors.UnsupportedMediaType("server-side apply is not supported on /scale")
        doc = parse_body(await read_body(request), kind)
        # A strategic merge patch of a Scale is a merge patch: Scale has no lists.
        as_kind = PatchType.MERGE if kind is PatchType.STRATEGIC else kind
        wanted = apply_patch(scale_of(rt, obj), doc, as_kind, schema=None, builtin=False)
    else:
        raise errors.MethodNotAllowed(errors.METHOD_NOT_ALLOWED, details={})
    replicas = (wanted.get("spec") or {}).get("replicas") if isinstance(wanted.get("spec"), dict) else None
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise errors.Invalid("Scale", "autoscaling", path.name, [errors.Cause("spec.replicas", "FieldValueInvalid", "Invalid value: must be a non-negative integer")])
    rv = (wanted.get("metadata") or {}).get("resourceVersion") if isinstance(wanted.get("metadata"), dict) else None
    if rv and rv != obj["metadata"].get("resourceVersion"):
        raise errors.conflict(rt.plural, rt.group, path.name, errors.STALE)
    _write(obj, rt.scale.spec_replicas_path, replicas)
    opts = write_options(request.query, "PatchOptions" if request.method == "PATCH" else "UpdateOptions")
    stored = await objects.update(rt, ns, path.name, obj, opts)
    return _json(scale_of(rt, stored))


def _json(body: Mapping[str, Any]) -> web.Response:
    return web.Response(body=json.dumps(body).encode(), content_type="application/json")
