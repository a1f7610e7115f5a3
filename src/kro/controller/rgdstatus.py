"""The status the RGD controller writes on a ResourceGraphDefinition.

``state`` is Active exactly when GraphAccepted, KindReady and ControllerReady are all True; ``Ready``
aggregates those and GraphRevisionsResolved. ``resources`` lists only the nodes that have
dependencies; ``lastIssuedRevision`` is the highest graph revision number ever issued for the RGD."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kro.api.conditions import ConditionType, RGDState
from kro.graph.model import Graph
from kro.runtime import conditions as cond

_ORDER = {
    t.value: i
    for i, t in enumerate(
        (
            ConditionType.GRAPH_ACCEPTED,
            ConditionType.GRAPH_REVISIONS_RESOLVED,
            ConditionType.KIND_READY,
            ConditionType.CONTROLLER_READY,
        )
    )
}
_SERVING = {ConditionType.GRAPH_ACCEPTED.value, ConditionType.KIND_READY.value, ConditionType.CONTROLLER_READY.value}


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
    last_issued: int = 0,
) -> dict[str, Any]:
    """``parts``: GraphRevisionsResolved, GraphAccepted, KindReady and ControllerReady. They are
    written GraphAccepted first, so that ``Ready``, which copies the first unhealthy one, carries the
    compiler's errors when the spec does not compile."""
    parts = sorted(parts, key=lambda c: _ORDER.get(c.type, len(_ORDER)))
    ready = cond.aggregate_ready(parts)
    meta = rgd.get("metadata") or {}
    previous = (rgd.get("status") or {}).get("conditions") or []
    generation = meta.get("generation")
    serving = [c for c in parts if c.type in _SERVING]
    active = len(serving) == len(_SERVING) and all(c.status == "True" for c in serving)
    out: dict[str, Any] = {
        "state": (RGDState.ACTIVE if active else RGDState.INACTIVE).value,
        "conditions": cond.render(
            [*parts, ready],
            previous=previous,
            now=now,
            generation=generation if isinstance(generation, int) else None,
        ),
    }
    if graph is not None:
        out.update(graph_summary(graph))
    if last_issued > 0:
        out["lastIssuedRevision"] = last_issued
    return out
