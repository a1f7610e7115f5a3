"""Cycles among custom types: ``Node: {children: "[]Node"}`` can never be written as a finite
OpenAPI schema, so every cycle is found and named (``A -> B -> A``) rather than recursed into."""

from __future__ import annotations

from collections.abc import Mapping, Set


def find_cycles(deps: Mapping[str, Set[str]]) -> list[list[str]]:
    """Each distinct cycle once, as the path that closes it (``["A", "B", "A"]``), in a stable order:
    names are visited alphabetically, and a cycle starts at its alphabetically first member."""
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    done: set[str] = set()
    for root in sorted(deps):
        if root in done:
            continue
        # Iterative depth-first search: a long chain of types must not exhaust the stack.
        stack: list[tuple[str, list[str]]] = [(root, sorted(deps.get(root, ())))]
        on_path = [root]
        while stack:
            node, pending = stack[-1]
            if not pending:
                stack.pop()
                on_path.pop()
                done.add(node)
                continue
            nxt = pending.pop(0)
            if nxt in on_path:
                cycle = on_path[on_path.index(nxt) :]
                key = frozenset(cycle)
                if key not in seen:
                    seen.add(key)
                    start = cycle.index(min(cycle))
                    ordered = cycle[start:] + cycle[:start]
                    cycles.append([*ordered, ordered[0]])
            elif nxt not in done and nxt in deps:
                stack.append((nxt, sorted(deps[nxt])))
                on_path.append(nxt)
    return cycles


def dependency_order(deps: Mapping[str, Set[str]]) -> list[str]:
    """Every name after the names it depends on (members of a cycle in an arbitrary place), so that
    building in this order never needs to recurse into another type."""
    order: list[str] = []
    placed: set[str] = set()
    for root in sorted(deps):
        stack: list[tuple[str, list[str]]] = [(root, sorted(deps.get(root, ())))]
        entered = {root}
        while stack:
            node, pending = stack[-1]
            nxt = next((d for d in pending if d in deps and d not in placed and d not in entered), None)
            if nxt is None:
                stack.pop()
                if node not in placed:
                    placed.add(node)
                    order.append(node)
                continue
            pending.remove(nxt)
            entered.add(nxt)
            stack.append((nxt, sorted(deps[nxt])))
    return order
