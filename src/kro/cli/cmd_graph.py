"""``kro graph``: draw an RGD's dependency graph (``--format mermaid|dot|svg``), and
``kro graph validate`` (the same check as ``kro validate``).

SVG is laid out and written by kro itself; Graphviz is not needed (``dot`` output can still be fed
to it: ``kro graph -f rgd.yaml --format dot | dot -Tpng > graph.png``).
"""

from __future__ import annotations

import sys

import click
from rich.console import Console

from kro.cli import drawing
from kro.cli.cmd_validate import FILES_HELP, run_validate
from kro.cli.loader import LoadError
from kro.cli.output import print_diagnostics
from kro.cli.rgdfiles import all_diagnostics, load_workspace

_FORMATS = {"mermaid": drawing.mermaid, "dot": drawing.dot, "svg": drawing.svg}


@click.group(name="graph", invoke_without_command=True)
@click.option("-f", "--filename", "files", multiple=True, type=click.Path(exists=True), help=FILES_HELP)
@click.option("--format", "fmt", type=click.Choice(sorted(_FORMATS)), default="mermaid", show_default=True)
@click.option("--name", help="The RGD to draw when the files hold several (by metadata.name).")
@click.pass_context
def graph(ctx: click.Context, files: tuple[str, ...], fmt: str, name: str | None) -> None:
    """Draw an RGD's dependency graph: mermaid, dot or svg, on standard output."""
    if ctx.invoked_subcommand is not None:
        return
    if not files:
        raise click.UsageError("give the RGD with -f FILE")
    err = Console(stderr=True, highlight=False)
    try:
        ws = load_workspace(files)
    except LoadError as e:
        err.print(f"[bold red]error[/bold red]: {e}")
        sys.exit(1)
    results = ws.compile()
    chosen = [r for r in results if name is None or r.name == name]
    if not chosen:
        raise click.UsageError(
            "no ResourceGraphDefinition " + (f"named {name!r} " if name else "") + "in the files"
        )
    if len(chosen) > 1:
        raise click.UsageError(
            "the files hold several RGDs: choose one with --name "
            + "("
            + ", ".join(r.name for r in chosen)
            + ")"
        )
    diagnostics = all_diagnostics(chosen)
    if diagnostics or chosen[0].graph is None:
        print_diagnostics(err, diagnostics, sources=ws.sources)
        sys.exit(1)
    click.echo(_FORMATS[fmt](chosen[0].graph), nl=False)


@graph.command(name="validate")
@click.option(
    "-f", "--filename", "files", multiple=True, required=True, type=click.Path(exists=True), help=FILES_HELP
)
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def graph_validate(files: tuple[str, ...], output: str) -> None:
    """Check RGDs offline (the same as kro validate)."""
    sys.exit(run_validate(files, output=output))
