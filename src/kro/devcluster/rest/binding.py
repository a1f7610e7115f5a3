"""``POST /api/v1/namespaces/{ns}/pods/{name}/binding``: a scheduler assigns a pod to a node (a
``v1 Binding``), answered as kube-apiserver's binding storage answers: 201 and a success
``Status``; its validation errors unclassified (500), as that storage returns them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from kro.devcluster import errors
from kro.devcluster.objects import ObjectService
from kro.devcluster.registry import ResourceType
from kro.devcluster.rest.negotiate import json_response
from kro.devcluster.rest.request import BodyKind, ResourcePath, decode_object, read_body, write_options

_BINDING = BodyKind("v1", "Binding", builtin=True)


def validation_errors(binding: Mapping[str, Any]) -> list[str]:
    """``ValidatePodBinding``: the target must be a Node (or say no kind) and be named."""
    target = binding.get("target") or {}
    found = []
    kind = target.get("kind") or ""
    if kind and kind != "Node":
        found.append(f'target.kind: Unsupported value: "{kind}": supported values: "Node", "<empty>"')
    if not target.get("name"):
        found.append("target.name: Required value")
    return found


async def handle(request: web.Request, objects: ObjectService, rt: ResourceType, path: ResourcePath) -> web.Response:
    if request.method != "POST":
        raise errors.MethodNotAllowed(errors.METHOD_NOT_ALLOWED, details={})
    assert path.name is not None
    options = write_options(request.query)
    binding = decode_object(await read_body(request), request.headers.get("Content-Type", ""), endpoint=_BINDING)
    meta = binding.get("metadata") or {}
    if not isinstance(meta, Mapping):
        raise errors.BadRequest("not a Binding object")
    if meta.get("namespace") and meta.get("namespace") != (path.namespace or ""):
        raise errors.BadRequest("the namespace of the provided object does not match the namespace sent on the request")
    if meta.get("name") != path.name:
        raise errors.BadRequest("name in URL does not match name in Binding object")
    found = validation_errors(binding)
    if found:
        raise errors.Unclassified(found[0] if len(found) == 1 else "[" + ", ".join(found) + "]")
    annotations = meta.get("annotations") or {}
    await objects.bind(rt, path.namespace or "", path.name, str((binding.get("target") or {})["name"]),
                       uid=meta.get("uid") or None, resource_version=meta.get("resourceVersion") or None,
                       annotations={str(k): str(v) for k, v in annotations.items()} if isinstance(annotations, Mapping) else None,
                       dry_run=options.dry_run)
    return json_response({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}, status=201)
