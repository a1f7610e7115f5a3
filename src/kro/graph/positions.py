"""Field paths in an RGD document, and where they are in the source text.

The compiler works on plain data; the command line loads YAML with node marks and passes a
*position index* (``{path: (line, column)}``, both 1-based) in, so that every diagnostic can say
``rgd.yaml:41:20``. Paths are tuples of map keys and list indexes, counted from the document root:
``("spec", "resources", 1, "template", "spec", "replicas")``, printed as
``spec.resources[1].template.spec.replicas``.

Where a map key is written is indexed too, under :func:`key_path` of the field, so a problem with the
key itself (an unknown field) points at the key rather than at its value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kro.graph.model import FieldPath

Position = tuple[int, int]
PositionIndex = Mapping[FieldPath, Position]

KEY: int = -1
"""Last element of a :func:`key_path`; list indexes are never negative, so it names no value."""

_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")


def format_path(path: FieldPath) -> str:
    """``("spec", "resources", 1, "metadata", "labels", "app.kubernetes.io/name")`` →
    ``spec.resources[1].metadata.labels["app.kubernetes.io/name"]``."""
    out: list[str] = []
    for element in path:
        if isinstance(element, int):
            out.append(f"[{element}]")
        elif _PLAIN_KEY.match(element):
            out.append(("." if out else "") + element)
        else:
            escaped = element.replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'["{escaped}"]')
    return "".join(out)


def key_path(path: FieldPath) -> FieldPath:
    """The index entry for where the key of the map field ``path`` is written."""
    return (*path, KEY)


def locate(positions: PositionIndex | None, path: FieldPath) -> Position | None:
    """The position of ``path``, or of its nearest ancestor present in the index (a generated
    default or a synthesized value has no position of its own)."""
    if not positions:
        return None
    for end in range(len(path), -1, -1):
        found = positions.get(path[:end])
        if found is not None:
            return found
    return None
