"""Compiler and evaluation speed: ``python benchmarks/bench_compile.py [--runs N]``.

* validating a generated 20-resource RGD (ConfigMaps, Deployments and Services wired by
  expressions; every expression type-checked against the built-in schemas), median of N runs after
  a warm-up run (which also loads the built-in schemas once per process); goal < 150 ms;
* validating a generated RGD of 10 ``forEach`` StatefulSets (each with its own iterator and a
  ``readyWhen`` on ``each``, so every resource extends the environment twice), median of N runs;
  goal < 250 ms;
* evaluating ``statefulset.status.readyReplicas >= 1`` on a plain dict, median per call; goal < 10 µs.

Deterministic input; prints a small table. Exits 1 when a goal is missed (with ``--check``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any

from kro.graph.builder import compile_rgd
from kro.openapi import BuiltinResolver

GOAL_COMPILE_MS = 150.0
GOAL_EVAL_US = 10.0
GOAL_FOR_EACH_MS = 250.0


def generated_rgd(size: int = 20) -> dict[str, Any]:
    """``size`` resources in groups of three (ConfigMap → Deployment → Service), each group reading
    the previous one, plus a status block."""
    resources: list[dict[str, Any]] = []
    for i in range(size):
        group, role = divmod(i, 3)
        prev = f"svc{group - 1}" if group else None
        if role == 0:
            data = {"owner": "${schema.metadata.name}", "tier": "${schema.spec.tier}"}
            if prev:
                data["upstream"] = "${" + prev + ".metadata.name}"
            tpl = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": f"${{schema.metadata.name}}-cm{group}"},
                "data": data,
            }
            resources.append({"id": f"cm{group}", "template": tpl})
        elif role == 1:
            resources.append(
                {
                    "id": f"app{group}",
                    "readyWhen": [f"${{app{group}.status.availableReplicas >= 1}}"],
                    "template": _deployment(group),
                }
            )
        else:
            tpl = {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": f"${{app{group}.metadata.name}}"},
                "spec": {
                    "selector": f"${{app{group}.spec.selector.matchLabels}}",
                    "ports": [{"port": 80, "targetPort": "${schema.spec.port}"}],
                },
            }
            resources.append({"id": f"svc{group}", "template": tpl})
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "bench"},
        "spec": {
            "schema": {
                "apiVersion": "v1alpha1",
                "kind": "Bench",
                "spec": {
                    "replicas": "integer | default=1",
                    "tier": "string | default=web",
                    "port": "integer | default=8080",
                    "image": "string | default=nginx",
                },
                "status": {
                    "ready": "${app0.status.availableReplicas >= 1}",
                    "endpoint": "${svc0.spec.clusterIP}",
                },
            },
            "resources": resources,
        },
    }


def for_each_rgd(size: int = 10) -> dict[str, Any]:
    """``size`` StatefulSets, each expanded over its own list and ready when every item is."""
    doc = generated_rgd(0)
    doc["spec"]["schema"]["spec"] = {"shards": '[]string | default=["a","b"]'}
    doc["spec"]["schema"]["status"] = {}
    doc["spec"]["resources"] = [
        {
            "id": f"sts{i}",
            "forEach": [{f"shard{i}": "${schema.spec.shards}"}],
            "readyWhen": ["${each.status.readyReplicas == each.spec.replicas}"],
            "template": {
                "apiVersion": "apps/v1",
                "kind": "StatefulSet",
                "metadata": {"name": f"${{schema.metadata.name}}-{i}-${{shard{i}}}"},
                "spec": {
                    "serviceName": f"${{shard{i}}}",
                    "selector": {"matchLabels": {"shard": f"${{shard{i}}}"}},
                    "template": {
                        "metadata": {"labels": {"shard": f"${{shard{i}}}"}},
                        "spec": {"containers": [{"name": "main", "image": "redis"}]},
                    },
                },
            },
        }
        for i in range(size)
    ]
    return doc


def _deployment(group: int) -> dict[str, Any]:
    labels = {"app": f"${{schema.metadata.name}}-{group}"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"${{schema.metadata.name}}-app{group}"},
        "spec": {
            "replicas": "${schema.spec.replicas}",
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "main",
                            "image": "${schema.spec.image}",
                            "ports": [{"containerPort": "${schema.spec.port}"}],
                            "envFrom": [{"configMapRef": {"name": f"${{cm{group}.metadata.name}}"}}],
                        }
                    ]
                },
            },
        },
    }


def bench_compile(runs: int, doc: dict[str, Any]) -> tuple[float, float, int]:
    resolver = BuiltinResolver()
    start = time.perf_counter()
    graph = compile_rgd(doc, resolver=resolver)
    first = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        compile_rgd(doc, resolver=resolver)
        times.append((time.perf_counter() - start) * 1000)
    return first, statistics.median(times), len(graph.nodes)


def bench_eval(calls: int) -> float:
    doc = generated_rgd(0)
    doc["spec"]["resources"] = [
        {
            "id": "statefulset",
            "readyWhen": ["${statefulset.status.readyReplicas >= 1}"],
            "template": {
                "apiVersion": "apps/v1",
                "kind": "StatefulSet",
                "metadata": {"name": "${schema.metadata.name}"},
            },
        }
    ]
    doc["spec"]["schema"]["status"] = {}
    graph = compile_rgd(doc, resolver=BuiltinResolver())
    (expr,) = graph.nodes["statefulset"].ready_when
    bindings = {
        "statefulset": {"metadata": {"name": "x"}, "spec": {"replicas": 3}, "status": {"readyReplicas": 2}}
    }
    assert expr.evaluate(bindings) is True
    samples = []
    for _ in range(15):
        start = time.perf_counter()
        for _ in range(calls):
            expr.evaluate(bindings)
        samples.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="compile runs after the warm-up (default 15)")
    parser.add_argument("--calls", type=int, default=2000, help="evaluations per sample (default 2000)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()
    first, median_ms, nodes = bench_compile(args.runs, generated_rgd())
    _, for_each_ms, for_each_nodes = bench_compile(args.runs, for_each_rgd())
    eval_us = bench_eval(args.calls)
    rows = [
        (f"validate {nodes}-resource RGD (first, loads schemas)", f"{first:8.1f} ms", ""),
        (
            f"validate {nodes}-resource RGD (median of {args.runs})",
            f"{median_ms:8.1f} ms",
            f"< {GOAL_COMPILE_MS:.0f} ms",
        ),
        (
            f"validate {for_each_nodes} forEach StatefulSets (median of {args.runs})",
            f"{for_each_ms:8.1f} ms",
            f"< {GOAL_FOR_EACH_MS:.0f} ms",
        ),
        ("evaluate statefulset.status.readyReplicas >= 1", f"{eval_us:8.2f} µs", f"< {GOAL_EVAL_US:.0f} µs"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  {'result':>11}  goal")
    for name, value, goal in rows:
        print(f"{name:<{width}}  {value:>11}  {goal}")
    missed = median_ms >= GOAL_COMPILE_MS or for_each_ms >= GOAL_FOR_EACH_MS or eval_us >= GOAL_EVAL_US
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
