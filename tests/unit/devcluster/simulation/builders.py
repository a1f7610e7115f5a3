"""Builders for simulation tests: owners, children in a given phase, and a deterministic name maker."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from kro.devcluster.simulation.pods import owner_reference, pod_status

NOW = "2026-01-01T00:00:00Z"
LATER = "2026-01-01T00:05:00Z"


def names() -> Callable[[str], str]:
    counter = itertools.count()
    return lambda prefix: f"{prefix}{next(counter):05d}"


def owner(kind: str, name: str, *, api_version: str = "apps/v1", generation: int = 1, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}", "generation": generation},
        "spec": {"selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "c", "image": "img"}]}},
                 **spec},
    }


def pod(name: str, of: dict[str, Any], phase: str | None = "Running", *, created: str = NOW) -> dict[str, Any]:
    out: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}", "creationTimestamp": created,
                     "ownerReferences": [owner_reference(of)]},
        "spec": {"containers": [{"name": "c", "image": "img"}]},
    }
    if phase is not None:
        out["status"] = pod_status(out, phase, now=NOW)  # type: ignore[arg-type]
    return out
