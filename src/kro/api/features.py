"""Feature gates, named and defaulted as upstream kro names them (``pkg/features``).

A gate is a named switch for behaviour that is not on by default. ``--feature-gates`` takes the
same syntax as every Kubernetes component: ``Name=true,Other=false``. Unknown names and values
that are not booleans are errors, so a typo never silently leaves a gate off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum


class Stage(Enum):
    ALPHA = "Alpha"
    BETA = "Beta"
    GA = "GA"


@dataclass(frozen=True)
class GateSpec:
    name: str
    default: bool
    stage: Stage
    description: str


CEL_OMIT_FUNCTION = "CELOmitFunction"
INSTANCE_CONDITION_EVENTS = "InstanceConditionEvents"
INSTANCE_CONDITION_METRICS = "InstanceConditionMetrics"

KNOWN_GATES: Mapping[str, GateSpec] = {
    g.name: g
    for g in (
        GateSpec(
            CEL_OMIT_FUNCTION,
            False,
            Stage.ALPHA,
            "templates may use omit() to leave a field out of the applied object",
        ),
        GateSpec(
            INSTANCE_CONDITION_EVENTS,
            False,
            Stage.ALPHA,
            "emit a Normal Event on an instance for every state or condition transition",
        ),
        GateSpec(
            INSTANCE_CONDITION_METRICS,
            False,
            Stage.ALPHA,
            "export how long each instance condition has held its current status",
        ),
    )
}


class FeatureGateError(ValueError):
    """A ``--feature-gates`` value that names an unknown gate or is not ``Name=bool``."""


@dataclass(frozen=True)
class FeatureGates:
    """The resolved value of every known gate (defaults filled in)."""

    overrides: Mapping[str, bool] = field(default_factory=dict)

    def enabled(self, name: str) -> bool:
        if name not in KNOWN_GATES:
            raise FeatureGateError(f"unknown feature gate {name!r}")
        return self.overrides.get(name, KNOWN_GATES[name].default)

    def __str__(self) -> str:
        return ",".join(f"{n}={str(self.enabled(n)).lower()}" for n in sorted(KNOWN_GATES))


DEFAULT_GATES = FeatureGates()


def parse_feature_gates(text: str | None) -> FeatureGates:
    """Parse ``Name=true,Other=false`` (whitespace around items is ignored; empty means defaults)."""
    overrides: dict[str, bool] = {}
    for raw in (text or "").split(","):
        item = raw.strip()
        if not item:
            continue
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip().lower()
        if not sep or value not in ("true", "false"):
            raise FeatureGateError(f"invalid feature gate {item!r}: want Name=true or Name=false")
        if name not in KNOWN_GATES:
            known = ", ".join(sorted(KNOWN_GATES))
            raise FeatureGateError(f"unknown feature gate {name!r} (known: {known})")
        overrides[name] = value == "true"
    return FeatureGates(overrides)
