"""The Redis graph of the project's main example (``examples/redis``), compiled for real, and a
helper that plays the API server: it returns what applying a plan would leave in the cluster."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from kro.graph.builder import compile_rgd
from kro.graph.model import Graph
from kro.openapi import BuiltinResolver
from kro.runtime.plan import Plan

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "redis" / "rgd.yaml"


def redis_graph() -> Graph:
    return compile_rgd(yaml.safe_load(EXAMPLE.read_text()), resolver=BuiltinResolver())


def redis_instance(name: str = "session-cache", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "Redis",
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}", "generation": 2},
        "spec": {"replicas": 1, "maxMemory": "512mb", "maxMemoryPolicy": "volatile-lru", **spec},
    }


def as_created(plan: Plan, **status: Any) -> list[dict[str, Any]]:
    """What the API server would hold after applying every object of ``plan``: the bodies with a uid,
    and ``status`` merged into objects of the kinds named (``StatefulSet={...}``)."""
    out = []
    for d in plan.all_applies:
        body = copy.deepcopy(dict(d.body))
        body["metadata"]["uid"] = f"uid-{d.ref.name}-{d.gvk.kind}"
        if d.gvk.kind in status:
            body["status"] = status[d.gvk.kind]
        out.append(body)
    return out
