"""The production guide's ResourceGraph workflow, as a user runs it: ``kro dev``, the real kubectl,
the example's CRDs and graphs (``examples/service-mesh``), and ``kro graph validate`` / ``kro status``.

The controller talks to ``kro dev`` only over HTTP (as it would to any cluster); every check here
goes through kubectl or the ``kro`` command."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.kubectl

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "service-mesh"
BIN = Path(sys.executable).parent
LABEL_QUERY = ("virtualservices,gateways", "-l", "kro.dev/root=service-mesh-01")


class Cluster:
    """``kro dev`` in a subprocess, and kubectl / kro pointed at it."""

    def __init__(self, tmp: Path) -> None:
        self.kubeconfig = tmp / "kubeconfig"
        self.proc = subprocess.Popen(
            [str(BIN / "kro"), "dev", "--kubeconfig", str(self.kubeconfig), "--no-simulation"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 60
        lines = []
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            lines.append(line)
            if not line or line.startswith("ready:"):
                break
        assert lines and lines[-1].startswith("ready:"), "".join(lines)

    def run(self, tool: str, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        res = subprocess.run(
            [str(BIN / tool), "--kubeconfig", str(self.kubeconfig), *args] if tool == "kubectl"
            else [str(BIN / tool), *args, "--kubeconfig", str(self.kubeconfig)],
            capture_output=True, text=True, timeout=60, input=input,
        )  # fmt: skip
        if check:
            assert res.returncode == 0, f"{tool} {' '.join(args)}:\n{res.stdout}\n{res.stderr}"
        return res

    def kubectl(self, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("kubectl", *args, input=input, check=check)

    def get(self, *args: str) -> Any:
        return json.loads(self.kubectl("get", *args, "-o", "json").stdout)

    def names(self, *args: str) -> set[str]:
        return set(self.kubectl("get", *args, "-o", "name").stdout.split())

    def close(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def eventually(check: Callable[[], Any], *, timeout: float = 15.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"not true after {timeout}s: {what or check} (last: {last!r})")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    c = Cluster(tmp_path_factory.mktemp("rg"))
    try:
        c.kubectl("apply", "-f", str(EXAMPLE / "crds.yaml"))
        c.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=30s")
        yield c
    finally:
        c.close()


def _graph(cluster: Cluster, path: Path | str, *, name: str = "service-mesh-graph", text: str | None = None) -> None:
    cluster.kubectl("delete", "resourcegraph", name, "--ignore-not-found", "--wait=true")
    if text is None:
        cluster.kubectl("apply", "-f", str(path))
    else:
        cluster.kubectl("apply", "-f", "-", input=text)
    cluster.kubectl("wait", "--for=jsonpath={.status.state}=Active", f"resourcegraph/{name}", "--timeout=30s")


def _root(name: str, *, graph: str | None = None, namespace: str = "default", hosts: str = "shop.example.com") -> str:
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if graph:
        meta["annotations"] = {"kro.dev/graph": graph}
    return yaml.safe_dump({
        "apiVersion": "networking.example.com/v1alpha1", "kind": "ServiceMesh", "metadata": meta,
        "spec": {"hosts": [hosts], "backend": {"host": "shop", "port": 8080},
                 "servers": [{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": [hosts]}]},
    })  # fmt: skip


def _finalizers(cluster: Cluster, kind: str, name: str) -> list[str]:
    return list(cluster.get(kind, name)["metadata"].get("finalizers") or [])


def test_the_documents_workflow_with_managed_children(cluster: Cluster) -> None:
    _graph(cluster, EXAMPLE / "base" / "resourcegraph.yaml")
    cluster.kubectl("apply", "-f", "-", input=_root("service-mesh-01") + "---\n" + _root("bystander", hosts="b.example.com"))
    # "Apply a root CR annotated with kro.dev/graph=service-mesh-graph"
    cluster.kubectl("annotate", "servicemesh", "service-mesh-01", "kro.dev/graph=service-mesh-graph")
    eventually(lambda: cluster.names(*LABEL_QUERY) == {
        "virtualservice.networking.istio.io/service-mesh-01", "gateway.networking.istio.io/service-mesh-01-gw",
    }, what="the label query lists both managed children")  # fmt: skip
    vs = cluster.get("virtualservice", "service-mesh-01")
    labels = vs["metadata"]["labels"]
    assert labels["kro.dev/root"] == "service-mesh-01" and labels["kro.dev/graph"] == "service-mesh-graph"
    assert labels["kro.run/owned"] == "true" and labels["app.kubernetes.io/managed-by"] == "kro"
    root = cluster.get("servicemesh", "service-mesh-01")
    assert [(o["kind"], o["uid"]) for o in vs["metadata"]["ownerReferences"]] == [("ServiceMesh", root["metadata"]["uid"])]
    assert vs["spec"]["gateways"] == ["service-mesh-01-gw"] and vs["spec"]["hosts"] == ["shop.example.com"]
    assert root["metadata"]["finalizers"] == ["kro.dev/finalizer"]
    # kro never writes the root's spec or status; the root that carries no graph is untouched
    assert "status" not in root and root["spec"]["hosts"] == ["shop.example.com"]
    bystander = cluster.get("servicemesh", "bystander")
    assert "finalizers" not in bystander["metadata"] and bystander["metadata"]["generation"] == 1
    assert cluster.names("virtualservices,gateways", "-l", "kro.dev/root=bystander") == set()
    eventually(lambda: "Synced" in cluster.kubectl("describe", "servicemesh", "service-mesh-01").stdout)
    status = eventually(lambda: (s := cluster.get("resourcegraph", "service-mesh-graph")["status"])["roots"]["synced"] == 1 and s)
    assert status["roots"] == {"matched": 1, "synced": 1, "failing": 0}
    assert status["topologicalOrder"] == ["gateway", "virtualservice"]
    tree = cluster.run("kro", "status", "servicemesh/service-mesh-01").stdout
    assert "ServiceMesh/default/service-mesh-01  SYNCED  ResourceGraph service-mesh-graph" in tree
    assert "gateway Gateway  SYNCED  service-mesh-01-gw" in tree

    # editing the root's spec updates the children
    cluster.kubectl("patch", "servicemesh", "service-mesh-01", "--type=merge", "-p", '{"spec":{"hosts":["new.example.com"]}}')
    eventually(lambda: cluster.get("virtualservice", "service-mesh-01")["spec"]["hosts"] == ["new.example.com"])
    # a deleted managed child comes back (about a second: drift is repaired from the watch)
    uid = cluster.get("gateway", "service-mesh-01-gw")["metadata"]["uid"]
    cluster.kubectl("delete", "gateway", "service-mesh-01-gw")
    eventually(lambda: cluster.kubectl("get", "gateway", "service-mesh-01-gw", "-o", "jsonpath={.metadata.uid}", check=False).stdout not in ("", uid))

    # removing the annotation deletes them, and kro's finalizer goes with them
    cluster.kubectl("annotate", "servicemesh", "service-mesh-01", "kro.dev/graph-")
    eventually(lambda: cluster.names(*LABEL_QUERY) == set(), what="children deleted")
    eventually(lambda: _finalizers(cluster, "servicemesh", "service-mesh-01") == [])
    # the policy's way: the label works as the annotation does
    cluster.kubectl("label", "servicemesh", "service-mesh-01", "kro.dev/graph=service-mesh-graph")
    eventually(lambda: len(cluster.names(*LABEL_QUERY)) == 2)

    # deleting the root deletes its children in reverse order: the VirtualService (which reads the
    # Gateway's name) first. A finalizer of our own on both holds each deletion where we can see it.
    for kind, name in (("virtualservice", "service-mesh-01"), ("gateway", "service-mesh-01-gw")):
        cluster.kubectl("patch", kind, name, "--type=merge", "-p", '{"metadata":{"finalizers":["example.com/hold"]}}')
    cluster.kubectl("delete", "servicemesh", "service-mesh-01", "--wait=false")
    eventually(lambda: cluster.get("virtualservice", "service-mesh-01")["metadata"].get("deletionTimestamp"))
    time.sleep(1.5)  # the controller retries a held wave every second: the Gateway must still wait
    assert "deletionTimestamp" not in cluster.get("gateway", "service-mesh-01-gw")["metadata"]
    cluster.kubectl("patch", "virtualservice", "service-mesh-01", "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
    eventually(lambda: cluster.get("gateway", "service-mesh-01-gw")["metadata"].get("deletionTimestamp"))
    cluster.kubectl("patch", "gateway", "service-mesh-01-gw", "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
    eventually(lambda: cluster.names("servicemeshes") == {"servicemesh.networking.example.com/bystander"})
    assert cluster.names(*LABEL_QUERY) == set()

    # the controller's log, as the guide's troubleshooting section reads it
    logs = cluster.kubectl("logs", "-l", "app=kro-controller", "-n", "kro-system", "--tail=200").stdout
    assert "ResourceGraph service-mesh-graph (generation 1) accepted" in logs


def test_orphan_keeps_children_without_kros_ownership(cluster: Cluster) -> None:
    text = (EXAMPLE / "base" / "resourcegraph.yaml").read_text()
    orphan = yaml.safe_load(text)
    orphan["metadata"]["name"] = "mesh-orphan"
    orphan["spec"]["releasePolicy"] = "Orphan"
    _graph(cluster, "", name="mesh-orphan", text=yaml.safe_dump(orphan))
    cluster.kubectl("apply", "-f", "-", input=_root("kept", graph="mesh-orphan"))
    eventually(lambda: len(cluster.names("virtualservices,gateways", "-l", "kro.dev/root=kept")) == 2)
    cluster.kubectl("annotate", "servicemesh", "kept", "kro.dev/graph-")
    eventually(lambda: cluster.names("virtualservices,gateways", "-l", "kro.dev/root=kept") == set())
    for kind, name in (("virtualservice", "kept"), ("gateway", "kept-gw")):
        meta = cluster.get(kind, name)["metadata"]
        assert not [k for k in meta.get("labels") or {} if k.startswith(("kro.run/", "kro.dev/", "applyset.")) or k == "app.kubernetes.io/managed-by"]
        assert not meta.get("ownerReferences")
    eventually(lambda: _finalizers(cluster, "servicemesh", "kept") == [])
    # the root can go and the released children stay
    cluster.kubectl("delete", "servicemesh", "kept", "--timeout=20s")
    assert cluster.names("virtualservice", "kept") == {"virtualservice.networking.istio.io/kept"}
    cluster.kubectl("delete", "resourcegraph", "mesh-orphan")


def test_the_documents_graph_verbatim_tracks_children_made_by_others(cluster: Cluster) -> None:
    _graph(cluster, EXAMPLE / "resourcegraph-document.yaml")
    cluster.kubectl("apply", "-f", "-", input=_root("service-mesh-02", graph="service-mesh-graph"))
    tree = cluster.run("kro", "status", "servicemesh/service-mesh-02").stdout
    assert "no VirtualService labelled kro.dev/root=service-mesh-02 yet" in tree
    made = [
        {"apiVersion": "networking.istio.io/v1", "kind": kind, "metadata": {"name": f"op-{kind.lower()}", "labels": {"kro.dev/root": "service-mesh-02"}}, "spec": {}}
        for kind in ("VirtualService", "Gateway")
    ]  # what the ServiceMesh's own operator would make
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(made))
    cluster.kubectl("patch", "gateway", "op-gateway", "--subresource=status", "--type=merge", "-p",
                    '{"status":{"conditions":[{"type":"Ready","status":"False","reason":"Programming"}]}}')  # fmt: skip
    eventually(lambda: "gateway/op-gateway: condition Ready is False: Programming" in cluster.run("kro", "status", "servicemesh/service-mesh-02").stdout)
    cluster.kubectl("patch", "gateway", "op-gateway", "--subresource=status", "--type=merge", "-p",
                    '{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Programmed"}]}}')  # fmt: skip
    eventually(lambda: cluster.get("resourcegraph", "service-mesh-graph")["status"]["roots"]["synced"] == 1)
    # deleting the root deletes the tracked children too (Delete is the default release policy)
    cluster.kubectl("delete", "servicemesh", "service-mesh-02", "--timeout=30s")
    assert cluster.names("virtualservices,gateways", "-l", "kro.dev/root=service-mesh-02") == set()


BROKEN = {
    "type-error": ("${root.spec.servers}", "${root.spec.nope}",
                   "spec.children[0].template.spec.servers: undefined field 'nope': root.spec has no such field"),
    "unknown-root-kind": ("kind: ServiceMesh", "kind: ServiceMeshh",
                          "spec.root.kind: unknown root kind 'ServiceMeshh' in group 'networking.example.com'"),
    "cycle": ("servers: ${root.spec.servers}", "servers: ${virtualservice.spec.http}", "cycle"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_graph_is_validation_failed_and_kro_graph_validate_says_the_same(
    cluster: Cluster, case: str, tmp_path: Path
) -> None:
    old, new, message = BROKEN[case]
    text = (EXAMPLE / "base" / "resourcegraph.yaml").read_text().replace("name: service-mesh-graph", f"name: broken-{case}")
    assert old in text
    path = tmp_path / "graph.yaml"
    path.write_text(text.replace(old, new))
    cluster.kubectl("apply", "-f", str(path))
    cluster.kubectl("wait", "--for=jsonpath={.status.state}=Inactive", f"resourcegraph/broken-{case}", "--timeout=30s")
    described = eventually(lambda: (d := cluster.kubectl("describe", "resourcegraph", f"broken-{case}").stdout) and "ValidationFailed" in d and d)
    assert message in " ".join(described.split())
    offline = subprocess.run([str(BIN / "kro"), "graph", "validate", "-f", str(path), "-f", str(EXAMPLE / "crds.yaml")],
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert offline.returncode == 1
    assert f"{path}:" in offline.stdout and message in offline.stdout
    cluster.kubectl("delete", "resourcegraph", f"broken-{case}")


def test_the_crd_refuses_a_child_that_is_neither_managed_nor_tracked(cluster: Cluster) -> None:
    bad = {"apiVersion": "kro.dev/v1alpha1", "kind": "ResourceGraph", "metadata": {"name": "mixed"},
           "spec": {"root": {"apiGroup": "networking.example.com", "kind": "ServiceMesh"},
                    "children": [{"id": "gw", "kind": "Gateway"}], "releasePolicy": "Keep"}}  # fmt: skip
    res = cluster.kubectl("apply", "-f", "-", input=json.dumps(bad), check=False)
    assert res.returncode == 1
    assert 'The ResourceGraph "mixed" is invalid' in res.stderr
    assert "a child is either managed (id and exactly one of template or externalRef) or tracked" in res.stderr
    assert 'spec.releasePolicy: Unsupported value: "Keep": supported values: "Delete", "Orphan"' in res.stderr
    assert cluster.kubectl("get", "rg", "mixed", check=False).returncode == 1


def test_kro_graph_validate_without_the_crds_says_to_pass_them() -> None:
    res = subprocess.run([str(BIN / "kro"), "graph", "validate", "-f", str(EXAMPLE / "resourcegraph-document.yaml")],
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert res.returncode == 1
    assert "unknown root kind 'ServiceMesh' in group 'networking.example.com'; is its CRD installed? pass CRD files with -f" in res.stdout
    ok = subprocess.run([str(BIN / "kro"), "graph", "validate", "-f", str(EXAMPLE / "resourcegraph-document.yaml"), "-f", str(EXAMPLE / "crds.yaml")],
                        capture_output=True, text=True, timeout=60)  # fmt: skip
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "tracked: VirtualService, Gateway" in ok.stdout


def test_an_update_that_breaks_the_graph_keeps_roots_on_the_last_accepted_one(cluster: Cluster) -> None:
    good = (EXAMPLE / "base" / "resourcegraph.yaml").read_text().replace("name: service-mesh-graph", "name: mesh-keep")
    _graph(cluster, "", name="mesh-keep", text=good)
    cluster.kubectl("apply", "-f", "-", input=_root("keep", graph="mesh-keep"))
    eventually(lambda: len(cluster.names("virtualservices,gateways", "-l", "kro.dev/root=keep")) == 2)
    cluster.kubectl("apply", "-f", "-", input=good.replace("${root.spec.servers}", "${root.spec.nope}"))
    cluster.kubectl("wait", "--for=jsonpath={.status.state}=Inactive", "resourcegraph/mesh-keep", "--timeout=30s")
    cluster.kubectl("patch", "servicemesh", "keep", "--type=merge", "-p", '{"spec":{"hosts":["still.example.com"]}}')
    eventually(lambda: cluster.get("virtualservice", "keep")["spec"]["hosts"] == ["still.example.com"])
    accepted = cluster.get("resourcegraph", "mesh-keep")["status"]
    assert accepted["acceptedGeneration"] == 1
    assert "roots are served with the last accepted graph, generation 1" in json.dumps(accepted["conditions"])
    cluster.kubectl("delete", "servicemesh", "keep", "--timeout=30s")
    cluster.kubectl("delete", "resourcegraph", "mesh-keep")


def test_kustomize_base_and_overlays_build_and_apply(cluster: Cluster) -> None:
    cluster.kubectl("delete", "resourcegraph", "service-mesh-graph", "--ignore-not-found", "--wait=true")
    selectors = {"base": "ingressgateway", "overlays/dev": "ingressgateway-dev", "overlays/prod": "ingressgateway-prod"}
    for overlay, selector in selectors.items():
        built = cluster.kubectl("kustomize", str(EXAMPLE / overlay)).stdout
        kinds = sorted(d["kind"] for d in yaml.safe_load_all(built) if d)
        assert kinds == ["ResourceGraph", "ServiceMesh"]
        cluster.kubectl("apply", "-f", "-", input=built)
        eventually(
            lambda s=selector: cluster.kubectl("get", "gateway", "service-mesh-01-gw", "-o", "jsonpath={.spec.selector.istio}", check=False).stdout == s,
            what=f"{overlay}: the gateway runs on {selector}",
        )  # fmt: skip
    # dev patched the root's hosts; prod put them back and switched the servers to HTTPS
    assert cluster.get("virtualservice", "service-mesh-01")["spec"]["hosts"] == ["shop.example.com"]
    servers = cluster.get("gateway", "service-mesh-01-gw")["spec"]["servers"]
    assert servers[0]["port"] == {"number": 443, "name": "https", "protocol": "HTTPS"}
    assert cluster.get("resourcegraph", "service-mesh-graph")["spec"]["releasePolicy"] == "Orphan"


def test_the_admission_policy_denies_an_unlabelled_servicemesh(cluster: Cluster) -> None:
    cluster.kubectl("apply", "-f", str(EXAMPLE / "policy.yaml"))
    try:
        def denied() -> subprocess.CompletedProcess[str] | None:
            res = cluster.kubectl("apply", "-f", "-", input=_root("unlabelled"), check=False)
            return res if res.returncode == 1 else None

        res = eventually(denied, what="the policy is in force")
        assert "Error from server (Forbidden)" in res.stderr
        assert (
            'servicemeshes.networking.example.com "unlabelled" is forbidden: ValidatingAdmissionPolicy '
            "'service-mesh-graph-required' with binding 'service-mesh-graph-required' denied request: "
            "ServiceMesh unlabelled must carry the label kro.dev/graph: service-mesh-graph"
        ) in res.stderr
        assert cluster.kubectl("get", "servicemesh", "unlabelled", check=False).returncode == 1
        labelled = yaml.safe_load(_root("labelled"))
        labelled["metadata"]["labels"] = {"kro.dev/graph": "service-mesh-graph"}
        cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump(labelled))
        cluster.kubectl("delete", "servicemesh", "labelled", "--timeout=30s")
    finally:
        cluster.kubectl("delete", "-f", str(EXAMPLE / "policy.yaml"), "--ignore-not-found")
