"""``kro dev --demo examples/job``: upstream kro's Job example in our words reaches ACTIVE on the
embedded control plane once the simulated Job completes; the Deployment waits for it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_job_example_is_active_on_kro_dev_once_its_job_completes(tmp_path: Path) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "kro", "dev", "--demo", str(ROOT / "examples/job"), "--exit-after-demo",
         "--kubeconfig", str(tmp_path / "kubeconfig")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    out = res.stdout
    assert res.returncode == 0, out + res.stderr
    assert "resourcegraphdefinition/migrated-app Active" in out
    steps = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    job = steps.index("1. created job.batch/shop-migrate (node job)")
    waiting = next(i for i, s in enumerate(steps) if "readyWhen `${job.status.completionTime != null}`" in s)
    deployment = steps.index("2. created deployment.apps/shop (node app)")
    assert job < waiting < deployment
    assert "migratedapp/shop is ACTIVE; status: {'migratedAt': '" in out
