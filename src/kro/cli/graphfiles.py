"""ResourceGraphs in the offline commands: ``kro validate`` / ``kro graph validate`` compile every
ResourceGraph of the files with the same compiler the controller uses, against the built-in kinds
and the CRDs given with ``-f`` (the root kind's and the children's), so the errors are the ones the
controller would record as ``ValidationFailed``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console

from kro.api.features import DEFAULT_GATES, FeatureGates
from kro.cli.loader import Document
from kro.cli.output import counted
from kro.graph.errors import CompileFailed, Diagnostic
from kro.graph.resourcegraph import CompiledResourceGraph, compile_resourcegraph
from kro.openapi import SchemaResolver


@dataclass(frozen=True)
class GraphResult:
    doc: Document
    compiled: CompiledResourceGraph | None
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def name(self) -> str:
        meta = self.doc.data.get("metadata") if isinstance(self.doc.data, dict) else None
        return str(meta.get("name", "")) if isinstance(meta, dict) else ""


def compile_graphs(
    docs: Sequence[Document], resolver: SchemaResolver, *, features: FeatureGates = DEFAULT_GATES
) -> list[GraphResult]:
    out: list[GraphResult] = []
    for d in docs:
        try:
            compiled = compile_resourcegraph(
                d.data, resolver=resolver, positions=d.positions, file=d.file, features=features
            )
        except CompileFailed as e:
            out.append(GraphResult(d, None, tuple(e.diagnostics)))
            continue
        out.append(GraphResult(d, compiled))
    return out


def print_summary(console: Console, results: Sequence[GraphResult]) -> None:
    for r in results:
        where = r.doc.file or "<input>"
        if r.compiled is None:
            n = len(r.diagnostics)
            console.print(f"[red]✗[/red] {where}: {r.name or '(unnamed)'}: {counted(n, 'problem')}", highlight=False)
            continue
        c = r.compiled
        order = " → ".join(c.graph.topological_order) or "(none)"
        tracked = ", ".join(t.gvk.kind for t in c.tracked) or "(none)"
        console.print(
            f"[green]✓[/green] {where}: ResourceGraph {r.name} (roots: {c.root_gvk.kind} {c.root_gvk.api_version}): "
            f"{counted(len(c.graph.nodes), 'managed child', 'managed children')}, order: {order}; tracked: {tracked}",
            highlight=False,
        )
