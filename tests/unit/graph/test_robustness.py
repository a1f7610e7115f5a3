"""Malformed RGDs give diagnostics, never a crash: any value anywhere in a valid RGD replaced by
something of another shape must end in a Graph or in CompileFailed."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kro.graph.builder import compile_rgd
from kro.graph.errors import CompileFailed
from tests.unit.graph.builders import RESOLVER

REDIS = yaml.safe_load(
    (Path(__file__).resolve().parents[3] / "examples" / "sharded-redis" / "rgd.yaml").read_text()
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*path, i))
    return out


PATHS = [p for p in _paths(REDIS) if p]
JUNK = st.one_of(
    st.none(),
    st.integers(),
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from(["${", "${}", "${schema.spec.nope}", "${1 +}", "${shards}", "${config.metadata.name}"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), JUNK)
def test_any_replacement_compiles_or_reports(path: tuple[Any, ...], junk: Any) -> None:
    doc = copy.deepcopy(REDIS)
    node = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = junk
    try:
        compile_rgd(doc, resolver=RESOLVER)
    except CompileFailed as e:
        assert e.diagnostics and all(d.message for d in e.diagnostics)
