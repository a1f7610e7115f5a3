"""JSON merge patch (RFC 7386, ``application/merge-patch+json``).

Objects merge key by key, ``null`` deletes a key, and anything else (lists included) replaces the
target value whole. It needs no schema, so it is the patch type that works the same for built-in
kinds and custom resources.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from kro.devcluster.patch.errors import MalformedPatchError


def json_merge_patch(target: Any, patch: Any) -> Any:
    """``patch`` applied to ``target`` (neither is modified)."""
    try:
        return _merge(target, patch)
    except RecursionError as e:
        raise MalformedPatchError("merge patch is nested too deeply") from e


def _merge(target: Any, patch: Any) -> Any:
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = _merge(out.get(key), value)
    return out
