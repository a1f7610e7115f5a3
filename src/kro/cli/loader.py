"""Reading YAML files for the offline commands: plain data plus a position index per document.

PyYAML's ``compose`` keeps each node's start mark; we build the plain value ourselves from the node
tree (safe-loader scalar resolution, so ``3`` is an int and ``"3"`` a string) and record, for every
field path, the 1-based line and column where it is written: the value for scalars (inside the
quotes for quoted strings), the key for maps and lists, so diagnostics can point at it; and under
:func:`~kro.graph.positions.key_path` where each key is written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kro.graph.model import FieldPath
from kro.graph.positions import Position, key_path


class LoadError(Exception):
    """A file could not be read or is not valid YAML; the message says where."""


@dataclass(frozen=True)
class Document:
    """One YAML document of a file (files may hold several, separated by ``---``)."""

    file: str
    index: int
    data: Any
    positions: dict[FieldPath, Position]
    lines: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", "")) if isinstance(self.data, dict) else ""

    @property
    def api_version(self) -> str:
        return str(self.data.get("apiVersion", "")) if isinstance(self.data, dict) else ""


def load_file(path: str | Path) -> list[Document]:
    """Every non-empty document of ``path`` (``-`` reads standard input is not supported)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise LoadError(f"{path}: cannot read: {e.strerror or e}") from e
    return load_text(text, file=str(path))


def load_text(text: str, *, file: str = "<stdin>") -> list[Document]:
    lines = tuple(text.splitlines())
    docs: list[Document] = []
    try:
        for i, node in enumerate(yaml.compose_all(text, Loader=yaml.SafeLoader)):
            if node is None:
                continue
            positions: dict[FieldPath, Position] = {}
            data = _build(node, (), positions)
            if data is None:
                continue
            docs.append(Document(file, i, data, positions, lines))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark is not None else file
        problem = getattr(e, "problem", None) or str(e)
        raise LoadError(f"{where}: invalid YAML: {problem}") from e
    return docs


def load_files(paths: Sequence[str | Path]) -> list[Document]:
    out: list[Document] = []
    for p in paths:
        out.extend(load_file(p))
    return out


_constructor = yaml.SafeLoader("")  # resolves scalars exactly as yaml.safe_load does


def _scalar_position(node: yaml.Node) -> Position:
    mark = node.start_mark
    quoted = isinstance(node, yaml.ScalarNode) and node.style in ('"', "'")
    return (mark.line + 1, mark.column + 1 + (1 if quoted else 0))


def _build(node: yaml.Node, path: FieldPath, positions: dict[FieldPath, Position]) -> Any:
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in _merged_pairs(node):
            key = _build(key_node, path, {})
            if isinstance(key, (list, dict)):
                key = str(key)
            child = (*path, key)
            positions[key_path(child)] = _scalar_position(key_node)
            positions[child] = (
                _scalar_position(value_node)
                if isinstance(value_node, yaml.ScalarNode)
                else (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            )
            out[key] = _build(value_node, child, positions)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            positions[(*path, i)] = _scalar_position(item)
            items.append(_build(item, (*path, i), positions))
        return items
    if node.tag == _TIMESTAMP:
        return node.value  # Kubernetes reads unquoted dates as strings, not as timestamps
    return _constructor.construct_object(node, deep=True)


_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _merged_pairs(node: yaml.MappingNode) -> Iterator[tuple[yaml.Node, yaml.Node]]:
    """Key/value node pairs, with ``<<`` merge keys expanded (explicit keys win)."""
    explicit = [(k, v) for k, v in node.value if k.tag != "tag:yaml.org,2002:merge"]
    own = {k.value for k, _ in explicit if isinstance(k, yaml.ScalarNode)}
    for k, v in node.value:
        if k.tag != "tag:yaml.org,2002:merge":
            continue
        sources = v.value if isinstance(v, yaml.SequenceNode) else [v]
        for src in sources:
            if isinstance(src, yaml.MappingNode):
                for mk, mv in _merged_pairs(src):
                    if not (isinstance(mk, yaml.ScalarNode) and mk.value in own):
                        yield mk, mv
    yield from explicit
