"""The README's main job: ``kro dev --demo examples/redis`` brings the seed's Redis example to
ACTIVE on the embedded control plane, with the controller in the same process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_kro_dev_demo_reaches_active_with_children_in_order(tmp_path: Path) -> None:
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "kro",
            "dev",
            "--demo",
            str(ROOT / "examples/redis"),
            "--exit-after-demo",
            "--kubeconfig",
            str(tmp_path / "kubeconfig"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = res.stdout
    assert res.returncode == 0, out + res.stderr
    assert "resourcegraphdefinition/redis Active" in out
    created = [line.split("created ", 1)[1].split(" ")[0] for line in out.splitlines() if " created " in line]
    assert created[:2] == ["configmap/session-cache-config", "statefulset.apps/session-cache"]
    assert sorted(created[2:]) == ["service/session-cache", "service/session-cache-headless"]
    assert "redis/session-cache is ACTIVE" in out
    assert "'endpoint': 'session-cache.default.svc.cluster.local:6379'" in out
    assert "'readyReplicas': 1" in out
