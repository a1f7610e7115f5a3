"""Patch types by media type, and reading a patch request's body.

The server hands the ``Content-Type`` of a PATCH request to :func:`patch_type` and the raw body to
:func:`parse_body`; both raise :mod:`~.errors` the server turns into a ``Status`` (415 for a media
type kube-apiserver does not accept, 400 for a body that does not parse).
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import yaml

from kro.devcluster.patch.errors import MalformedPatchError, UnsupportedPatchTypeError


class PatchType(StrEnum):
    JSON = "application/json-patch+json"
    MERGE = "application/merge-patch+json"
    STRATEGIC = "application/strategic-merge-patch+json"
    APPLY = "application/apply-patch+yaml"


def patch_type(content_type: str | None) -> PatchType:
    """The patch type of a ``Content-Type`` header (parameters such as ``charset`` are ignored)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    try:
        return PatchType(media)
    except ValueError as e:
        accepted = ", ".join(t.value for t in PatchType)
        raise UnsupportedPatchTypeError(
            f"the body of the request was in an unknown format - accepted media types include: {accepted}"
        ) from e


class _Loader(yaml.SafeLoader):
    """YAML as Kubernetes reads it: timestamps stay strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _NotPlainJson(Exception):
    """A JSON document YAML would read differently (``1e3``, ``NaN``): leave it to the YAML parser."""


def _plain_float(text: str) -> float:
    if "e" in text or "E" in text:
        raise _NotPlainJson(text)
    return float(text)


def _no_constant(text: str) -> Any:
    raise _NotPlainJson(text)


def _as_plain_json(text: str) -> Any:
    """``text`` read as JSON where YAML reads it the same way (most applies are JSON), else None."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        return json.loads(text, parse_float=_plain_float, parse_constant=_no_constant)
    except (json.JSONDecodeError, _NotPlainJson, RecursionError):
        return None


def parse_body(body: bytes | str, kind: PatchType) -> Any:
    """The patch document: JSON for every type, YAML (a superset) for apply."""
    text = body.decode("utf-8", errors="strict") if isinstance(body, bytes) else body
    if kind is PatchType.APPLY:
        doc = _as_plain_json(text)
        if doc is None:
            try:
                doc = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: no arbitrary objects
            except yaml.YAMLError as e:
                raise MalformedPatchError(f"error decoding YAML: {e}") from e
        if not isinstance(doc, dict):
            raise MalformedPatchError("the applied configuration must be an object")
        return doc
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise MalformedPatchError(f"error decoding patch: {e}") from e
