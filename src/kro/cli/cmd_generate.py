"""``kro generate crd``: print the CustomResourceDefinition kro registers for an RGD, offline."""

from __future__ import annotations

import json

import click
import yaml

from kro.cli.cmd_validate import rgd_files_option
from kro.cli.output import console_for
from kro.cli.rgdfiles import compile_or_exit


@click.group(name="generate")
def generate() -> None:
    """Generate artefacts from RGDs."""


@generate.command(name="crd")
@rgd_files_option
@click.option("-o", "--output", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@click.option(
    "--name", "names", multiple=True, help="Only the CRD of this RGD (by metadata.name). Repeatable."
)
def crd(files: tuple[str, ...], output: str, names: tuple[str, ...]) -> None:
    """Print the CRD of each RGD in the files (several are separated by ---)."""
    _, chosen = compile_or_exit(
        files, console_for(stderr=True), select=lambda r: not names or r.name in names
    )
    if names and not chosen:
        raise click.UsageError(f"no RGD named {', '.join(names)} in the files")
    crds = [dict(r.graph.crd) for r in chosen if r.graph is not None]
    if output == "json":
        click.echo(
            json.dumps(
                crds[0] if len(crds) == 1 else {"apiVersion": "v1", "kind": "List", "items": crds}, indent=2
            )
        )
    else:
        click.echo(yaml.safe_dump_all(crds, sort_keys=False, default_flow_style=False), nl=False)
