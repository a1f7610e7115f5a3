"""``kro generate crd``: print the CustomResourceDefinition kro registers for an RGD, offline."""

from __future__ import annotations

import json
import sys

import click
import yaml
from rich.console import Console

from kro.cli.cmd_validate import FILES_HELP
from kro.cli.loader import LoadError
from kro.cli.output import print_diagnostics
from kro.cli.rgdfiles import all_diagnostics, load_workspace


@click.group(name="generate")
def generate() -> None:
    """Generate artefacts from RGDs."""


@generate.command(name="crd")
@click.option(
    "-f", "--filename", "files", multiple=True, required=True, type=click.Path(exists=True), help=FILES_HELP
)
@click.option("-o", "--output", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@click.option(
    "--name", "names", multiple=True, help="Only the CRD of this RGD (by metadata.name). Repeatable."
)
def crd(files: tuple[str, ...], output: str, names: tuple[str, ...]) -> None:
    """Print the CRD of each RGD in the files (several are separated by ---)."""
    err = Console(stderr=True, highlight=False)
    try:
        ws = load_workspace(files)
    except LoadError as e:
        err.print(f"[bold red]error[/bold red]: {e}")
        sys.exit(1)
    if not ws.rgds:
        raise click.UsageError(f"no ResourceGraphDefinition found in {', '.join(files)}")
    results = ws.compile()
    chosen = [r for r in results if not names or r.name in names]
    if names and not chosen:
        raise click.UsageError(f"no RGD named {', '.join(names)} in the files")
    diagnostics = all_diagnostics(chosen)
    if diagnostics:
        print_diagnostics(err, diagnostics, sources=ws.sources)
        sys.exit(1)
    crds = [dict(r.graph.crd) for r in chosen if r.graph is not None]
    if output == "json":
        click.echo(
            json.dumps(
                crds[0] if len(crds) == 1 else {"apiVersion": "v1", "kind": "List", "items": crds}, indent=2
            )
        )
    else:
        click.echo(yaml.safe_dump_all(crds, sort_keys=False, default_flow_style=False), nl=False)
