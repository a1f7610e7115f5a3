"""Response encodings: JSON for every client that accepts it, Kubernetes protobuf for built-in kinds
to a client that accepts only protobuf, and 406 ``NotAcceptable`` when nothing the client accepts can
be produced (protobuf for a custom resource, which kube-apiserver negotiates and then cannot encode,
or a media type the server does not speak)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from kro.devcluster import errors, jsoncodec
from kro.devcluster.codec import protobuf

JSON = "application/json"
_JSON_LIKE = frozenset({JSON, "application/yaml", "*/*", "application/*"})
_OFFERED = "application/json, application/yaml, application/vnd.kubernetes.protobuf"


def json_response(body: Any, *, status: int = 200, warnings: list[str] | None = None) -> web.Response:
    resp = web.Response(body=jsoncodec.dumps(body), status=status, content_type=JSON)
    for w in warnings or []:
        resp.headers.add("Warning", f'299 - "{w.replace(chr(34), chr(92) + chr(34))}"')
    return resp


def accepted_types(accept: str) -> list[str]:
    """The media types of an Accept header the client takes (q > 0), parameters dropped."""
    out: list[str] = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        q = next((p[2:] for p in params if p.startswith("q=")), "1")
        try:
            if float(q) <= 0:
                continue
        except ValueError:
            continue
        out.append(media.lower())
    return out


@functools.lru_cache(maxsize=256)  # clients send the same few Accept headers
def response_media(accept: str) -> str:
    """``application/json`` or protobuf's media type; raises ``NotAcceptable``."""
    types = accepted_types(accept)
    if not types or any(t in _JSON_LIKE for t in types):
        return JSON
    if protobuf.MEDIA_TYPE in types:
        return protobuf.MEDIA_TYPE
    raise errors.NotAcceptable(f"only the following media types are accepted: {_OFFERED}")


def object_response(
    request: web.Request,
    body: Mapping[str, Any],
    *,
    builtin: bool,
    status: int = 200,
    warnings: list[str] | None = None,
) -> web.Response:
    """An object or list in the encoding the request negotiates (``body`` carries apiVersion/kind)."""
    if response_media(request.headers.get("Accept", "")) == JSON:
        return json_response(body, status=status, warnings=warnings)
    if not builtin:
        # kube-apiserver negotiates protobuf for custom resources too, then cannot encode them
        raise errors.NotAcceptable(protobuf.not_marshalable("UnstructuredList" if "items" in body else "Unstructured"))
    try:
        raw = protobuf.encode_object(dict(body))
    except protobuf.ProtobufError as e:
        raise errors.NotAcceptable(f"the object cannot be encoded as protobuf: {e}") from e
    resp = web.Response(body=raw, status=status, content_type=protobuf.MEDIA_TYPE)
    for w in warnings or []:
        resp.headers.add("Warning", f'299 - "{w.replace(chr(34), chr(92) + chr(34))}"')
    return resp
