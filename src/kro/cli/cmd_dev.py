"""``kro dev``: the embedded control plane and the kro controller on this machine.

It starts the local API server, writes a kubeconfig, prints how to use it, starts the controller
against that kubeconfig (exactly as ``kro controller --kubeconfig`` would), optionally applies and
narrates an example directory (``--demo``), and runs until Ctrl-C or SIGTERM, then shuts down cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import click

from kro import __version__
from kro.api.features import DEFAULT_GATES, FeatureGates
from kro.cli.controlleroptions import LOG_LEVELS, max_graph_revisions_option
from kro.cli.gates import feature_gates_option
from kro.devcluster import DevServer, DevServerConfig
from kro.devcluster.logs import LogBuffer, LogBufferHandler, ProcessPod
from kro.devcluster.manifests import ManifestError, apply_directory
from kro.eventloop import run as run_loop

# Runs the controller against the kubeconfig it is given until cancelled.
ControllerHook = Callable[[Path], Awaitable[None]]


async def run_embedded_controller(
    kubeconfig: Path, *, feature_gates: FeatureGates = DEFAULT_GATES, max_graph_revisions: int = 5
) -> None:
    """The kro controller over HTTP against the local API server, like any cluster's controller.
    Its metrics and health endpoints stay off: ``kro dev`` is one process on a developer's machine."""
    from kro.controller.app import ControllerSettings, run_controller
    from kro.kube import ClusterConfig, KubeClient

    settings = ControllerSettings(
        metrics_bind_address="0",
        health_probe_bind_address="0",
        feature_gates=feature_gates,
        max_graph_revisions=max_graph_revisions,
    )
    async with KubeClient(ClusterConfig.from_kubeconfig(str(kubeconfig))) as client:
        await run_controller(settings, client=client, stop_event=asyncio.Event())


async def narrate_demo(kubeconfig: Path, demo: Path, echo: Callable[[str], None]) -> None:
    """Apply ``demo`` through the API like kubectl would, and follow the instances to ACTIVE."""
    from kro.cli.demo import run_demo
    from kro.kube import ClusterConfig, KubeClient

    async with KubeClient(ClusterConfig.from_kubeconfig(str(kubeconfig))) as client:
        await run_demo(client, demo, echo=echo)


# Exit status after a signal cut the work short, as a shell reports a command a signal ended.
INTERRUPTED = 128


async def run_dev(
    config: DevServerConfig,
    *,
    controller: ControllerHook | None,
    demo: Path | None,
    echo: Callable[[str], None],
    stop: asyncio.Event | None = None,
    exit_after_demo: bool = False,
) -> int:
    """Serve until ``stop`` is set (or SIGINT/SIGTERM arrives), then shut down cleanly.

    Returns the exit status: 0 once the work asked for is done (serving until SIGTERM, or with
    ``exit_after_demo`` the demo ACTIVE); 130 after Ctrl-C (SIGINT); 128 + the signal's number when
    a signal stopped ``exit_after_demo`` before the demo was ACTIVE."""
    stop = stop or asyncio.Event()
    received: list[signal.Signals] = []

    def on_signal(sig: signal.Signals) -> None:
        if not received:
            received.append(sig)
            echo(f"{sig.name}: stopping {'the controller and ' if controller else ''}the API server")
        stop.set()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, on_signal, sig)
    server = DevServer(config)
    await server.start()
    tasks: list[asyncio.Task[None]] = []
    log_handler: logging.Handler | None = None
    try:
        echo(f"kubeconfig: {server.kubeconfig_path}")
        echo(f"export KUBECONFIG={server.kubeconfig_path}")
        if controller is not None:
            log_handler = await _show_controller_pod(server)
            tasks.append(
                asyncio.create_task(
                    _run_controller(controller, server.kubeconfig_path), name="kro-controller"
                )
            )
        if demo is not None and controller is None:
            # no controller to narrate: apply the files as they are, before announcing readiness
            for applied in await apply_directory(server.cluster, demo):
                echo(f"applied {applied}")
        where = f"state in {config.state_dir}" if config.state_dir else "in memory"
        echo(f"ready: API server on {server.url} ({where}); Ctrl-C to stop")
        finished = True
        if demo is not None and controller is not None:
            finished = await _until_stopped(narrate_demo(server.kubeconfig_path, demo, echo), stop)
        if demo is not None and exit_after_demo:
            return _exit_status(received, finished=finished)
        if finished and demo is not None:
            echo(
                f"the example keeps running: try `KUBECONFIG={server.kubeconfig_path} kubectl get all`; Ctrl-C to stop"
            )
        await stop.wait()
        return _exit_status(received, finished=True)
    finally:
        if log_handler is not None:
            logging.getLogger("kro").removeHandler(log_handler)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await server.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)
        if received:
            kept = f"objects kept in {config.state_dir}" if config.state_dir else "objects were in memory"
            echo(f"stopped ({kept})")


def _exit_status(received: list[signal.Signals], *, finished: bool) -> int:
    """0 when the work is done and no Ctrl-C came; 128 + the signal's number otherwise (130 for
    SIGINT), so a script can tell an interrupted ``kro dev`` from a finished one."""
    if not received or (finished and received[0] != signal.SIGINT):
        return 0
    return INTERRUPTED + int(received[0])


CONTROLLER_POD = ProcessPod(
    namespace="kro-system",
    prefix="kro-controller-",
    labels={"app": "kro-controller", "app.kubernetes.io/name": "kro"},
    container="controller",
    image=f"kro:{__version__}",
)


async def _show_controller_pod(server: DevServer) -> logging.Handler:
    """The in-process controller appears as a Running pod in kro-system whose log is the process's
    ``kro`` log records, as the Helm chart's pod would: ``kubectl logs -l app=kro-controller -n kro-system``."""
    buffer = LogBuffer()
    handler = LogBufferHandler(buffer)
    root_handlers = logging.getLogger().handlers
    if root_handlers and root_handlers[0].formatter is not None:
        handler.setFormatter(root_handlers[0].formatter)
    logging.getLogger("kro").addHandler(handler)
    await server.publish_process_pod(CONTROLLER_POD, buffer)
    return handler


async def _until_stopped(work: Awaitable[None], stop: asyncio.Event) -> bool:
    """Run ``work`` unless Ctrl-C comes first; whether it ran to the end."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return False
    task.result()
    return True


async def _run_controller(controller: ControllerHook, kubeconfig: Path) -> None:
    try:
        await controller(kubeconfig)
    except asyncio.CancelledError:
        raise
    except Exception:
        logging.getLogger("kro.dev").exception("the controller stopped with an error")


def _finite_seconds(_ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number of seconds.", param=param)
    return value


@click.command(name="dev")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--kubeconfig",
    "kubeconfig",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the kubeconfig (default: <state dir>/kubeconfig).",
)
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep objects in SQLite here across restarts (default: in memory).",
)
@click.option("--no-controller", is_flag=True, help="Do not run the kro controller.")
@click.option("--no-simulation", is_flag=True, help="Do not simulate workloads (Deployments stay unready).")
@click.option(
    "--pod-ready-delay",
    type=click.FloatRange(min=0.0),
    default=2.0,
    show_default=True,
    callback=_finite_seconds,
    metavar="SECONDS",
    help="Simulation: seconds from a pod's appearance to Running and Ready (a Job's pod: Succeeded), "
    "like a kwok stage delay. A pod is Pending (scheduled on the simulated node, ContainerCreating) "
    "until then; a StatefulSet's next pod waits for the previous one to be Ready. 0: Ready at once.",
)
@click.option("--insecure-http", is_flag=True, help="Serve plain HTTP instead of HTTPS.")
@click.option(
    "--demo",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Apply an example directory (RGDs first, then instances) and narrate what kro does.",
)
@click.option("--exit-after-demo", is_flag=True, help="Stop once the --demo instances are ACTIVE (exit 0).")
@max_graph_revisions_option
@click.option(
    "--log-level",
    type=LOG_LEVELS,
    default="info",
    show_default=True,
    help="Level of the controller's log (standard error, `time level logger: message` lines).",
)
@click.option(
    "--max-requests-inflight",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Reads served at once before the server answers 429 with Retry-After, as kube-apiserver's "
    "flag of the same name (which exempts system:masters; here it applies to every client). 0: no limit.",
)
@click.option(
    "--max-mutating-requests-inflight",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Writes served at once before a 429, as kube-apiserver's flag of the same name. 0: no limit.",
)
@feature_gates_option
def dev(
    port: int,
    kubeconfig: Path | None,
    state_dir: Path | None,
    no_controller: bool,
    no_simulation: bool,
    pod_ready_delay: float,
    insecure_http: bool,
    demo: Path | None,
    exit_after_demo: bool,
    log_level: str,
    max_requests_inflight: int,
    max_mutating_requests_inflight: int,
    feature_gates: FeatureGates,
    rgd_max_graph_revisions: int,
) -> None:
    """Run a local Kubernetes API server and the kro controller: kro with no cluster at all.

    \b
    kro dev                              serve; then: export KUBECONFIG=<printed path>
    kro dev --demo examples/redis        apply the Redis example and follow it to ACTIVE
    kro dev --state-dir .kro-dev         keep every object across restarts (SQLite)
    kro dev --no-controller              only the API server (run `kro controller` yourself)

    Workloads are simulated (like kwok): Deployments, StatefulSets, DaemonSets and Jobs get pods
    that turn Ready after --pod-ready-delay seconds, Services get a cluster IP, PVCs bind. No
    containers run.

    SIGTERM or Ctrl-C stop it cleanly. Exit status: 0 after SIGTERM (or, with --exit-after-demo,
    once the example is ACTIVE), 130 after Ctrl-C, 143 when SIGTERM stops --exit-after-demo first.
    """
    from kro.cli.cmd_controller import configure_logging

    configure_logging("text", log_level, fields=False)
    config = DevServerConfig(
        port=port,
        state_dir=state_dir,
        tls=not insecure_http,
        kubeconfig_path=kubeconfig,
        simulation=not no_simulation,
        pod_ready_delay=pod_ready_delay,
        max_requests_inflight=max_requests_inflight,
        max_mutating_requests_inflight=max_mutating_requests_inflight,
    )
    controller: ControllerHook | None = (
        None
        if no_controller
        else functools.partial(
            run_embedded_controller, feature_gates=feature_gates, max_graph_revisions=rgd_max_graph_revisions
        )
    )
    from kro.cli.demo import DemoError

    try:
        status = run_loop(
            run_dev(
                config,
                controller=controller,
                demo=demo,
                echo=lambda s: click.echo(s),
                exit_after_demo=exit_after_demo,
            )
        )
    except (ManifestError, DemoError) as e:
        raise click.ClickException(str(e)) from e
    except OSError as e:
        raise click.ClickException(f"cannot start the API server: {e}") from e
    sys.exit(status)
