"""``kro controller``: run the kro controller against the cluster of a kubeconfig (or in-cluster).

SIGTERM and SIGINT stop it gracefully: no new work is taken, in-flight reconciles finish, informers
and endpoints shut down. The exit status is then 0 after SIGTERM (how a kubelet or a service manager
stops it) and 130 after Ctrl-C (SIGINT), as a shell reports an interrupted command."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from typing import Any

import click

from kro.api.features import FeatureGates
from kro.cli.controlleroptions import LOG_LEVELS, max_graph_revisions_option
from kro.cli.gates import feature_gates_option
from kro.eventloop import run as run_loop

# what every LogRecord carries; anything else on a record came from ``extra=`` and is structure
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The structured fields a log call passed with ``extra=`` (``instance``, ``rgd``, ``state``…)."""
    return {k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the call's structured fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            **record_fields(record),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """The message, then (unless ``fields`` is off) the structured fields as ``key=value``."""

    def __init__(self, *, fields: bool = True) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
        self.fields = fields

    def formatMessage(self, record: logging.LogRecord) -> str:  # before any traceback
        text = super().formatMessage(record)
        if not self.fields:
            return text
        return text + "".join(f" {k}={v}" for k, v in record_fields(record).items())


def configure_logging(fmt: str, level: str, *, fields: bool = True) -> None:
    """Log to standard error: ``json``, or ``text`` (with the structured fields unless ``fields``
    is off: a terminal reader has them in the message already)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter(fields=fields))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


@click.command(name="controller")
@click.option(
    "--kubeconfig",
    type=click.Path(dir_okay=False),
    help="Kubeconfig file (default: $KUBECONFIG, in-cluster, ~/.kube/config).",
)
@click.option("--context", help="The kubeconfig context to use.")
@click.option("--leader-elect", is_flag=True, help="Run only while holding the controller.kro.run lease.")
@click.option("--leader-election-namespace", default="kro-system", show_default=True)
@click.option(
    "--metrics-bind-address", default=":8078", show_default=True, help="HOST:PORT for /metrics; 0 disables."
)
@click.option(
    "--health-probe-bind-address",
    default=":8079",
    show_default=True,
    help="HOST:PORT for /healthz and /readyz; 0 disables.",
)
@click.option(
    "--allow-crd-deletion", is_flag=True, help="Delete an RGD's CRD (and so its instances) with the RGD."
)
@click.option("--log-format", type=click.Choice(["json", "text"]), default="text", show_default=True)
@click.option(
    "--log-level", type=LOG_LEVELS, default="info", show_default=True
)
@click.option(
    "--concurrent-reconciles",
    type=click.IntRange(1, 256),
    default=16,
    show_default=True,
    help="Workers draining the shared work queue: reconciles in flight. Each mostly waits on the API "
    "server, so the default keeps enough in flight that the server, not kro, is the limit.",
)
@click.option(
    "--client-qps",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Client-side limit on API requests per second (token bucket); 0: none, the API server's "
    "priority and fairness paces the controller (429 with Retry-After, which the client honours).",
)
@click.option(
    "--client-burst",
    type=click.IntRange(min=1),
    default=150,
    show_default=True,
    help="Requests the client-side limit lets through at once (only with --client-qps > 0).",
)
@max_graph_revisions_option
@click.option(
    "--instance-requeue-interval",
    type=float,
    default=3.0,
    show_default=True,
    help="Seconds between looks at a converging instance.",
)
@feature_gates_option
def controller(
    kubeconfig: str | None,
    context: str | None,
    leader_elect: bool,
    leader_election_namespace: str,
    metrics_bind_address: str,
    health_probe_bind_address: str,
    allow_crd_deletion: bool,
    log_format: str,
    log_level: str,
    concurrent_reconciles: int,
    client_qps: float,
    client_burst: int,
    rgd_max_graph_revisions: int,
    instance_requeue_interval: float,
    feature_gates: FeatureGates,
) -> None:
    """Run the kro controller against a cluster."""
    from kro.controller.app import ControllerSettings

    configure_logging(log_format, log_level)
    settings = ControllerSettings(
        leader_elect=leader_elect,
        leader_election_namespace=leader_election_namespace,
        metrics_bind_address=metrics_bind_address,
        health_probe_bind_address=health_probe_bind_address,
        allow_crd_deletion=allow_crd_deletion,
        concurrent_reconciles=concurrent_reconciles,
        requeue_interval=instance_requeue_interval,
        feature_gates=feature_gates,
        max_graph_revisions=rgd_max_graph_revisions,
    )
    received: list[signal.Signals] = []
    try:
        run_loop(
            _main(
                settings,
                kubeconfig=kubeconfig,
                context=context,
                qps=client_qps,
                burst=client_burst,
                received=received,
            )
        )
    except KeyboardInterrupt:  # Ctrl-C before the signal handlers were in place
        received.append(signal.SIGINT)
    if received[:1] == [signal.SIGINT]:
        sys.exit(SIGINT_EXIT_STATUS)


# Exit status after a clean stop on Ctrl-C: 128 + SIGINT's number, as a shell reports it.
SIGINT_EXIT_STATUS = 130


async def _main(
    settings: Any,
    *,
    kubeconfig: str | None,
    context: str | None,
    qps: float,
    burst: int,
    received: list[signal.Signals],
) -> None:
    from kro.controller.app import run_controller
    from kro.kube import KubeClient
    from kro.kube.config import ClusterConfig
    from kro.kube.errors import ConfigError

    try:
        config = ClusterConfig.load(kubeconfig, context=context, qps=qps, burst=burst)
    except ConfigError as e:
        raise click.ClickException(str(e)) from e
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal(sig: signal.Signals) -> None:
        received.append(sig)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig)
    async with KubeClient(config) as client:
        await run_controller(settings, client=client, stop_event=stop)
