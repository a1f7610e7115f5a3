"""The ResourceGraph side of ``kro status`` (see :mod:`kro.cli.rootstatus`): runs the read and
prints the root's children as a tree, or the error."""

from __future__ import annotations

import asyncio
import sys

from kro.cli.output import console_for, print_error, print_tree
from kro.cli.rootstatus import RootStatus, RootStatusError, read_root_status, root_tree


async def _read(
    kind: str, name: str, *, namespace: str, kubeconfig: str | None, context: str | None
) -> RootStatus | None:
    from kro.kube import ClusterConfig, KubeClient
    from kro.kube.errors import KubeError, NotFound

    try:
        config = ClusterConfig.load(kubeconfig, context=context)
        async with KubeClient(config) as client:
            return await read_root_status(client, kind, name, namespace=namespace)
    except NotFound as e:
        raise RootStatusError(f"{kind} {name} not found") from e
    except KubeError as e:
        raise RootStatusError(str(e)) from e


def show_root_status(
    kind: str, name: str, *, namespace: str, kubeconfig: str | None, context: str | None, fallback: str
) -> None:
    """Print the tree; exit 1 (with ``fallback`` when no ResourceGraph has this root kind either)."""
    err = console_for(stderr=True)
    try:
        found = asyncio.run(_read(kind, name, namespace=namespace, kubeconfig=kubeconfig, context=context))
    except RootStatusError as e:
        print_error(err, str(e))
        sys.exit(1)
    if found is None:
        print_error(err, f"{fallback}, and no ResourceGraph has it as its root kind")
        sys.exit(1)
    print_tree(console_for(), root_tree(found))
