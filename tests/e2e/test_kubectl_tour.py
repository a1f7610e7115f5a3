"""A tour of everyday kubectl against ``kro dev`` as a user runs it (HTTPS, controller, simulation):
the imperative commands, each checked by a ``kubectl get`` of what it made, then logs, rollouts,
autoscaling, events, watches, the controller's own pod and ``apply -f dir/`` of a kind not served."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.kubectl

BIN = Path(sys.executable).parent
NS = "tour"
Kubectl = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def kro_dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    tmp = tmp_path_factory.mktemp("kro-dev")
    kubeconfig = tmp / "kubeconfig"
    proc = subprocess.Popen([str(BIN / "kro"), "dev", "--kubeconfig", str(kubeconfig)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line or line.startswith("ready:"):
            break
    try:
        assert proc.poll() is None, "kro dev exited"
        yield kubeconfig
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def k(kro_dev: Path) -> Kubectl:
    def run(*args: str, check: bool = True, timeout: float = 60, input: str | None = None) -> subprocess.CompletedProcess[str]:
        cmd = [str(BIN / "kubectl"), "--kubeconfig", str(kro_dev), *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, input=input)
        if check and proc.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    run("create", "namespace", NS)  # every test of the tour works in this fresh namespace
    return run


def _get(k: Kubectl, *what: str, namespaced: bool = True) -> Any:
    args = ["get", *what, "-o", "json"] + (["-n", NS] if namespaced else [])
    return json.loads(k(*args).stdout)


def _until(check: Callable[[], Any], what: str, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}: {last!r}")


def test_imperative_commands_make_what_they_say(k: Kubectl, tmp_path: Path) -> None:
    assert _get(k, "namespace", NS, namespaced=False)["status"]["phase"] == "Active"  # made by `create namespace`
    n = ["-n", NS]
    k("create", "configmap", "settings", "--from-literal=mode=fast", *n)
    assert _get(k, "configmap", "settings")["data"] == {"mode": "fast"}
    k("create", "secret", "generic", "creds", "--from-literal=password=s3cret", *n)
    assert _get(k, "secret", "creds")["data"] == {"password": "czNjcmV0"}
    k("create", "secret", "docker-registry", "pull", "--docker-server=r.example.com", "--docker-username=u",
      "--docker-password=p", *n)
    assert _get(k, "secret", "pull")["type"] == "kubernetes.io/dockerconfigjson"
    cert, key = tmp_path / "tls.crt", tmp_path / "tls.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=tour"], check=True, capture_output=True)
    k("create", "secret", "tls", "web-tls", f"--cert={cert}", f"--key={key}", *n)
    assert set(_get(k, "secret", "web-tls")["data"]) == {"tls.crt", "tls.key"}
    k("create", "deployment", "web", "--image=nginx:1.27", "--replicas=2", "--port=80", *n)
    web = _get(k, "deployment", "web")
    assert web["spec"]["template"]["spec"]["containers"][0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert web["spec"]["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    k("create", "job", "once", "--image=busybox", *n, "--", "echo", "hi")
    assert _get(k, "job", "once")["spec"]["template"]["spec"]["containers"][0]["command"] == ["echo", "hi"]
    k("create", "cronjob", "nightly", "--image=busybox", "--schedule=0 3 * * *", *n, "--", "date")
    assert _get(k, "cronjob", "nightly")["spec"]["schedule"] == "0 3 * * *"
    k("create", "service", "clusterip", "api", "--tcp=80:8080", *n)
    api = _get(k, "service", "api")
    assert api["spec"]["ports"][0]["targetPort"] == 8080 and api["spec"]["clusterIP"].startswith("10.")
    k("create", "service", "nodeport", "edge", "--tcp=80:8080", *n)
    assert 30000 <= _get(k, "service", "edge")["spec"]["ports"][0]["nodePort"] <= 32767
    k("create", "serviceaccount", "robot", *n)
    assert _get(k, "serviceaccount", "robot")["metadata"]["name"] == "robot"
    k("create", "role", "reader", "--verb=get,list", "--resource=pods", *n)
    assert _get(k, "role", "reader")["rules"][0]["verbs"] == ["get", "list"]
    k("create", "rolebinding", "reader", "--role=reader", f"--serviceaccount={NS}:robot", *n)
    assert _get(k, "rolebinding", "reader")["subjects"][0]["name"] == "robot"
    k("create", "clusterrole", "tour-viewer", "--verb=get", "--resource=nodes")
    assert _get(k, "clusterrole", "tour-viewer", namespaced=False)["rules"][0]["resources"] == ["nodes"]
    k("create", "clusterrolebinding", "tour-viewer", "--clusterrole=tour-viewer", f"--serviceaccount={NS}:robot")
    assert _get(k, "clusterrolebinding", "tour-viewer", namespaced=False)["roleRef"]["name"] == "tour-viewer"
    k("create", "quota", "small", "--hard=pods=10,requests.cpu=2", *n)
    assert _get(k, "resourcequota", "small")["spec"]["hard"] == {"pods": "10", "requests.cpu": "2"}
    k("create", "priorityclass", "tour-high", "--value=1000", "--description=tour")
    assert _get(k, "priorityclass", "tour-high", namespaced=False)["value"] == 1000
    k("create", "poddisruptionbudget", "web", "--selector=app=web", "--min-available=1", *n)
    assert _get(k, "poddisruptionbudget", "web")["spec"]["minAvailable"] == 1
    k("create", "ingress", "web", "--rule=tour.example.com/=web:80", *n)
    rule = _get(k, "ingress", "web")["spec"]["rules"][0]
    assert rule["host"] == "tour.example.com" and rule["http"]["paths"][0]["backend"]["service"]["name"] == "web"
    k("run", "solo", "--image=nginx:1.27", "--labels=app=solo", *n)
    assert _get(k, "pod", "solo")["metadata"]["labels"] == {"app": "solo"}
    k("expose", "deployment", "web", "--port=80", "--target-port=80", *n)
    assert _get(k, "service", "web")["spec"]["selector"] == {"app": "web"}


def test_changing_and_rolling_out_a_deployment(k: Kubectl) -> None:
    n = ["-n", NS]
    k("create", "deployment", "shop", "--image=shop:1", *n)
    k("scale", "deployment", "shop", "--replicas=3", *n)
    assert _get(k, "deployment", "shop")["spec"]["replicas"] == 3
    k("label", "deployment", "shop", "tier=front", *n)
    k("annotate", "deployment", "shop", "owner=team-a", *n)
    meta = _get(k, "deployment", "shop")["metadata"]
    assert meta["labels"]["tier"] == "front" and meta["annotations"]["owner"] == "team-a"
    k("rollout", "status", "deployment/shop", "--timeout=30s", *n)
    shop = _until(lambda: (d := _get(k, "deployment", "shop"))["metadata"].get("annotations", {}).get(
        "deployment.kubernetes.io/revision") == "1" and d, "revision 1")
    assert shop["metadata"]["generation"] == 3  # create, scale, annotate (a Deployment counts annotations); not the revision
    k("set", "image", "deployment/shop", "shop=shop:2", *n)
    k("annotate", "deployment", "shop", "kubernetes.io/change-cause=image shop:2", *n)
    k("rollout", "status", "deployment/shop", "--timeout=30s", *n)
    assert _get(k, "deployment", "shop")["spec"]["template"]["spec"]["containers"][0]["image"] == "shop:2"
    k("rollout", "restart", "deployment/shop", *n)
    restarted = _get(k, "deployment", "shop")["spec"]["template"]["metadata"]["annotations"]
    assert "kubectl.kubernetes.io/restartedAt" in restarted
    history = _until(lambda: (out := k("rollout", "history", "deployment/shop", *n).stdout).count("image shop:2") == 2 and out,
                     "three revisions")
    assert [line.split()[0] for line in history.splitlines()[2:] if line.strip()] == ["1", "2", "3"]
    k("rollout", "undo", "deployment/shop", "--to-revision=1", *n)
    k("rollout", "status", "deployment/shop", "--timeout=30s", *n)
    assert _get(k, "deployment", "shop")["spec"]["template"]["spec"]["containers"][0]["image"] == "shop:1"
    history = k("rollout", "history", "deployment/shop", *n).stdout
    assert [line.split()[0] for line in history.splitlines()[2:] if line.strip()] == ["2", "3", "4"]
    assert _get(k, "deployment", "shop")["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "4"


STATEFUL = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: tour}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "db:1"}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: tour}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: "agent:1"}]}
"""


def test_statefulset_and_daemonset_rollouts_use_controller_revisions(k: Kubectl) -> None:
    n = ["-n", NS]
    k("create", "-f", "-", input=STATEFUL)
    for kind, name, container in (("statefulset", "db", "db"), ("daemonset", "agent", "agent")):
        k("rollout", "status", f"{kind}/{name}", "--timeout=30s", *n)
        k("set", "image", f"{kind}/{name}", f"{container}={container}:2", *n)
        _until(lambda kind=kind, name=name: len(k("rollout", "history", f"{kind}/{name}", *n).stdout.split("\n")) >= 5,
               f"two revisions of {kind}/{name}")
        k("rollout", "undo", f"{kind}/{name}", *n)
        image = _get(k, kind, name)["spec"]["template"]["spec"]["containers"][0]["image"]
        assert image == f"{container}:1"
        history = _until(lambda kind=kind, name=name: (out := k("rollout", "history", f"{kind}/{name}", *n).stdout)
                         and out.splitlines()[2].split()[0] == "2" and out, f"{kind}/{name} renumbered")
        assert [line.split()[0] for line in history.splitlines()[2:] if line.strip()] == ["2", "3"]
        k("rollout", "status", f"{kind}/{name}", "--timeout=30s", *n)
    revisions = k("get", "controllerrevisions", *n).stdout
    assert revisions.split("\n")[0].split() == ["NAME", "CONTROLLER", "REVISION", "AGE"]
    assert "statefulset.apps/db" in revisions and "daemonset.apps/agent" in revisions


def test_autoscaling_wait_logs_describe_explain_events_and_delete(k: Kubectl) -> None:
    n = ["-n", NS]
    k("create", "deployment", "busy", "--image=busy:1", "--replicas=1", *n)
    k("autoscale", "deployment", "busy", "--min=3", "--max=5", "--cpu=80%", *n)
    hpa = _until(lambda: (h := _get(k, "hpa", "busy")).get("status", {}).get("desiredReplicas") == 3 and h, "HPA status")
    assert hpa["status"]["currentReplicas"] in (1, 3)
    assert _until(lambda: _get(k, "deployment", "busy")["spec"]["replicas"] == 3, "scaled to minReplicas")
    header, row = k("get", "hpa", "busy", *n).stdout.splitlines()[:2]
    assert header.split() == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    assert row.split()[:7] == ["busy", "Deployment/busy", "cpu:", "<unknown>/80%", "3", "5", "3"]
    k("scale", "deployment", "busy", "--replicas=9", *n)
    assert _until(lambda: _get(k, "deployment", "busy")["spec"]["replicas"] == 5, "scaled down to maxReplicas")
    k("run", "talker", "--image=talker:1", *n)
    k("wait", "--for=condition=Ready", "pod/talker", "--timeout=30s", *n)
    logs = k("logs", "talker", *n).stdout.splitlines()
    assert logs[0] == "[kro dev] container talker started (image talker:1)"
    assert len(k("logs", "talker", "--tail=1", *n).stdout.splitlines()) == 1
    assert k("logs", "talker", "--timestamps", *n).stdout.split(" ", 1)[0].endswith("Z")
    wrong = k("logs", "talker", "-c", "nope", *n, check=False)
    assert wrong.returncode != 0 and "container nope is not valid for pod talker" in wrong.stderr
    described = k("describe", "deployment", "busy", *n).stdout
    assert "NewReplicaSet:" in described and "Scaled up replica set busy-" in described
    assert "New size: 3; reason: Current number of replicas below Spec.MinReplicas" in k("describe", "hpa", "busy", *n).stdout
    assert "FIELD: replicas <integer>" in k("explain", "deployment.spec.replicas").stdout
    events = k("events", *n).stdout
    assert "ScalingReplicaSet" in events and "SuccessfulCreate" in events and "SuccessfulRescale" in events
    k("delete", "pod", "talker", *n)
    assert k("get", "pod", "talker", *n, check=False).returncode != 0


def test_get_watch_sees_a_change(k: Kubectl, kro_dev: Path) -> None:
    cmd = [str(BIN / "kubectl"), "--kubeconfig", str(kro_dev), "get", "configmaps", "-n", NS, "-w", "-o", "name"]
    watcher = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    guard = threading.Timer(30, watcher.kill)  # a missing line fails the test instead of hanging it
    guard.start()
    try:
        assert watcher.stdout is not None
        assert watcher.stdout.readline().startswith("configmap/")  # the listing: the watch follows it
        k("create", "configmap", "watched", "-n", NS)
        k("label", "configmap", "watched", "seen=yes", "-n", NS)
        lines = [watcher.stdout.readline().strip() for _ in range(2)]
        assert "configmap/watched" in lines
    finally:
        guard.cancel()
        watcher.kill()
        watcher.wait()


def test_the_controller_is_a_pod_whose_log_kubectl_reads(k: Kubectl, kro_dev: Path) -> None:
    selector = ["-n", "kro-system", "-l", "app=kro-controller"]
    pods = json.loads(k("get", "pods", *selector, "-o", "json").stdout)["items"]
    assert len(pods) == 1 and pods[0]["metadata"]["name"].startswith("kro-controller-")
    assert pods[0]["metadata"]["labels"]["app.kubernetes.io/name"] == "kro"
    assert pods[0]["status"]["phase"] == "Running"
    log = k("logs", *selector).stdout
    assert "kro controller" in log and "starting" in log
    assert len(k("logs", *selector, "--tail=1").stdout.splitlines()) == 1
    follower = subprocess.Popen([str(BIN / "kubectl"), "--kubeconfig", str(kro_dev), "logs", "-f", "--tail=1", *selector],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    guard = threading.Timer(30, follower.kill)
    guard.start()
    try:
        assert follower.stdout is not None
        follower.stdout.readline()  # the last line so far: the follower is attached
        rgd = Path(__file__).resolve().parents[2] / "examples" / "redis" / "rgd.yaml"
        k("apply", "-f", str(rgd))
        assert "rgd redis" in follower.stdout.readline().lower()
    finally:
        guard.cancel()
        follower.kill()
        follower.wait()


def test_apply_of_a_directory_with_a_kind_not_served_yet_shows_kubectls_own_error(k: Kubectl, tmp_path: Path) -> None:
    (tmp_path / "thing.yaml").write_text("apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t, namespace: default}\n")
    out = k("apply", "-f", str(tmp_path), check=False)
    assert out.returncode != 0
    assert 'no matches for kind "Thing" in version "example.com/v1"' in out.stderr
    assert "ensure CRDs are installed first" in out.stderr
    assert "openapi" not in out.stderr
