"""JSON patch (RFC 6902, ``application/json-patch+json``), carried out by the ``jsonpatch`` library.

Errors are sorted as kube-apiserver sorts them: a body that is not a list of operations is a
:class:`~.errors.MalformedPatchError` (400); a valid patch that cannot apply to this object (a failed
``test``, a path that is not there) is a :class:`~.errors.PatchApplyError` (422).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import jsonpatch
import jsonpointer

from kro.devcluster.patch.errors import MalformedPatchError, PatchApplyError

_OPS = frozenset({"add", "remove", "replace", "move", "copy", "test"})


def json_patch(target: Mapping[str, Any], operations: Any) -> Any:
    """``operations`` applied to ``target`` (which is not modified)."""
    _check(operations)
    try:
        patch = jsonpatch.JsonPatch(operations)
        return patch.apply(copy.deepcopy(dict(target)), in_place=True)
    except jsonpatch.InvalidJsonPatch as e:
        raise MalformedPatchError(f"invalid JSON patch: {e}") from e
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as e:
        raise PatchApplyError(f"the JSON patch cannot be applied: {e}") from e
    except (TypeError, ValueError, KeyError, IndexError) as e:
        raise PatchApplyError(f"the JSON patch cannot be applied: {e}") from e


def _check(operations: Any) -> None:
    if not isinstance(operations, list):
        raise MalformedPatchError("a JSON patch must be a list of operations")
    for index, op in enumerate(operations):
        if not isinstance(op, Mapping):
            raise MalformedPatchError(f"JSON patch operation {index} must be an object")
        name = op.get("op")
        if name not in _OPS:
            raise MalformedPatchError(f"JSON patch operation {index}: unknown op {name!r}")
        if not isinstance(op.get("path"), str):
            raise MalformedPatchError(f"JSON patch operation {index} ({name}): missing path")
        if name in ("add", "replace", "test") and "value" not in op:
            raise MalformedPatchError(f"JSON patch operation {index} ({name}): missing value")
        if name in ("move", "copy") and not isinstance(op.get("from"), str):
            raise MalformedPatchError(f"JSON patch operation {index} ({name}): missing from")
