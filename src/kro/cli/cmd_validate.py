"""``kro validate``: compile RGD files offline and report every problem, located.

Exit status: 0 when every RGD is valid, 1 when any is invalid (or a file is not valid YAML),
2 for a usage error (no file, no RGD in the files).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

import click
from rich.console import Console

from kro.api.features import DEFAULT_GATES, FeatureGates
from kro.cli.gates import feature_gates_option
from kro.cli.graphfiles import compile_graphs, print_summary
from kro.cli.loader import LoadError
from kro.cli.output import console_for, counted, diagnostics_json, print_diagnostics, print_error
from kro.cli.rgdfiles import all_diagnostics, load_workspace
from kro.graph.chaining import CompileResult
from kro.openapi import ChainResolver, CRDResolver

FILES_HELP = (
    "RGD or ResourceGraph file (YAML, may hold several documents; CRDs in it teach the compiler their "
    "kinds). Repeatable."
)
rgd_files_option = click.option(
    "-f", "--filename", "files", multiple=True, required=True, type=click.Path(exists=True), help=FILES_HELP
)
"""``-f/--filename``, as every offline command takes it."""


@click.command(name="validate")
@rgd_files_option
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@feature_gates_option
def validate(files: tuple[str, ...], output: str, feature_gates: FeatureGates) -> None:
    """Check RGDs and ResourceGraphs offline: schema, CEL types, template fields, dependency graph.

    A ResourceGraph's root kind and children's kinds must be known: built-in, or defined by a CRD
    passed with -f (kro graph validate -f graph.yaml -f crds.yaml).

    Pass the controller's --feature-gates to check what that controller would accept."""
    sys.exit(run_validate(files, output=output, features=feature_gates))


def run_validate(files: Sequence[str], *, output: str, features: FeatureGates = DEFAULT_GATES) -> int:
    console = console_for()
    try:
        ws = load_workspace(files, features=features)
    except LoadError as e:
        if output == "json":
            click.echo(
                json.dumps(
                    [
                        {
                            "file": None,
                            "line": None,
                            "column": None,
                            "resource": None,
                            "path": "",
                            "expression": None,
                            "message": str(e),
                        }
                    ],
                    indent=2,
                )
            )
        else:
            print_error(console, str(e))
        return 1
    if not ws.rgds and not ws.graphs:
        raise click.UsageError(f"no ResourceGraphDefinition or ResourceGraph found in {', '.join(files)}")
    results = ws.compile()
    # the kinds the RGDs of the files generate: a graph whose root is one of them is refused
    generated = CRDResolver(r.graph.crd for r in results if r.graph is not None)
    graphs = compile_graphs(ws.graphs, ChainResolver([generated, ws.resolver()]), features=features)
    diagnostics = all_diagnostics(results) + [d for g in graphs for d in g.diagnostics]
    if output == "json":
        click.echo(diagnostics_json(diagnostics))
    else:
        print_diagnostics(console, diagnostics, sources=ws.sources)
        _summary(console, results)
        print_summary(console, graphs)
    return 1 if diagnostics else 0


def _summary(console: Console, results: Sequence[CompileResult]) -> None:
    for r in results:
        where = r.source.file or "<input>"
        if r.graph is not None:
            g = r.graph
            order = " → ".join(g.topological_order) or "(no resources)"
            console.print(
                f"[green]✓[/green] {where}: {r.name} ({g.instance_gvk.kind} {g.instance_gvk.api_version}): "
                f"{counted(len(g.nodes), 'resource')}; order: {order}",
                highlight=False,
            )
        else:
            n = len(r.diagnostics)
            console.print(
                f"[red]✗[/red] {where}: {r.name or '(unnamed)'}: {counted(n, 'problem')}",
                highlight=False,
            )
