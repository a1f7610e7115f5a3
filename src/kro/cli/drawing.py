"""Drawing a compiled graph: Mermaid, Graphviz DOT, or a self-contained SVG.

Edges go from a dependency to its dependent (``config --> statefulset``: config first). Node shapes
tell the kinds of node apart in every format: a plain box for a resource, a stacked box for a
``forEach`` collection, a slanted box for an ``externalRef`` (read, never written), and a dashed
outline for a node with ``includeWhen`` (it may be left out). The SVG is laid out here (one column per
dependency depth), so drawing needs no Graphviz.
"""

from __future__ import annotations

from html import escape as html_escape

from kro.graph.model import Graph, Node

_W, _H, _GAP_X, _GAP_Y, _PAD = 190, 54, 70, 24, 20


def _label(node: Node) -> tuple[str, str]:
    kind = node.gvk.kind
    if node.is_collection:
        kind += " (forEach)" if not node.is_external else " (selector)"
    if node.is_external:
        kind += " · external"
    return node.id, kind


def _edges(graph: Graph) -> list[tuple[str | None, str]]:
    """``(dependency, dependent)`` pairs in topological order; ``None`` stands for the instance,
    which every node without dependencies hangs from."""
    order = graph.topological_order
    out: list[tuple[str | None, str]] = []
    for nid in order:
        deps = sorted(graph.nodes[nid].dependencies, key=order.index)
        out += [(dep, nid) for dep in deps] if deps else [(None, nid)]
    return out


def mermaid(graph: Graph) -> str:
    lines = ["flowchart LR"]
    inst = graph.instance_gvk.kind
    lines.append(f'  schema(["{inst}<br/><i>instance</i>"])')
    for nid in graph.topological_order:
        node = graph.nodes[nid]
        name, kind = _label(node)
        text = f'"{name}<br/><i>{kind}</i>"'
        if node.is_external:
            shape = f"[/{text}/]"
        elif node.is_collection:
            shape = f"[[{text}]]"
        else:
            shape = f"[{text}]"
        lines.append(f"  {nid}{shape}" + (":::conditional" if node.include_when else ""))
    lines += [f"  {dep} --> {nid}" if dep else f"  schema -.-> {nid}" for dep, nid in _edges(graph)]
    lines.append("  classDef conditional stroke-dasharray: 5 5")
    return "\n".join(lines) + "\n"


def dot(graph: Graph) -> str:
    lines = [f'digraph "{graph.rgd_name}" {{', "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];']
    lines.append(f'  schema [label="{graph.instance_gvk.kind}\\ninstance", shape=oval];')
    for nid in graph.topological_order:
        node = graph.nodes[nid]
        name, kind = _label(node)
        attrs = [f'label="{name}\\n{kind}"']
        if node.is_external:
            attrs.append("shape=parallelogram")
        elif node.is_collection:
            attrs.append("shape=box3d")
        if node.include_when:
            attrs.append("style=dashed")
        lines.append(f'  "{nid}" [{", ".join(attrs)}];')
    lines += [
        f'  "{dep}" -> "{nid}";' if dep else f'  schema -> "{nid}" [style=dotted];'
        for dep, nid in _edges(graph)
    ]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _columns(graph: Graph) -> list[list[str]]:
    depth: dict[str, int] = {}
    for nid in graph.topological_order:
        depth[nid] = 1 + max((depth[d] for d in graph.nodes[nid].dependencies), default=0)
    cols: list[list[str]] = [["schema"]] + [[] for _ in range(max(depth.values(), default=0))]
    for nid in graph.topological_order:
        cols[depth[nid]].append(nid)
    return cols


def svg(graph: Graph) -> str:
    cols = _columns(graph)
    rows = max(len(c) for c in cols)
    width = _PAD * 2 + len(cols) * _W + (len(cols) - 1) * _GAP_X
    height = _PAD * 2 + rows * _H + (rows - 1) * _GAP_Y
    pos: dict[str, tuple[int, int]] = {}
    for ci, col in enumerate(cols):
        top = _PAD + (height - 2 * _PAD - (len(col) * _H + (len(col) - 1) * _GAP_Y)) // 2
        for ri, nid in enumerate(col):
            pos[nid] = (_PAD + ci * (_W + _GAP_X), top + ri * (_H + _GAP_Y))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="13">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
    ]
    for dep, nid in _edges(graph):
        (x1, y1), (x2, y2) = pos[dep or "schema"], pos[nid]
        dash = "" if dep else ' stroke-dasharray="3 3"'
        out.append(
            f'<line x1="{x1 + _W}" y1="{y1 + _H // 2}" x2="{x2}" y2="{y2 + _H // 2}" stroke="#555"'
            f'{dash} marker-end="url(#arrow)"/>'
        )
    x, y = pos["schema"]
    out.append(f'<rect x="{x}" y="{y}" width="{_W}" height="{_H}" rx="27" fill="#eef" stroke="#336"/>')
    out.append(_text(x, y, graph.instance_gvk.kind, "instance"))
    for nid in graph.topological_order:
        out.extend(_svg_node(graph.nodes[nid], *pos[nid]))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _svg_node(node: Node, x: int, y: int) -> list[str]:
    dash = ' stroke-dasharray="6 4"' if node.include_when else ""
    parts = []
    if node.is_collection:  # a stacked card behind the node
        parts.append(
            f'<rect x="{x + 6}" y="{y - 6}" width="{_W}" height="{_H}" fill="#f4f4f4" stroke="#666"{dash}/>'
        )
    if node.is_external:
        s = 12
        points = f"{x + s},{y} {x + _W},{y} {x + _W - s},{y + _H} {x},{y + _H}"
        parts.append(f'<polygon points="{points}" fill="#fff8e6" stroke="#a60"{dash}/>')
    else:
        parts.append(f'<rect x="{x}" y="{y}" width="{_W}" height="{_H}" fill="#fff" stroke="#333"{dash}/>')
    name, kind = _label(node)
    parts.append(_text(x, y, name, kind))
    return parts


def _text(x: int, y: int, title: str, subtitle: str) -> str:
    cx = x + _W // 2
    return (
        f'<text x="{cx}" y="{y + 22}" text-anchor="middle" font-weight="bold">{html_escape(title)}</text>'
        f'<text x="{cx}" y="{y + 40}" text-anchor="middle" fill="#555" font-size="11">{html_escape(subtitle)}</text>'
    )
