"""Semantic-version functions (the Kubernetes semver library), following SemVer 2.0.0.

- ``semver(s) -> kro.cel.Semver``: parse a strict ``MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]``
  version; an error naming the string otherwise.  ``isSemver(s) -> bool``.
- ``semver(s, normalize)`` / ``isSemver(s, normalize)``: with ``normalize`` true, a leading ``v``
  is dropped, missing minor/patch numbers become ``0`` and leading zeros are removed first
  (``v1.02`` is ``1.2.0``), as Kubernetes does.
- ``v.major()``, ``v.minor()``, ``v.patch()`` -> int.
- ``v.compareTo(w)``, ``v.isGreaterThan(w)``, ``v.isLessThan(w)``: SemVer precedence (build
  metadata ignored); see :mod:`kro.cel.library.comparison`.

A version is a ``kro.cel.Semver`` message holding the version string.
"""

from __future__ import annotations

from typing import Any

import semver as semver_lib

from kro.cel.library import messages
from kro.cel.library.declarations import Function, Type, function, global_overload, member_overload
from kro.cel.library.errors import LibraryError
from kro.cel.library.values import check_int64


def _normalize(text: str) -> str:
    parts = text.removeprefix("v").split(".", 2)
    for i, part in enumerate(parts):
        if len(part) > 1:
            stripped = part.lstrip("0")
            parts[i] = stripped if stripped[:1].isdigit() else "0" + stripped
    if len(parts) < 3:
        if any(ch in parts[-1] for ch in "+-"):
            raise LibraryError("short version cannot contain PreRelease/Build meta data")
        parts += ["0"] * (3 - len(parts))
    return ".".join(parts)


def parse_version(text: str, normalize: bool = False) -> semver_lib.Version:
    """Parse a semantic version, or raise :class:`LibraryError`."""
    try:
        return semver_lib.Version.parse(_normalize(text) if normalize else text)
    except (ValueError, TypeError, LibraryError) as e:
        raise LibraryError(f"semver({text!r}): invalid semantic version: {e}") from None


def make(version: semver_lib.Version) -> Any:
    """The Semver message for ``version``."""
    return messages.new(messages.SEMVER, value=str(version))


def version_of(message: Any) -> semver_lib.Version:
    """The version held by a Semver message."""
    return semver_lib.Version.parse(message.value)


def _is_semver(text: str, normalize: bool = False) -> bool:
    try:
        parse_version(text, normalize)
    except LibraryError:
        return False
    return True


def _part(name: str) -> Any:
    return lambda message: check_int64(name, getattr(version_of(message), name))


def declarations() -> list[Function]:
    """The semver functions' declarations."""
    v = messages.cel_type(messages.SEMVER)
    string, bool_ = Type.STRING, Type.BOOL
    return [
        function(
            "semver",
            global_overload("string_to_semver", [string], v, lambda s: make(parse_version(s))),
            global_overload(
                "string_bool_to_semver", [string, bool_], v, lambda s, n: make(parse_version(s, n))
            ),
        ),
        function(
            "isSemver",
            global_overload("is_semver_string", [string], bool_, _is_semver),
            global_overload("is_semver_string_bool", [string, bool_], bool_, _is_semver),
        ),
        *(
            function(name, member_overload(f"semver_{name}", [v], Type.INT, _part(name)))
            for name in ("major", "minor", "patch")
        ),
    ]
