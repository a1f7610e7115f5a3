"""Patches and server-side apply for the local API server, as pure functions of plain JSON data.

No I/O, no clock: the server passes the stored object, the request body and the time, and stores
what comes back.

- :func:`json_merge_patch` (RFC 7386), :func:`json_patch` (RFC 6902), :func:`strategic_merge_patch`
  (kubectl's patch type for built-in kinds; 415 for custom resources);
- :func:`server_side_apply`: ``application/apply-patch+yaml`` with per-manager field ownership,
  conflicts, ``force`` and removal of fields a manager stopped applying;
- :func:`record_update`: the ``Update`` entry every non-apply write (create, PUT, other patches)
  adds to ``metadata.managedFields``;
- :func:`apply_patch`: the non-apply patch types, chosen by media type.

Errors are :class:`PatchError` subclasses carrying the HTTP status to answer (:mod:`.errors`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kro.devcluster.patch.apply import LAST_APPLIED, ApplyResult, server_side_apply
from kro.devcluster.patch.body import PatchType, parse_body, patch_type
from kro.devcluster.patch.errors import (
    ApplyConflictError,
    FieldConflict,
    MalformedPatchError,
    PatchApplyError,
    PatchError,
    UnsupportedPatchTypeError,
)
from kro.devcluster.patch.jsonpatch import json_patch
from kro.devcluster.patch.managedfields import field_manager_for, ignored_fields, record_update
from kro.devcluster.patch.merge import json_merge_patch
from kro.devcluster.patch.strategic import strategic_merge_patch
from kro.devcluster.patch.structure import Schema


def apply_patch(
    original: Mapping[str, Any], patch: Any, kind: PatchType, *, schema: Schema | None, builtin: bool
) -> dict[str, Any]:
    """A JSON, merge or strategic merge patch applied to ``original``. The result must still be an
    object (a patch that turns it into anything else is a 422)."""
    if kind is PatchType.JSON:
        result = json_patch(original, patch)
    elif kind is PatchType.MERGE:
        result = json_merge_patch(original, patch)
    elif kind is PatchType.STRATEGIC:
        result = strategic_merge_patch(original, patch, schema=schema, builtin=builtin)
    else:
        raise UnsupportedPatchTypeError("apply patches go through server_side_apply")
    if not isinstance(result, dict):
        raise PatchApplyError("the patched object is not a JSON object")
    return result


__all__ = [
    "LAST_APPLIED",
    "ApplyConflictError",
    "ApplyResult",
    "FieldConflict",
    "MalformedPatchError",
    "PatchApplyError",
    "PatchError",
    "PatchType",
    "UnsupportedPatchTypeError",
    "apply_patch",
    "field_manager_for",
    "ignored_fields",
    "json_merge_patch",
    "json_patch",
    "parse_body",
    "patch_type",
    "record_update",
    "server_side_apply",
    "strategic_merge_patch",
]
