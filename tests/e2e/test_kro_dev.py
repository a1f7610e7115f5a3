"""``kro dev`` as a user runs it: prints where its kubeconfig is, serves kubectl, stops on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.kubectl

BIN = Path(sys.executable).parent
REDIS = Path(__file__).resolve().parents[2] / "examples" / "redis"


def _start(*args: str) -> tuple[subprocess.Popen[str], list[str]]:
    proc = subprocess.Popen([str(BIN / "kro"), "dev", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + 30
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if line.startswith("ready:"):
            return proc, lines
    proc.kill()
    raise AssertionError(f"kro dev did not become ready: {lines} {proc.stderr.read() if proc.stderr else ''}")


def test_kro_dev_serves_kubectl_and_stops_cleanly(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    demo.mkdir()
    (demo / "01-cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-demo}\ndata: {a: b}\n")
    kubeconfig = tmp_path / "kc"
    proc, lines = _start("--kubeconfig", str(kubeconfig), "--state-dir", str(tmp_path / "state"), "--no-controller", "--no-simulation", "--demo", str(demo))
    try:
        assert f"export KUBECONFIG={kubeconfig}" in lines
        assert "applied ConfigMap/from-demo" in lines
        got = subprocess.run(
            [str(BIN / "kubectl"), "--kubeconfig", str(kubeconfig), "get", "configmap", "from-demo", "-o", "jsonpath={.data.a}"],
            capture_output=True, text=True, timeout=30, check=True,
        )
        assert got.stdout == "b"
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
    assert code == 0
    # Restarted on the same state dir, the object is still there.
    proc, _ = _start("--kubeconfig", str(kubeconfig), "--state-dir", str(tmp_path / "state"), "--no-controller", "--no-simulation", "--insecure-http")
    try:
        got = subprocess.run(
            [str(BIN / "kubectl"), "--kubeconfig", str(kubeconfig), "get", "configmap", "from-demo", "-o", "name"],
            capture_output=True, text=True, timeout=30, check=True,
        )
        assert got.stdout.strip() == "configmap/from-demo"
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 130  # Ctrl-C: a clean stop, reported as a shell reports it


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    import json
    import urllib.request

    kubeconfig = tmp_path / "kc"
    state = tmp_path / "state"
    args = ("--kubeconfig", str(kubeconfig), "--state-dir", str(state), "--no-controller", "--no-simulation", "--insecure-http")
    proc, lines = _start(*args)
    server = next(line.split()[4] for line in lines if line.startswith("ready:"))
    try:
        for i in range(100):
            body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}"}}).encode()
            req = urllib.request.Request(
                f"{server}/api/v1/namespaces/default/configmaps", data=body, headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(req, timeout=10) as resp:
                assert resp.status == 201
    finally:
        proc.kill()  # no chance to flush anything
        proc.wait(timeout=10)
    proc, _ = _start(*args)
    try:
        got = subprocess.run(
            [str(BIN / "kubectl"), "--kubeconfig", str(kubeconfig), "get", "configmaps", "-o", "name"],
            capture_output=True, text=True, timeout=30, check=True,
        )
        # and the namespace's kube-root-ca.crt, as in every namespace
        assert len([n for n in got.stdout.split() if n != "configmap/kube-root-ca.crt"]) == 100
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0


@pytest.mark.parametrize(
    ("sig", "extra", "status"),
    [
        (signal.SIGTERM, (), 0),
        (signal.SIGINT, (), 130),
        # the demo was asked to finish and did not: not a success
        (signal.SIGTERM, ("--exit-after-demo",), 143),
    ],
)
def test_a_signal_during_the_demo_narration_stops_everything_and_says_so(
    tmp_path: Path, sig: signal.Signals, extra: tuple[str, ...], status: int
) -> None:
    # without the simulation the StatefulSet never becomes ready: the narration waits on it for good
    log = (tmp_path / "stderr").open("w")
    proc = subprocess.Popen(
        [str(BIN / "kro"), "dev", "--insecure-http", "--no-simulation", "--demo", str(REDIS), *extra],
        stdout=subprocess.PIPE, stderr=log, text=True,
    )  # fmt: skip
    log.close()
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while not any(line.startswith("  waiting: ") for line in lines):
            line = proc.stdout.readline()
            assert line and time.monotonic() < deadline, f"no narration: {lines}\n{(tmp_path / 'stderr').read_text()}"
            lines.append(line.rstrip("\n"))
        proc.send_signal(sig)
        rest, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    after = rest.splitlines()
    assert proc.returncode == status, (lines, after, (tmp_path / "stderr").read_text())
    assert not any("keeps running" in line for line in lines + after), after
    # (the narration may still print a child it saw before the signal)
    assert f"{sig.name}: stopping the controller and the API server" in after, after
    assert after[-1] == "stopped (objects were in memory)", after


STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 3
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: main, image: "redis:7"}]}
"""


def _kubectl(kubeconfig: Path, *args: str, input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "kubectl"), "--kubeconfig", str(kubeconfig), *args], input=input,
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.parametrize("delay", ["0", "3600"])
def test_pod_ready_delay_sets_when_simulated_pods_turn_ready(tmp_path: Path, delay: str) -> None:
    kubeconfig = tmp_path / "kc"
    proc, _ = _start("--kubeconfig", str(kubeconfig), "--no-controller", "--insecure-http", "--pod-ready-delay", delay)
    try:
        assert _kubectl(kubeconfig, "apply", "-f", "-", input=STATEFULSET).returncode == 0
        if delay == "0":
            # OrderedReady: each pod is created only once the one before is Ready, so all three
            # Ready means no pod waited for a timer.
            done = _kubectl(kubeconfig, "rollout", "status", "statefulset/db", "--timeout=60s")
            assert done.returncode == 0, done.stderr
            assert "partitioned roll out complete: 3 new pods have been updated" in done.stdout
        else:
            created = _kubectl(kubeconfig, "wait", "--for=create", "pod/db-0", "--timeout=30s")
            assert created.returncode == 0, created.stderr
            phase = _kubectl(kubeconfig, "get", "pod", "db-0", "-o", "jsonpath={.status.phase}")
            assert phase.stdout == "Pending"
            pods = _kubectl(kubeconfig, "get", "pods", "-o", "name")
            assert pods.stdout.split() == ["pod/db-0"]  # db-1 waits for db-0, an hour away
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
