"""Small helpers shared by the schema tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from kro.schema import SchemaError, to_openapi


def field(text: str, types: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The OpenAPI node for one field string."""
    return to_openapi({"f": text}, types)["properties"]["f"]  # type: ignore[no-any-return]


def problems(spec: Mapping[str, Any], types: Mapping[str, Any] | None = None) -> dict[tuple[Any, ...], str]:
    """Every problem, keyed by path (messages at one path are joined)."""
    with pytest.raises(SchemaError) as info:
        to_openapi(spec, types)
    out: dict[tuple[Any, ...], str] = {}
    for p in info.value.problems:
        out[p.path] = f"{out[p.path]} | {p.message}" if p.path in out else p.message
    return out


def field_problem(text: str, types: Mapping[str, Any] | None = None) -> str:
    """The message(s) for a field string that must be rejected."""
    found = problems({"f": text}, types)
    assert list(found) == [("spec", "f")], found
    return found[("spec", "f")]
