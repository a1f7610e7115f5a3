"""``--feature-gates``: the option ``kro controller``, ``kro dev``, ``kro validate`` and ``kro install``
share, parsed into :class:`kro.api.features.FeatureGates`.

Its ``--help`` lists every gate with its stage and default; a value that names an unknown gate or
is not ``Name=true|false`` is a usage error (exit status 2) that names the offending item.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from kro.api.features import DEFAULT_GATES, KNOWN_GATES, FeatureGateError, FeatureGates, parse_feature_gates

F = TypeVar("F", bound=Callable[..., Any])


def gates_help() -> str:
    """The option's help: the syntax, then one line per known gate."""
    lines = [
        "Comma-separated Name=true|false pairs switching features on or off, as in every Kubernetes "
        "component (e.g. --feature-gates=InstanceConditionEvents=true). Known gates:"
    ]
    for spec in sorted(KNOWN_GATES.values(), key=lambda s: s.name):
        default = "true" if spec.default else "false"
        lines.append(f"{spec.name} ({spec.stage.value}, default {default}): {spec.description}.")
    return "\n\n".join(lines)


class FeatureGatesType(click.ParamType[FeatureGates]):
    """``Name=bool,…`` → :class:`FeatureGates`; bad input fails with the gate it names."""

    name = "Name=bool,..."

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> FeatureGates:
        if isinstance(value, FeatureGates):
            return value
        try:
            return parse_feature_gates(str(value))
        except FeatureGateError as e:
            self.fail(str(e), param, ctx)


FEATURE_GATES = FeatureGatesType()


def feature_gates_option(f: F) -> F:
    """Decorate a command with ``--feature-gates`` (parameter ``feature_gates: FeatureGates``)."""
    return click.option(
        "--feature-gates",
        "feature_gates",
        type=FEATURE_GATES,
        default="",
        help=gates_help(),
        metavar="Name=bool,...",
    )(f)


__all__ = ["DEFAULT_GATES", "FEATURE_GATES", "feature_gates_option", "gates_help"]
