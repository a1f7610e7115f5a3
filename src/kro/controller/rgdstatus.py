"""The status the RGD controller writes on a ResourceGraphDefinition.

``state`` is Active exactly when GraphAccepted, KindReady and ControllerReady are all True; ``Ready``
aggregates them. ``resources`` lists only the nodes that have dependencies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kro.api.conditions import RGDState
from kro.graph.model import Graph
from kro.runtime import conditions as cond


def graph_summary(graph: Graph) -> dict[str, Any]:
    return {
        "topologicalOrder": list(graph.topological_order),
        "resources": [
            {"id": node_id, "dependencies": [{"id": d} for d in sorted(graph.nodes[node_id].dependencies)]}
            for node_id in graph.topological_order
            if graph.nodes[node_id].dependencies
        ],
    }


def rgd_status(
    rgd: Mapping[str, Any],
    parts: Sequence[cond.Condition],
    *,
    graph: Graph | None,
    now: str,
) -> dict[str, Any]:
    """``parts``: GraphAccepted, KindReady and ControllerReady, in that order."""
    ready = cond.aggregate_ready(parts)
    meta = rgd.get("metadata") or {}
    previous = (rgd.get("status") or {}).get("conditions") or []
    generation = meta.get("generation")
    state = RGDState.ACTIVE if ready.status == "True" else RGDState.INACTIVE
    out: dict[str, Any] = {
        "state": state.value,
        "conditions": cond.render(
            [*parts, ready],
            previous=previous,
            now=now,
            generation=generation if isinstance(generation, int) else None,
        ),
    }
    if graph is not None:
        out.update(graph_summary(graph))
    return out
