"""The three ways to install kro (``kro install``, the Kustomize base, the Helm chart) render the same
objects, and the checked-in copies are what the generators produce today."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import helm_python as helm
import pytest
import yaml

from kro.api.crdgen import kro_crds
from kro.cli.cmd_install import write_kustomize
from kro.cli.manifests import InstallSettings, manifests

ROOT = Path(__file__).resolve().parents[2]
KUBECTL = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or "kubectl"
_HELM_ONLY_LABELS = ("app.kubernetes.io/managed-by", "helm.sh/chart")


def _key(obj: dict[str, Any]) -> tuple[str, str]:
    return obj["kind"], obj["metadata"]["name"]


def _normalise(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop what only Helm adds (its own bookkeeping labels), so objects compare by content."""
    obj = yaml.safe_load(yaml.safe_dump(obj))
    for meta in (obj.get("metadata", {}), obj.get("spec", {}).get("template", {}).get("metadata", {})):
        labels = meta.get("labels") or {}
        for k in _HELM_ONLY_LABELS:
            labels.pop(k, None)
    return obj


def _helm_render(values: dict[str, Any] | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    chart = helm.Chart.load(str(ROOT / "charts/kro"))
    out = chart.render(values, name="kro", namespace="kro-system", is_install=True)
    docs = [d for text in out.values() for d in yaml.safe_load_all(text) if d]
    return {_key(d): _normalise(d) for d in docs}


def _kustomize(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    res = subprocess.run([KUBECTL, "kustomize", str(path)], capture_output=True, text=True, check=True)
    return {_key(d): d for d in yaml.safe_load_all(res.stdout) if d}


def test_chart_crds_are_the_generated_ones() -> None:
    files = {p.name: yaml.safe_load(p.read_text()) for p in (ROOT / "charts/kro/crds").glob("*.yaml")}
    expected = {f"{crd['metadata']['name']}.yaml": crd for crd in kro_crds()}
    assert files == expected, (
        "charts/kro/crds drifted from the API types: write each CRD of "
        "`kro install --crd-only --dry-run` to charts/kro/crds/<name>.yaml"
    )


def test_kustomize_base_is_the_generated_one(tmp_path: Path) -> None:
    write_kustomize(tmp_path, InstallSettings())
    ours = {p.name: p.read_text() for p in (ROOT / "config/base").glob("*.yaml")}
    fresh = {p.name: p.read_text() for p in tmp_path.glob("*.yaml")}
    assert ours == fresh, "config/base drifted: run `kro install --write-kustomize config/base`"


def test_kustomize_base_renders_the_install_objects() -> None:
    rendered = _kustomize(ROOT / "config/base")
    assert rendered == {_key(o): o for o in manifests()}


def test_kustomize_overlay_renders_least_privilege_single_replica() -> None:
    rendered = _kustomize(ROOT / "config/overlays/example")
    deploy = rendered[("Deployment", "kro-controller")]
    assert deploy["spec"]["replicas"] == 1
    role = rendered[("ClusterRole", "kro-controller")]
    assert role["aggregationRule"]["clusterRoleSelectors"][0]["matchLabels"] == {
        "rbac.kro.run/aggregate-to-controller": "true"
    }
    assert role["rules"] == []
    assert ("ClusterRole", "kro-example-kinds") in rendered


@pytest.mark.parametrize("mode", ["unrestricted", "aggregation"])
def test_helm_chart_renders_what_kro_install_prints(mode: str) -> None:
    rendered = _helm_render({"rbac": {"mode": mode}})
    expected = {
        _key(o): o
        for o in manifests(InstallSettings(rbac_mode=mode), include_namespace=False)  # type: ignore[arg-type]
        if o["kind"] != "CustomResourceDefinition"
    }
    assert rendered.keys() == expected.keys()
    for key, obj in expected.items():
        assert rendered[key] == obj, key


def test_helm_chart_pod_labels_match_the_selector_users_use() -> None:
    deploy = _helm_render()[("Deployment", "kro-controller")]
    labels = deploy["spec"]["template"]["metadata"]["labels"]
    assert labels["app"] == "kro-controller"
    assert labels["app.kubernetes.io/name"] == "kro"
    assert deploy["spec"]["replicas"] == 2
    args = deploy["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--leader-elect" in args


def test_helm_chart_rejects_an_unknown_rbac_mode() -> None:
    with pytest.raises(helm.HelmRenderError, match=r"rbac\.mode"):
        _helm_render({"rbac": {"mode": "everything"}})


def test_helm_values_reach_the_controller_flags() -> None:
    values = {"allowCRDDeletion": True, "logFormat": "text", "leaderElect": False, "rgd": {"maxGraphRevisions": 9}}
    deploy = _helm_render({"config": values})[("Deployment", "kro-controller")]
    args = deploy["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--allow-crd-deletion" in args and "--log-format=text" in args
    assert "--rgd-max-graph-revisions=9" in args
    assert "--leader-elect" not in args


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or "hadolint"
    res = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
