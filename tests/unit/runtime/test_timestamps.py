"""``date-time`` and ``duration`` fields are CEL timestamps and durations, through the real compiler
and planner: upstream's Job example (``readyWhen: ${job.status.completionTime != null}``) and
timestamp arithmetic in status fields."""

from __future__ import annotations

from typing import Any

import pytest

from kro.api.conditions import InstanceState, NodeState
from kro.graph.errors import CompileFailed
from kro.runtime.observed import Snapshot
from kro.runtime.planner import plan_instance

from .graphs import compiled, instance, resource
from .redis import as_created

V = "0.1.0"

JOB = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "${schema.spec.name}"},
    "spec": {
        "template": {
            "spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "pi", "image": "perl", "command": ["perl", "-e", "print 1"]}],
            }
        }
    },
}


def job_graph(**status: str) -> Any:
    return compiled(
        [resource("job", JOB, ready_when=["${job.status.completionTime != null}"])],
        spec={"name": "string | default=pi"},
        status=status,
    )


def test_job_is_ready_once_it_has_a_completion_time() -> None:
    g = job_graph(took="${job.status.completionTime - job.status.startTime}")
    inst = instance(spec={"name": "pi"})
    first = plan_instance(g, inst, Snapshot(), kro_version=V)
    running = as_created(first, Job={"startTime": "2026-01-01T00:00:00Z", "active": 1})
    waiting = plan_instance(g, inst, Snapshot(running), kro_version=V)
    assert waiting.nodes["job"].state is NodeState.WAITING_FOR_READINESS
    assert waiting.state is not InstanceState.ACTIVE
    done = as_created(
        first,
        Job={"startTime": "2026-01-01T00:00:00Z", "completionTime": "2026-01-01T00:01:30.5Z", "succeeded": 1},
    )
    plan = plan_instance(g, inst, Snapshot(done), kro_version=V)
    assert plan.nodes["job"].state is NodeState.SYNCED
    assert plan.state is InstanceState.ACTIVE
    assert plan.status["took"] == "90.5s"


def test_timestamp_and_duration_arithmetic_and_comparison() -> None:
    g = job_graph(
        finishedAfter="${job.status.completionTime > timestamp('2025-12-31T23:59:59Z')}",
        deadline="${job.status.startTime + duration('1h')}",
        slow="${job.status.completionTime - job.status.startTime > duration('1m')}",
    )
    inst = instance(spec={"name": "pi"})
    first = plan_instance(g, inst, Snapshot(), kro_version=V)
    done = as_created(
        first, Job={"startTime": "2026-01-01T00:00:00Z", "completionTime": "2026-01-01T00:00:30Z"}
    )
    plan = plan_instance(g, inst, Snapshot(done), kro_version=V)
    assert plan.status["finishedAfter"] is True
    assert plan.status["deadline"] == "2026-01-01T01:00:00Z"
    assert plan.status["slow"] is False
    crd_status = g.crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]
    assert crd_status["properties"]["deadline"] == {"type": "string", "format": "date-time"}


def test_null_comparison_where_the_checker_allows_it_and_not_on_plain_strings() -> None:
    job_graph(hasStatus="${job.status != null}", started="${job.status.startTime == null}")
    with pytest.raises(CompileFailed, match="_!=_"):
        job_graph(bad="${job.metadata.name != null}")
