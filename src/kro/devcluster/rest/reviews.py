"""The reviews kube-apiserver answers without storing anything: ``SelfSubjectReview`` (who the
request's credentials are, ``kubectl auth whoami``) and ``SelfSubjectAccessReview`` (whether they may
do something, ``kubectl auth can-i``). The local server has one identity, ``kro-dev-admin`` in
``system:masters``, which may do everything, as kube-apiserver allows that group everything; so
every access review is allowed.

Answered as kube-apiserver answers them: 201 and the review with its ``status`` filled in; an
access review keeps the request's ``managedFields`` entry (kube-apiserver's create path records it
before the review is answered) and an empty ``creationTimestamp`` (``null``), a SelfSubjectReview
is a new object created now. Only POST to the collection exists: other methods are 405.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from kro.api.refs import GVK
from kro.devcluster import errors
from kro.devcluster.admission.attributes import GROUPS, USERNAME
from kro.devcluster.errors import Cause
from kro.devcluster.immutable import go_string
from kro.devcluster.metadata import timestamp
from kro.devcluster.patch.managedfields import field_manager_for
from kro.devcluster.registry import ResourceType
from kro.devcluster.rest.negotiate import object_response
from kro.devcluster.rest.request import BodyKind, ResourcePath, decode_object, read_body
from kro.openapi.goencoding import TYPE_AND_META, first_type_error
from kro.openapi.gofacts import go_facts

# The fields of each attributes struct, in Go's order (all strings, all omitted when empty).
_RESOURCE_ATTRIBUTES = ("namespace", "verb", "group", "version", "resource", "subresource", "name",
                        "fieldSelector", "labelSelector")  # fmt: skip
_NON_RESOURCE_ATTRIBUTES = ("path", "verb")


async def handle(request: web.Request, rt: ResourceType, path: ResourcePath) -> web.Response:
    if path.name is not None:
        raise errors.path_not_found()
    if request.method != "POST":
        raise errors.MethodNotAllowed(errors.METHOD_NOT_ALLOWED, details={})
    body = decode_object(await read_body(request), request.headers.get("Content-Type", ""),
                         endpoint=BodyKind(rt.api_version, rt.kind, builtin=True))  # fmt: skip
    facts = go_facts()
    go = facts.definition_for(GVK(rt.group, rt.version, rt.kind))
    mistyped = first_type_error(facts, go, body, skip=TYPE_AND_META) if go is not None else None
    if mistyped is not None:  # Go's decoder refuses it before anything else looks
        raise errors.undecodable(rt.kind, rt.version, mistyped)
    if rt.kind == "SelfSubjectReview":
        answer = who_am_i(datetime.now(UTC))
    else:
        manager = field_manager_for(request.query.get("fieldManager"), request.headers.get("User-Agent"))
        answer = access_review(body, manager=manager, now=datetime.now(UTC))
    return object_response(request, answer, builtin=True, status=201)


def who_am_i(now: datetime) -> dict[str, Any]:
    return {
        "kind": "SelfSubjectReview",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"creationTimestamp": timestamp(now)},
        "status": {"userInfo": {"username": USERNAME, "groups": list(GROUPS)}},
    }


def _attributes(given: Any, fields: tuple[str, ...]) -> dict[str, str] | None:
    """The attributes as their Go struct keeps them (None: not given)."""
    if not isinstance(given, Mapping):
        return None
    return {key: str(given[key]) for key in fields if isinstance(given.get(key), str) and given[key]}


def access_review(body: Mapping[str, Any], *, manager: str, now: datetime) -> dict[str, Any]:
    """The answer to a SelfSubjectAccessReview: allowed, unless it is invalid (422)."""
    spec = body.get("spec") if isinstance(body.get("spec"), Mapping) else {}
    assert isinstance(spec, Mapping)
    resource = _attributes(spec.get("resourceAttributes"), _RESOURCE_ATTRIBUTES)
    non_resource = _attributes(spec.get("nonResourceAttributes"), _NON_RESOURCE_ATTRIBUTES)
    causes = []
    if resource is not None and non_resource is not None:
        shown = ", ".join(f"{key.capitalize()}:{go_string(non_resource.get(key, ''))}" for key in _NON_RESOURCE_ATTRIBUTES)
        causes.append(Cause("spec.nonResourceAttributes", "FieldValueInvalid",
                            f"Invalid value: authorization.NonResourceAttributes{{{shown}}}: cannot be specified in "
                            "combination with resourceAttributes"))  # fmt: skip
    if resource is None and non_resource is None:
        causes.append(Cause("spec.resourceAttributes", "FieldValueInvalid",
                            'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be '
                            "specified"))  # fmt: skip
    meta = body.get("metadata") if isinstance(body.get("metadata"), Mapping) else {}
    assert isinstance(meta, Mapping)
    if any(value not in (None, "", [], {}) for key, value in meta.items() if key != "managedFields"):
        causes.append(Cause("metadata", "FieldValueInvalid", "Invalid value: the object's metadata: must be empty"))
    if causes:
        raise errors.Invalid("SelfSubjectAccessReview", "authorization.k8s.io", "", causes)
    kept: dict[str, Any] = {}
    if resource is not None:
        kept["resourceAttributes"] = resource
    if non_resource is not None:
        kept["nonResourceAttributes"] = non_resource
    # the request's own managedFields entry: the fields it set (spec is a struct, its attributes pointers)
    owned: dict[str, Any] = {f"f:{name}": {".": {}, **{f"f:{key}": {} for key in sorted(fields)}} for name, fields in kept.items()}
    entry = {"manager": manager, "operation": "Update", "apiVersion": "authorization.k8s.io/v1", "time": timestamp(now),
             "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": dict(sorted(owned.items()))}}  # fmt: skip
    return {"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
            "metadata": {"creationTimestamp": None, "managedFields": [entry]}, "spec": kept, "status": {"allowed": True}}
