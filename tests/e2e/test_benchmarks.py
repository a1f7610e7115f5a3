"""The benchmarks the README quotes still run, end to end, and report what they say they measure
(a handful of instances or roots: their figures, not their timings, are checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _run(script: str, *args: str) -> Any:
    res = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args, "--json"],
        capture_output=True, text=True, timeout=240, cwd=ROOT,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(res.stdout)


def test_the_controller_benchmark_reports_the_issues_figures() -> None:
    figures = _run("bench_controller.py", "--instances", "5", "--runs", "1", "--idle", "1")["5"]
    assert figures["instances"] == 5
    by_verb = {k: v for k, v in figures.items() if k.startswith(("per_instance", "reconciles"))}
    assert figures["writes_per_instance"] == 7.0, by_verb  # 4 children, the instance's metadata, 2 status writes
    assert figures["restart_writes"] == 0.0 and figures["idle_writes"] == 0.0
    for key in ("t50_s", "t100_s", "floor_s", "ready_floor_s", "controller_cpu_s", "controller_peak_rss_mib"):
        assert figures[key] > 0, key


def test_the_resourcegraph_benchmark_syncs_every_root() -> None:
    out = _run("bench_resourcegraph.py", "--roots", "5", "--runs", "1", "--idle", "1")
    median = out["median"]
    assert median["roots"] == 5
    by_verb = median["by_verb_per_root"]
    assert (by_verb["apply"], by_verb["create"]) == (2.0, 1.0)  # two children; the Synced Event
    # a finalizer patch per root, plus the ResourceGraph's own status writes over the rollout
    assert 5 < round(by_verb["patch"] * 5) <= 10
    assert median["idle_writes"] == 0.0
    assert median["all_synced_s"] > 0 and median["repair_s"] > 0
