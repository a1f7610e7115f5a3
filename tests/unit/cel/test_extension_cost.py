"""Extending an environment (a ``forEach`` iterator, ``each`` in a collection's ``readyWhen``) reuses
what the parent already resolved, so RGDs with many such resources validate quickly."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from kro.cel import STRING, CELEnvironment


def test_extension_reuses_the_parents_resolved_types(env: CELEnvironment) -> None:
    child = env.extend({"shard": STRING})
    assert child.variables["statefulset"] is env.variables["statefulset"]
    assert child.compile("shard + statefulset.metadata.name").output_type == STRING


def test_a_schema_met_again_gets_the_same_type(env: CELEnvironment, sts_schema: Mapping[str, Any]) -> None:
    child = env.extend({"each": sts_schema})
    assert child.variables["each"].name == env.variables["statefulset"].name


def test_twenty_extensions_over_a_statefulset_stay_cheap(
    env: CELEnvironment, sts_schema: Mapping[str, Any]
) -> None:
    env.extend({"warm": STRING, "each": sts_schema})
    start = time.process_time()
    for i in range(20):
        env.extend({f"shard{i}": STRING, "each": sts_schema})
    # Resolving a whole StatefulSet from scratch costs tens of milliseconds per extension.
    assert time.process_time() - start < 0.3
