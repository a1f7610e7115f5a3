"""Every object the three install methods render is accepted by an API server, and ``kro install``
really installs: checked against the local API server with the real kubectl."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import helm_python as helm
import pytest
import yaml

from kro.cli.manifests import manifests
from tests.integration.conftest import KUBECTL, KubectlRunner

ROOT = Path(__file__).resolve().parents[2]


def _helm_yaml() -> str:
    out = helm.Chart.load(str(ROOT / "charts/kro")).render(name="kro", namespace="kro-system", is_install=True)
    crds = [p.read_text() for p in sorted((ROOT / "charts/kro/crds").glob("*.yaml"))]
    return "---\n".join([*crds, *(t for t in out.values() if t.strip())])


def _kustomize_yaml(path: str) -> str:
    return subprocess.run([str(KUBECTL), "kustomize", str(ROOT / path)], capture_output=True, text=True, check=True).stdout


def _kro_install_yaml() -> str:
    return yaml.safe_dump_all(manifests(), sort_keys=False)


@pytest.mark.kubectl
@pytest.mark.parametrize(
    "render",
    [_kro_install_yaml, _helm_yaml, lambda: _kustomize_yaml("config/base"), lambda: _kustomize_yaml("config/overlays/example")],
    ids=["kro-install", "helm", "kustomize-base", "kustomize-overlay"],
)
def test_every_rendered_object_passes_server_side_dry_run(kubectl: KubectlRunner, render: object) -> None:
    text = render()  # type: ignore[operator]
    count = sum(1 for d in yaml.safe_load_all(text) if d)
    # the namespace must exist for a server-side dry run of the namespaced objects
    kubectl("apply", "--server-side", "-f", "-", input="apiVersion: v1\nkind: Namespace\nmetadata: {name: kro-system}\n")
    out = kubectl("apply", "--server-side", "--dry-run=server", "-f", "-", input=text).stdout
    applied = [line for line in out.splitlines() if "serverside-applied (server dry run)" in line]
    assert len(applied) == count, out
    # a dry run changes nothing
    assert "resourcegraphdefinitions" not in kubectl("get", "crd", "-o", "name").stdout
    assert "kro-controller" not in kubectl("get", "deployments", "-A", "-o", "name").stdout


@pytest.mark.kubectl
def test_kro_install_applies_everything(kubectl: KubectlRunner, threaded_devserver: object) -> None:
    kubeconfig = str(threaded_devserver.kubeconfig_path)  # type: ignore[attr-defined]
    res = subprocess.run(
        [sys.executable, "-m", "kro", "install", "--kubeconfig", kubeconfig, "--rbac-mode", "aggregation"],
        capture_output=True, text=True, timeout=60,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "customresourcedefinition.apiextensions.k8s.io/resourcegraphdefinitions.kro.run serverside-applied" in res.stdout
    kubectl("wait", "--for=condition=Established", "crd/resourcegraphdefinitions.kro.run", "--timeout=10s")
    deploy = yaml.safe_load(kubectl("get", "deploy", "kro-controller", "-n", "kro-system", "-o", "yaml").stdout)
    assert deploy["spec"]["template"]["metadata"]["labels"]["app"] == "kro-controller"
    roles = kubectl("get", "clusterroles", "-l", "rbac.kro.run/aggregate-to-controller=true", "-o", "name").stdout
    assert "clusterrole.rbac.authorization.k8s.io/kro-controller-core" in roles
    assert "customresourcedefinition.apiextensions.k8s.io/resourcegraphs.kro.dev serverside-applied" in res.stdout
    kubectl("wait", "--for=condition=Established", "crd/resourcegraphs.kro.dev", "--timeout=10s")
    # both kinds are served right away: kubectl can list them by short name
    assert kubectl("get", "rgd").returncode == 0
    assert kubectl("get", "rg").returncode == 0
    # and so is GraphRevision, by its short name
    kubectl("wait", "--for=condition=Established", "crd/graphrevisions.internal.kro.run", "--timeout=10s")
    assert kubectl("get", "gr").returncode == 0
