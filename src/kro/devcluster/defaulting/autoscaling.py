"""Defaults of autoscaling/v2 (``pkg/apis/autoscaling/v2/defaults.go``): ``minReplicas`` 1, a CPU
utilisation target of 80% when no metric is given, and every unset part of a given ``behavior``."""

from __future__ import annotations

import copy
from typing import Any

from kro.devcluster.defaulting.engine import Obj, StructType, one

_CPU_80 = {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}
_SCALE_UP: dict[str, Any] = {
    "stabilizationWindowSeconds": 0,
    "selectPolicy": "Max",
    "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}],
}
_SCALE_DOWN: dict[str, Any] = {
    "stabilizationWindowSeconds": 300,
    "selectPolicy": "Max",
    "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}],
}


def _rules(given: Any, defaults: dict[str, Any]) -> dict[str, Any]:
    rules = dict(given) if isinstance(given, dict) else {}
    for key, value in defaults.items():
        if rules.get(key) is None:
            rules[key] = [dict(p) for p in value] if isinstance(value, list) else value
    return rules


def _hpa_spec(spec: Obj) -> None:
    if spec.get("minReplicas") is None:
        spec["minReplicas"] = 1
    if not spec.get("metrics"):
        spec["metrics"] = [copy.deepcopy(_CPU_80)]
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        behavior["scaleUp"] = _rules(behavior.get("scaleUp"), _SCALE_UP)
        behavior["scaleDown"] = _rules(behavior.get("scaleDown"), _SCALE_DOWN)


TYPES: dict[str, StructType] = {
    "HorizontalPodAutoscaler": StructType(children={"spec": one("HorizontalPodAutoscalerSpec")}),
    "HorizontalPodAutoscalerSpec": StructType(hooks=(_hpa_spec,)),
}

KINDS: dict[str, str] = {"HorizontalPodAutoscaler": "HorizontalPodAutoscaler"}
