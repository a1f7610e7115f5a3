"""Simulated HorizontalPodAutoscaler controller (``autoscaling/v2``).

No metrics exist here, so only the bounds act, as in kube-controller-manager's HPA controller when
the target's replica count is outside them: a target below ``minReplicas`` (default 1) is scaled up
to it, one above ``maxReplicas`` down to it; a target at zero replicas has scaling disabled. Inside
the bounds the replica count is left alone and ``ScalingActive`` says the metrics are unavailable.
The HPA's status (currentReplicas, desiredReplicas, lastScaleTime, conditions) is filled as the
real controller fills it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kro.devcluster.simulation.plan import condition, generation_of

HPAS = "horizontalpodautoscalers.autoscaling"


@dataclass(frozen=True)
class HPAPlan:
    scale_to: int | None  # the target's new replica count, None to leave it
    status: dict[str, Any]


def target_missing(hpa: Mapping[str, Any], why: str, *, now: str) -> dict[str, Any]:
    old = hpa.get("status") or {}
    previous = old.get("conditions") or []
    return {
        **_counts(hpa, int(old.get("currentReplicas") or 0), int(old.get("desiredReplicas") or 0)),
        "conditions": [
            condition(previous, "AbleToScale", False, "FailedGetScale",
                      f"the HPA controller was unable to get the target's current scale: {why}", now=now),
        ],
    }


def plan_hpa(hpa: Mapping[str, Any], current: int, *, now: str) -> HPAPlan:
    """``current``: the target's ``spec.replicas`` as its scale subresource reports it."""
    spec = hpa.get("spec") or {}
    minimum = int(spec.get("minReplicas") or 1)
    maximum = int(spec.get("maxReplicas") or minimum)
    old = hpa.get("status") or {}
    previous = old.get("conditions") or []
    if current == 0 and minimum != 0:
        conditions = [
            condition(previous, "AbleToScale", True, "SucceededGetScale",
                      "the HPA controller was able to get the target's current scale", now=now),
            condition(previous, "ScalingActive", False, "ScalingDisabled",
                      "scaling is disabled since the replica count of the target is zero", now=now),
        ]
        return HPAPlan(None, {**_counts(hpa, current, 0, old.get("lastScaleTime")), "conditions": conditions})
    if current > maximum or current < minimum:
        desired = maximum if current > maximum else minimum
        too_many = current > maximum
        conditions = [
            condition(previous, "AbleToScale", True, "SucceededRescale",
                      f"the HPA controller was able to update the target scale to {desired}", now=now),
            condition(previous, "ScalingActive", True, "ValidMetricFound",
                      "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)",
                      now=now),
            condition(previous, "ScalingLimited", True, "TooManyReplicas" if too_many else "TooFewReplicas",
                      f"the desired replica count is {'more' if too_many else 'less'} than the "
                      f"{'maximum' if too_many else 'minimum'} replica count", now=now),
        ]
        return HPAPlan(desired, {**_counts(hpa, current, desired, now), "conditions": conditions})
    conditions = [
        condition(previous, "AbleToScale", True, "SucceededGetScale",
                  "the HPA controller was able to get the target's current scale", now=now),
        condition(previous, "ScalingActive", False, "FailedGetResourceMetric",
                  "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get "
                  "metrics for resource cpu: no metrics returned from resource metrics API", now=now),
    ]
    limited = [c for c in previous if c.get("type") == "ScalingLimited"]
    if limited:
        conditions.append(condition(previous, "ScalingLimited", False, "DesiredWithinRange",
                                    "the desired count is within the acceptable range", now=now))
    return HPAPlan(None, {**_counts(hpa, current, current, old.get("lastScaleTime")), "conditions": conditions})


def _counts(hpa: Mapping[str, Any], current: int, desired: int, scaled_at: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"observedGeneration": generation_of(hpa)}
    if scaled_at:
        out["lastScaleTime"] = scaled_at
    out["currentReplicas"] = current
    out["desiredReplicas"] = desired
    return out


def target_key(hpa: Mapping[str, Any]) -> tuple[str, str, str]:
    """(apiVersion, kind, name) of the HPA's scale target."""
    ref = (hpa.get("spec") or {}).get("scaleTargetRef") or {}
    return str(ref.get("apiVersion") or ""), str(ref.get("kind") or ""), str(ref.get("name") or "")
