"""The ``kro`` command line.

Each sub-command lives in its own module and is imported only when it runs, so ``kro --help`` and
``kro validate`` stay fast and do not import the server or the controller.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from kro import __version__

# name -> (module, attribute, one-line help)
_COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": ("kro.cli.cmd_validate", "validate", "Check RGD and ResourceGraph files offline: schema, CEL types, graph."),
    "generate": ("kro.cli.cmd_generate", "generate", "Generate artefacts from an RGD (the CRD)."),
    "render": ("kro.cli.cmd_render", "render", "Render an instance's child manifests offline."),
    "graph": ("kro.cli.cmd_graph", "graph", "Draw an RGD's dependency graph (mermaid, dot, svg)."),
    "dev": ("kro.cli.cmd_dev", "dev", "Run the embedded control plane (and the controller)."),
    "controller": ("kro.cli.cmd_controller", "controller", "Run the kro controller against a cluster."),
    "status": ("kro.cli.cmd_status", "status", "Show an instance's graph with each node's state."),
    "install": ("kro.cli.cmd_install", "install", "Print or apply the manifests that install kro."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = _COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attr, _ = entry
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name != module_name:
                raise
            return _unavailable(cmd_name)
        command: Any = getattr(module, attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module_name}.{attr} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_) for name, (_, _, help_) in sorted(_COMMANDS.items())]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _unavailable(name: str) -> click.Command:
    @click.command(name=name, help="Not available in this build.")
    def cmd() -> None:
        raise click.ClickException(f"'kro {name}' is not available in this build")

    return cmd


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kro")
def cli() -> None:
    """kro: define a new Kubernetes API and the resources behind it in one YAML file.

    \b
    Work offline with an RGD:
      kro validate -f rgd.yaml            type-check every expression, report every error
      kro generate crd -f rgd.yaml        print the CRD kro registers
      kro render -f rgd.yaml -i inst.yaml print the children an instance gets
      kro graph -f rgd.yaml               draw the dependency graph
    Run it:
      kro dev                             local API server + controller, no cluster needed
      kro controller                      the controller against your kubeconfig's cluster
    """


def main() -> None:
    cli()
