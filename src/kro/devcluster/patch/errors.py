"""The errors of patching and server-side apply, each carrying the HTTP status the API server answers.

::

    PatchError                      base; ``code`` and ``reason`` as in a Kubernetes ``Status``
    ├── MalformedPatchError         400 BadRequest: the patch body cannot be read as a patch
    ├── PatchApplyError             422 Invalid: a well-formed patch that cannot apply to this object
    ├── UnsupportedPatchTypeError   415 UnsupportedMediaType: e.g. strategic merge on a custom resource
    └── ApplyConflictError          409 Conflict: server-side apply touched fields other managers own

The server turns any of them into a ``Status`` with :meth:`PatchError.status`; it never needs to read
the message text to decide what to answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from kro.devcluster.errors import failure_status


class PatchError(Exception):
    """A patch or apply request that cannot be carried out."""

    code: ClassVar[int] = 500
    reason: ClassVar[str] = "InternalError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def causes(self) -> list[dict[str, str]]:
        return []

    def status(self) -> dict[str, Any]:
        """The ``v1 Status`` kube-apiserver answers with for this error."""
        causes = self.causes()
        return failure_status(
            message=self.message,
            reason=self.reason,
            code=self.code,
            details={"causes": causes} if causes else None,
        )


class MalformedPatchError(PatchError):
    code = 400
    reason = "BadRequest"


class PatchApplyError(PatchError):
    code = 422
    reason = "Invalid"


class UnsupportedPatchTypeError(PatchError):
    code = 415
    reason = "UnsupportedMediaType"


@dataclass(frozen=True)
class FieldConflict:
    """One field another manager owns with a different value than the applier wants.

    ``manager`` is already rendered the way kube-apiserver prints it (``"kubectl" using apps/v1``).
    """

    manager: str
    field: str


class ApplyConflictError(PatchError):
    code = 409
    reason = "Conflict"

    def __init__(self, conflicts: tuple[FieldConflict, ...]) -> None:
        self.conflicts = conflicts
        super().__init__(_conflict_message(conflicts))

    def causes(self) -> list[dict[str, str]]:
        return [
            {"reason": "FieldManagerConflict", "message": f"conflict with {c.manager}", "field": c.field}
            for c in self.conflicts
        ]


def _conflict_message(conflicts: tuple[FieldConflict, ...]) -> str:
    if len(conflicts) == 1:
        c = conflicts[0]
        return f"Apply failed with 1 conflict: conflict with {c.manager}: {c.field}"
    by_manager: dict[str, list[str]] = {}
    for c in conflicts:
        by_manager.setdefault(c.manager, []).append(c.field)
    lines: list[str] = []
    for manager in sorted(by_manager):
        lines.append(f"conflicts with {manager}:")
        lines.extend(f"- {field}" for field in by_manager[manager])
    return f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
