"""The run-time half of cel-go's two-variable comprehensions (``ext.TwoVarComprehensions``).

The engine's ``two-var-comprehensions`` extension (enabled by configuration) parses and type-checks
``all(k, v, ...)``, ``exists(k, v, ...)``, ``existsOne(k, v, ...)``, ``transformList``,
``transformMap`` and ``transformMapEntry``, expanding them into comprehensions. The map-building
ones accumulate with the internal function ``cel.@mapInsert``, whose implementation the Python
binding does not link. It is declared here, for the *evaluation* environment only: the checking
environment already declares it, and a second declaration there is refused.

- ``cel.@mapInsert(m, k, v)``: ``m`` with ``k`` set to ``v``;
- ``cel.@mapInsert(m, other)``: ``m`` with ``other``'s entries added; a key already in ``m`` is an
  error (``transformMapEntry`` producing one key twice), as in cel-go.
"""

from __future__ import annotations

from typing import Any

from kro.cel.library.declarations import MAP_DYN, Function, Type, function, global_overload
from kro.cel.library.errors import LibraryError

MAP_INSERT = "cel.@mapInsert"


def _insert(target: dict[Any, Any], key: Any, value: Any) -> dict[Any, Any]:
    out = dict(target)
    out[key] = value
    return out


def _insert_all(target: dict[Any, Any], entries: dict[Any, Any]) -> dict[Any, Any]:
    out = dict(target)
    for key, value in entries.items():
        if key in out:
            raise LibraryError(f"insert failed: key {key!r} already exists")
        out[key] = value
    return out


def declarations() -> list[Function]:
    """``cel.@mapInsert``, for the evaluation environment."""
    return [
        function(
            MAP_INSERT,
            global_overload("@mapInsert_map_key_value", [MAP_DYN, Type.DYN, Type.DYN], MAP_DYN, _insert),
            global_overload("@mapInsert_map_map", [MAP_DYN, MAP_DYN], MAP_DYN, _insert_all),
        )
    ]
