"""Options ``kro controller`` and ``kro dev`` share because both run the controller.

One definition each, so the two commands cannot drift apart in name, range, default or help; the
defaults are the controller's own (:class:`kro.controller.app.ControllerSettings`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from kro.controller.app import ControllerSettings

F = TypeVar("F", bound=Callable[..., Any])

LOG_LEVELS = click.Choice(["debug", "info", "warning", "error"])


def max_graph_revisions_option(f: F) -> F:
    """Decorate a command with ``--rgd-max-graph-revisions`` (parameter ``rgd_max_graph_revisions``)."""
    return click.option(
        "--rgd-max-graph-revisions",
        type=click.IntRange(min=0),
        default=ControllerSettings.max_graph_revisions,
        show_default=True,
        help="GraphRevisions the controller keeps per RGD; the one serving instances is always kept "
        "(0: keep all).",
    )(f)
