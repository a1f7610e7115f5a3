"""Request counters: how many API calls a client made, by verb, and how long it was throttled.

Controllers and benchmarks read these to report API requests and writes per reconcile; take a
:meth:`RequestStats.snapshot` before and after and subtract.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

WRITE_VERBS = frozenset({"create", "update", "patch", "apply", "delete", "deletecollection"})


@dataclass
class RequestStats:
    """Counts requests by verb (``get``, ``list``, ``watch``, ``create``, ``update``, ``patch``,
    ``apply``, ``delete``, ``deletecollection``, ``discovery``) and by outcome."""

    by_verb: Counter[str] = field(default_factory=Counter)
    by_resource: Counter[tuple[str, str]] = field(default_factory=Counter)
    """``(verb, resource)`` → requests; ``resource`` as ``plural[.group][/subresource]``
    (``configmaps``, ``statefulsets.apps``, ``redis.kro.run/status``), empty for other paths."""
    errors_by_status: Counter[int] = field(default_factory=Counter)
    throttled_seconds: float = 0.0
    retries_429: int = 0
    transport_errors: int = 0

    def record(self, verb: str, resource: str = "") -> None:
        self.by_verb[verb] += 1
        self.by_resource[(verb, resource)] += 1

    @property
    def requests(self) -> int:
        return sum(self.by_verb.values())

    @property
    def writes(self) -> int:
        return sum(n for verb, n in self.by_verb.items() if verb in WRITE_VERBS)

    def snapshot(self) -> dict[str, int]:
        """A plain copy of the per-verb counts plus ``requests`` and ``writes`` totals."""
        out = dict(self.by_verb)
        out["requests"] = self.requests
        out["writes"] = self.writes
        return out

    def reset(self) -> None:
        self.by_verb.clear()
        self.by_resource.clear()
        self.errors_by_status.clear()
        self.throttled_seconds = 0.0
        self.retries_429 = 0
        self.transport_errors = 0


def resource_of(path: str) -> str:
    """``/apis/apps/v1/namespaces/ns/statefulsets/x/status`` → ``statefulsets.apps/status``;
    ``/api/v1/configmaps`` → ``configmaps``; ``""`` for paths that name no resource."""
    parts = [p for p in path.split("?", 1)[0].split("/") if p]
    if len(parts) >= 3 and parts[0] == "api":
        group, rest = "", parts[2:]
    elif len(parts) >= 4 and parts[0] == "apis":
        group, rest = parts[1], parts[3:]
    else:
        return ""
    if rest[0] == "namespaces" and len(rest) >= 3:
        rest = rest[2:]
    name = rest[0] + (f".{group}" if group else "")
    return name + (f"/{rest[2]}" if len(rest) >= 3 else "")
