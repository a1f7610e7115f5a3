"""kro's map functions.

- ``a.merge(b) -> map``: the entries of ``a`` and ``b``; for a key in both, ``b``'s value wins.
- ``a.deepMerge(b) -> map``: like ``merge``, but where both values are maps they are merged in
  turn (recursively); any other pair (lists included) takes ``b``'s value.

Both return new maps; the arguments are not changed.
"""

from __future__ import annotations

from typing import Any

from kro.cel.library.declarations import MAP_DYN, Function, function, member_overload


def merge(base: dict[Any, Any], override: dict[Any, Any]) -> dict[Any, Any]:
    """Shallow merge: ``override`` wins."""
    return {**base, **override}


def deep_merge(base: dict[Any, Any], override: dict[Any, Any]) -> dict[Any, Any]:
    """Recursive merge of nested maps: ``override`` wins for every non-map value."""
    result = dict(base)
    for key, value in override.items():
        current = result.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            result[key] = deep_merge(current, value)
        else:
            result[key] = value
    return result


def declarations() -> list[Function]:
    """The map functions' declarations."""
    return [
        function("merge", member_overload("map_merge", [MAP_DYN, MAP_DYN], MAP_DYN, merge)),
        function("deepMerge", member_overload("map_deepMerge", [MAP_DYN, MAP_DYN], MAP_DYN, deep_merge)),
    ]
