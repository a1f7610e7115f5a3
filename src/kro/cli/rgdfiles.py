"""Loading RGD files for the offline commands and compiling them together.

Files may hold several documents. ResourceGraphDefinitions are compiled (together, so that one may
use another's kind); CustomResourceDefinitions teach the compiler kinds the built-in schemas do not
know; any other document is returned for the command to use (``render`` reads instances).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import click
from rich.console import Console

from kro.api import RGD_KIND
from kro.api.features import DEFAULT_GATES, FeatureGates
from kro.api.resourcegraph import RG_API_VERSION, RG_KIND
from kro.cli.loader import Document, LoadError, load_file
from kro.cli.output import print_diagnostics, print_error
from kro.graph.chaining import CompileResult, RGDSource, compile_many
from kro.graph.errors import Diagnostic
from kro.openapi import BuiltinResolver, ChainResolver, CRDResolver

_YAML_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class Workspace:
    rgds: list[Document] = field(default_factory=list)
    graphs: list[Document] = field(default_factory=list)
    """ResourceGraph documents (``kro.dev/v1alpha1``)."""
    crds: list[Document] = field(default_factory=list)
    others: list[Document] = field(default_factory=list)
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """file → its lines, for printing source excerpts under diagnostics."""
    features: FeatureGates = DEFAULT_GATES
    """``--feature-gates``: what the compiler may accept (``omit()`` needs ``CELOmitFunction``)."""

    def compile(self) -> list[CompileResult]:
        return compile_many(
            [RGDSource(d.data, d.positions, d.file) for d in self.rgds],
            resolver=self.resolver(),
            features=self.features,
        )

    def resolver(self) -> ChainResolver:
        """The built-in kinds and the kinds of the CRDs in the files."""
        return ChainResolver([CRDResolver(d.data for d in self.crds), BuiltinResolver()])


def expand(paths: Sequence[str]) -> list[Path]:
    """Files as given; directories contribute their YAML/JSON files, sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.is_file() and f.suffix in _YAML_SUFFIXES))
        else:
            out.append(p)
    return out


def load_workspace(paths: Sequence[str], *, features: FeatureGates = DEFAULT_GATES) -> Workspace:
    """Raises :class:`kro.cli.loader.LoadError` for an unreadable or malformed file."""
    ws = Workspace(features=features)
    for path in expand(paths):
        docs = load_file(path)
        if docs:
            ws.sources[docs[0].file] = docs[0].lines
        for d in docs:
            if d.kind == RGD_KIND:
                ws.rgds.append(d)
            elif d.kind == RG_KIND and d.api_version == RG_API_VERSION:
                ws.graphs.append(d)
            elif d.kind == "CustomResourceDefinition":
                ws.crds.append(d)
            else:
                ws.others.append(d)
    return ws


def all_diagnostics(results: Sequence[CompileResult]) -> list[Diagnostic]:
    return [d for r in results for d in r.diagnostics]


def compile_or_exit(
    paths: Sequence[str], err: Console, *, select: Callable[[CompileResult], bool] = lambda _: True
) -> tuple[Workspace, list[CompileResult]]:
    """Load and compile ``paths`` and keep the results ``select`` picks; an unreadable file, or any
    problem in a kept RGD, is printed on ``err`` and exits with status 1 (what every offline command
    but ``validate`` does before its own work)."""
    try:
        ws = load_workspace(paths)
    except LoadError as e:
        print_error(err, str(e))
        sys.exit(1)
    if not ws.rgds:
        raise click.UsageError(f"no ResourceGraphDefinition found in {', '.join(map(str, paths))}")
    chosen = [r for r in ws.compile() if select(r)]
    diagnostics = all_diagnostics(chosen)
    if diagnostics:
        print_diagnostics(err, diagnostics, sources=ws.sources)
        sys.exit(1)
    return ws, chosen
