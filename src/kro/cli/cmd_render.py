"""``kro render``: print the child manifests an instance gets, offline, in topological order.

The instance gets its schema defaults first. Notes on each manifest (YAML comments) say what waits
on readiness, what ``includeWhen`` excluded, and which fields need data only the cluster has.
``--observed DIR`` supplies observed children (YAML files), which makes readiness and status-derived
fields resolvable. The controller's own planner decides, so the output is what it would apply.
"""

from __future__ import annotations

import sys

import click
import yaml

from kro.cli import rendering
from kro.cli.cmd_validate import rgd_files_option
from kro.cli.loader import LoadError, load_files
from kro.cli.output import console_for, print_diagnostics, print_error
from kro.cli.rendering import Rendered
from kro.cli.rgdfiles import all_diagnostics, expand, load_workspace


@click.command(name="render")
@rgd_files_option
@click.option(
    "-i",
    "--instance",
    "instance_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The instance (a custom resource of the RGD's kind).",
)
@click.option(
    "--observed",
    "observed_dir",
    type=click.Path(exists=True, file_okay=False),
    help="A directory of observed child objects (YAML), matched by group, kind, namespace and name "
    "(no namespace: the instance's).",
)
def render(files: tuple[str, ...], instance_file: str, observed_dir: str | None) -> None:
    """Render an instance's child manifests offline."""
    err = console_for(stderr=True)
    try:
        ws = load_workspace(files)
        instances = load_files([instance_file])
        observed = [d.data for d in load_files(expand([observed_dir]))] if observed_dir else []
    except LoadError as e:
        print_error(err, str(e))
        sys.exit(1)
    if not instances:
        raise click.UsageError(f"{instance_file} holds no document")
    results = ws.compile()
    diagnostics = all_diagnostics(results)
    if diagnostics:
        print_diagnostics(err, diagnostics, sources=ws.sources)
        sys.exit(1)
    out: list[str] = []
    for inst in instances:
        api_version, kind = inst.api_version, inst.kind
        graph = next(
            (
                r.graph
                for r in results
                if r.graph is not None
                and r.graph.instance_gvk.api_version == api_version
                and r.graph.instance_gvk.kind == kind
            ),
            None,
        )
        if graph is None:
            raise click.UsageError(f"no RGD in the files defines {kind} ({api_version})")
        with_defaults = rendering.instance_with_defaults(graph, inst.data)
        missing = rendering.missing_required(with_defaults.get("spec"), rendering.instance_spec_schema(graph))
        if missing:
            print_error(err, f"{inst.file}: the instance lacks required fields: {', '.join(missing)}")
            sys.exit(1)
        out.extend(_document(r) for r in rendering.render(graph, inst.data, observed))
    click.echo("".join(out), nl=False)


def _document(r: Rendered) -> str:
    node = r.node
    title = f"{node.id}" + (f"[{r.item}]" if r.item is not None else "")
    head = [f"# {title}: {node.gvk.api_version} {node.gvk.kind}"]
    head += [f"#   {note}" for note in r.notes]
    if r.manifest is None:
        return "---\n" + "\n".join(head) + "\n"
    body = yaml.safe_dump(r.manifest, sort_keys=False, default_flow_style=False)
    if node.is_external:
        body = "".join(f"# {line}\n" for line in body.splitlines())
    return "---\n" + "\n".join(head) + "\n" + body
