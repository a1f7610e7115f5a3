"""``kro dev``: the embedded control plane (and, once wired, the controller) on this machine.

It starts the local API server, writes a kubeconfig, prints how to use it, optionally applies a
directory of manifests, and runs until Ctrl-C or SIGTERM, then shuts down cleanly.

The controller is started through :data:`CONTROLLER_HOOK`: an async callable that receives the
kubeconfig path and runs until cancelled. It is ``None`` until the controller is wired in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

import click

from kro.devcluster import DevServer, DevServerConfig
from kro.devcluster.manifests import ManifestError, apply_directory

# Runs the controller against the kubeconfig it is given until cancelled; None: no controller yet.
ControllerHook = Callable[[Path], Awaitable[None]]
CONTROLLER_HOOK: ControllerHook | None = None


async def run_dev(
    config: DevServerConfig,
    *,
    controller: ControllerHook | None,
    demo: Path | None,
    echo: Callable[[str], None],
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until ``stop`` is set (or SIGINT/SIGTERM arrives)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    server = DevServer(config)
    await server.start()
    tasks: list[asyncio.Task[None]] = []
    try:
        echo(f"kubeconfig: {server.kubeconfig_path}")
        echo(f"export KUBECONFIG={server.kubeconfig_path}")
        if controller is not None:
            tasks.append(asyncio.create_task(_run_controller(controller, server.kubeconfig_path), name="kro-controller"))
        if demo is not None:
            for applied in await apply_directory(server.cluster, demo):
                echo(f"applied {applied}")
        where = f"state in {config.state_dir}" if config.state_dir else "in memory"
        echo(f"ready: API server on {server.url} ({where}); Ctrl-C to stop")
        await stop.wait()
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await server.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)


async def _run_controller(controller: ControllerHook, kubeconfig: Path) -> None:
    try:
        await controller(kubeconfig)
    except asyncio.CancelledError:
        raise
    except Exception:
        logging.getLogger("kro.dev").exception("the controller stopped with an error")


@click.command(name="dev")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="Port to listen on (0: any free port).")
@click.option("--kubeconfig", "kubeconfig", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the kubeconfig (default: <state dir>/kubeconfig).")
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep objects in SQLite here across restarts (default: in memory).")
@click.option("--no-controller", is_flag=True, help="Do not run the kro controller.")
@click.option("--no-simulation", is_flag=True, help="Do not simulate workloads (Deployments stay unready).")
@click.option("--insecure-http", is_flag=True, help="Serve plain HTTP instead of HTTPS.")
@click.option("--demo", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Apply every YAML file in this directory (in name order) once the server is up.")
def dev(
    port: int,
    kubeconfig: Path | None,
    state_dir: Path | None,
    no_controller: bool,
    no_simulation: bool,
    insecure_http: bool,
    demo: Path | None,
) -> None:
    """Run a local Kubernetes API server (and the kro controller) for development."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    config = DevServerConfig(
        port=port,
        state_dir=state_dir,
        tls=not insecure_http,
        kubeconfig_path=kubeconfig,
        simulation=not no_simulation,
    )
    controller = None if no_controller else CONTROLLER_HOOK
    if not no_controller and controller is None:
        click.echo("note: the kro controller is not wired into `kro dev` yet; serving the API only", err=True)
    try:
        asyncio.run(run_dev(config, controller=controller, demo=demo, echo=lambda s: click.echo(s)))
    except ManifestError as e:
        raise click.ClickException(str(e)) from e
    except OSError as e:
        raise click.ClickException(f"cannot start the API server: {e}") from e
