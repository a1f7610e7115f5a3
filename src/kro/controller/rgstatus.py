"""The status the ResourceGraph controller writes on a ResourceGraph: ``state`` (Active when the
graph compiles and its roots are served with it), conditions ``GraphAccepted`` and ``Ready``, the
topological order, and counts of its roots (matched, synced, failing) with the first few failing
roots named and why."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kro.api.conditions import RGDState
from kro.api.resourcegraph import FAILING_ROOTS_SHOWN
from kro.controller.roots import FAILING, SYNCED, RootResult
from kro.graph.resourcegraph import CompiledResourceGraph
from kro.runtime import conditions as cond


def root_counts(
    matched: Iterable[tuple[str, str]], results: Mapping[tuple[str, str], RootResult]
) -> tuple[dict[str, int], list[dict[str, str]]]:
    """``status.roots`` and ``status.failingRoots`` of the roots ``matched`` (namespace, name)."""
    keys = sorted(set(matched))
    counts = {"matched": len(keys), "synced": 0, "failing": 0}
    failing: list[dict[str, str]] = []
    for key in keys:
        result = results.get(key)
        if result is None:
            continue
        if result.state == SYNCED:
            counts["synced"] += 1
        elif result.state == FAILING:
            counts["failing"] += 1
            if len(failing) < FAILING_ROOTS_SHOWN:
                entry = {"name": key[1], "child": result.child, "message": result.message}
                failing.append({"namespace": key[0], **entry} if key[0] else entry)
    return counts, failing


def rg_status(
    rg: Mapping[str, Any],
    parts: Sequence[cond.Condition],
    *,
    served: CompiledResourceGraph | None,
    accepted_generation: int | None,
    roots: tuple[dict[str, int], list[dict[str, str]]],
    now: str,
) -> dict[str, Any]:
    """``parts``: GraphAccepted (and whatever else says whether roots are served)."""
    ready = cond.aggregate_ready(parts)
    generation = (rg.get("metadata") or {}).get("generation")
    previous = (rg.get("status") or {}).get("conditions") or []
    out: dict[str, Any] = {
        "state": (RGDState.ACTIVE if ready.status == "True" else RGDState.INACTIVE).value,
        "conditions": cond.render(
            [*parts, ready],
            previous=previous,
            now=now,
            generation=generation if isinstance(generation, int) else None,
        ),
    }
    if served is not None:
        out["topologicalOrder"] = list(served.graph.topological_order)
        out["rootVersion"] = served.root_gvk.version
    if accepted_generation is not None:
        out["acceptedGeneration"] = accepted_generation
    counts, failing = roots
    out["roots"] = counts
    if failing:
        out["failingRoots"] = failing
    return out
