"""``kro graph``: draw an RGD's dependency graph (``--format mermaid|dot|svg``), and
``kro graph validate`` (the same check as ``kro validate``).

SVG is laid out and written by kro itself; Graphviz is not needed (``dot`` output can still be fed
to it: ``kro graph -f rgd.yaml --format dot | dot -Tpng > graph.png``).
"""

from __future__ import annotations

import click

from kro.cli import drawing
from kro.cli.cmd_validate import FILES_HELP, validate
from kro.cli.output import console_for
from kro.cli.rgdfiles import compile_or_exit

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
    _, chosen = compile_or_exit(
        files, console_for(stderr=True), select=lambda r: name is None or r.name == name
    )
    if not chosen:
        raise click.UsageError(f"no ResourceGraphDefinition named {name!r} in the files")
    if len(chosen) > 1:
        names = ", ".join(r.name for r in chosen)
        raise click.UsageError(f"the files hold several RGDs: choose one with --name ({names})")
    assert chosen[0].graph is not None  # an RGD that did not compile has diagnostics
    click.echo(_FORMATS[fmt](chosen[0].graph), nl=False)


graph.add_command(validate, name="validate")  # the same check as ``kro validate``
