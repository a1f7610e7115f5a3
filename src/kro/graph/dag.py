"""The dependency graph of an RGD's resources: stable topological order, cycles, deletion waves.

Order is Kahn's algorithm with a min-heap keyed on (position in the RGD, id): among the nodes whose
dependencies are all placed, the one the user wrote first goes first, so the user's order is kept
wherever the edges allow it. A cycle is reported as the full closed path, ``a -> b -> a``.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence

from kro.graph.errors import CycleError


class DAG:
    """Vertices in user order, and edges ``node -> dependency``."""

    def __init__(self, vertices: Sequence[str]) -> None:
        if len(set(vertices)) != len(vertices):
            raise ValueError("duplicate vertex")
        self._index = {v: i for i, v in enumerate(vertices)}
        self._deps: dict[str, set[str]] = {v: set() for v in vertices}

    @property
    def vertices(self) -> tuple[str, ...]:
        return tuple(self._deps)

    def add_dependencies(self, node: str, dependencies: Iterable[str]) -> None:
        """``node`` depends on each of ``dependencies`` (unknown ids raise ``KeyError``)."""
        for dep in dependencies:
            if dep not in self._deps:
                raise KeyError(dep)
            if dep == node:
                raise CycleError((node, node))
            self._deps[node].add(dep)

    def dependencies(self, node: str) -> frozenset[str]:
        return frozenset(self._deps[node])

    def dependents(self, node: str) -> frozenset[str]:
        return frozenset(v for v, deps in self._deps.items() if node in deps)

    def topological_order(self) -> tuple[str, ...]:
        """Dependencies before dependents, user order kept where possible; raises
        :class:`CycleError` naming one cycle when there is no such order."""
        missing = {v: len(deps) for v, deps in self._deps.items()}
        dependents: dict[str, list[str]] = {v: [] for v in self._deps}
        for v, deps in self._deps.items():
            for d in deps:
                dependents[d].append(v)
        heap = [(self._index[v], v) for v, n in missing.items() if n == 0]
        heapq.heapify(heap)
        order: list[str] = []
        while heap:
            _, v = heapq.heappop(heap)
            order.append(v)
            for w in dependents[v]:
                missing[w] -= 1
                if missing[w] == 0:
                    heapq.heappush(heap, (self._index[w], w))
        if len(order) != len(self._deps):
            raise CycleError(self._find_cycle({v for v, n in missing.items() if n > 0}))
        return tuple(order)

    def _find_cycle(self, stuck: set[str]) -> list[str]:
        """A closed path among the vertices Kahn could not place. Every stuck vertex has a stuck
        dependency, so walking dependencies from any of them must revisit a vertex."""
        start = min(stuck, key=self._index.__getitem__)
        path: list[str] = [start]
        seen = {start: 0}
        v = start
        while True:
            v = min((d for d in self._deps[v] if d in stuck), key=self._index.__getitem__)
            if v in seen:
                cycle = path[seen[v] :]
                # follow edges the way users read them: a depends on b → "a -> b"
                return [*cycle, v]
            seen[v] = len(path)
            path.append(v)

    def waves(self) -> list[list[str]]:
        """Reverse-topological layers for deletion: wave 0 holds the nodes nothing depends on; a
        node's wave is after every wave holding one of its dependents."""
        order = self.topological_order()
        level: dict[str, int] = {}
        for v in reversed(order):
            level[v] = max((level[d] + 1 for d in self.dependents(v)), default=0)
        out: list[list[str]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
        for v in order:
            out[level[v]].append(v)
        return out


def build_dag(vertices: Sequence[str], edges: Mapping[str, Iterable[str]]) -> DAG:
    dag = DAG(vertices)
    for node, deps in edges.items():
        dag.add_dependencies(node, deps)
    return dag
