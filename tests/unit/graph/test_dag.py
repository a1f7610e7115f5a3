"""The DAG: stable topological order, cycle reports that name a real cycle, deletion waves."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kro.graph.dag import DAG, build_dag
from kro.graph.errors import CycleError


def test_user_order_is_kept_where_edges_allow() -> None:
    dag = build_dag(["c", "b", "a"], {"c": ["a"]})
    assert dag.topological_order() == ("b", "a", "c")


def test_independent_nodes_keep_user_order() -> None:
    dag = build_dag(["z", "y", "x"], {})
    assert dag.topological_order() == ("z", "y", "x")


def test_cycle_is_named_in_full() -> None:
    dag = build_dag(["a", "b", "c"], {"a": ["b"], "b": ["c"], "c": ["a"]})
    with pytest.raises(CycleError) as e:
        dag.topological_order()
    assert str(e.value) == "graph contains a cycle: a -> b -> c -> a"


def test_self_reference_is_a_cycle() -> None:
    with pytest.raises(CycleError, match="a -> a"):
        build_dag(["a"], {"a": ["a"]})


def test_unknown_dependency_raises_key_error() -> None:
    with pytest.raises(KeyError):
        build_dag(["a"], {"a": ["nope"]})


def test_waves_put_dependents_first() -> None:
    dag = build_dag(
        ["config", "sts", "svc", "client"], {"sts": ["config"], "svc": ["sts"], "client": ["sts"]}
    )
    assert dag.waves() == [["svc", "client"], ["sts"], ["config"]]


@st.composite
def dags(draw: st.DrawFn) -> tuple[list[str], dict[str, set[str]]]:
    n = draw(st.integers(min_value=1, max_value=12))
    names = [f"n{i}" for i in range(n)]
    rank = draw(st.permutations(range(n)))  # a hidden order that every edge respects
    edges: dict[str, set[str]] = {v: set() for v in names}
    for i in range(n):
        for j in range(n):
            if rank[j] < rank[i] and draw(st.booleans()):
                edges[names[i]].add(names[j])
    return names, edges


@given(dags())
def test_random_dags_order_respects_every_edge(graph: tuple[list[str], dict[str, set[str]]]) -> None:
    names, edges = graph
    order = build_dag(names, edges).topological_order()
    assert sorted(order) == sorted(names)
    position = {v: i for i, v in enumerate(order)}
    for node, deps in edges.items():
        for dep in deps:
            assert position[dep] < position[node]


@given(dags())
def test_random_dags_waves_delete_dependents_first(graph: tuple[list[str], dict[str, set[str]]]) -> None:
    names, edges = graph
    waves = build_dag(names, edges).waves()
    wave_of = {v: i for i, wave in enumerate(waves) for v in wave}
    for node, deps in edges.items():
        for dep in deps:
            assert wave_of[node] < wave_of[dep]


@given(dags(), st.data())
def test_random_graphs_with_a_cycle_report_a_real_cycle(
    graph: tuple[list[str], dict[str, set[str]]], data: st.DataObject
) -> None:
    names, edges = graph
    # Close a loop through a chain of at least two distinct nodes.
    if len(names) < 2:
        names = [*names, "extra"]
        edges["extra"] = set()
    loop = data.draw(st.lists(st.sampled_from(names), min_size=2, max_size=len(names), unique=True))
    for a, b in zip(loop, [*loop[1:], loop[0]], strict=True):
        edges[a].add(b)
    dag = DAG(names)
    for node, deps in edges.items():
        dag.add_dependencies(node, deps)
    with pytest.raises(CycleError) as e:
        dag.topological_order()
    cycle = e.value.cycle
    assert cycle[0] == cycle[-1] and len(cycle) >= 3
    assert len(set(cycle[:-1])) == len(cycle) - 1
    for a, b in itertools.pairwise(cycle):
        assert b in edges[a], f"{a} -> {b} is not an edge"
