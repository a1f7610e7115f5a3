"""``--feature-gates`` as users meet it: every command that takes it teaches the gates in ``--help``,
refuses a bad value naming the gate, and the install methods carry it to the controller's flags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import helm_python as helm
import pytest
import yaml
from click.testing import CliRunner

from kro.api.features import KNOWN_GATES
from kro.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
ALL_OFF = "CELOmitFunction=false,InstanceConditionEvents=false,InstanceConditionMetrics=false"
COMMANDS = ["controller", "dev", "validate", "install"]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_help_lists_every_gate_with_its_default(command: str) -> None:
    code, out = run(command, "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "--feature-gates Name=bool,..." in text
    for name in KNOWN_GATES:
        assert f"{name} (Alpha, default false):" in text


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("InstanceConditionEvent=true", "unknown feature gate 'InstanceConditionEvent'"),
        ("CELOmitFunction=on", "invalid feature gate 'CELOmitFunction=on'"),
    ],
)
def test_a_bad_value_is_a_usage_error_naming_the_gate(command: str, value: str, fragment: str) -> None:
    code, out = run(command, f"--feature-gates={value}")
    assert code == 2
    assert "Invalid value for '--feature-gates'" in out and fragment in out


def test_validate_takes_the_controllers_gates() -> None:
    code, out = run(
        "validate", "-f", str(ROOT / "examples/redis/rgd.yaml"), "--feature-gates", "CELOmitFunction=true"
    )
    assert code == 0, out


def _deployment_args(docs: list[dict[str, Any]]) -> list[str]:
    deploy = next(d for d in docs if d and d["kind"] == "Deployment")
    args: list[str] = deploy["spec"]["template"]["spec"]["containers"][0]["args"]
    return args


def test_kro_install_writes_every_gate_into_the_flag() -> None:
    code, out = run("install", "--dry-run")
    assert code == 0
    assert f"--feature-gates={ALL_OFF}" in _deployment_args(list(yaml.safe_load_all(out)))
    code, out = run("install", "--dry-run", "--feature-gates", "InstanceConditionEvents=true")
    assert code == 0
    assert (
        "--feature-gates=CELOmitFunction=false,InstanceConditionEvents=true,InstanceConditionMetrics=false"
        in _deployment_args(list(yaml.safe_load_all(out)))
    )


def test_kustomize_base_shows_the_gates_in_one_line_an_overlay_can_patch() -> None:
    text = (ROOT / "config/base/deployment-kro-controller.yaml").read_text()
    assert f"- --feature-gates={ALL_OFF}" in text


def _helm_args(values: dict[str, Any] | None) -> list[str]:
    chart = helm.Chart.load(str(ROOT / "charts/kro"))
    out = chart.render(values, name="kro", namespace="kro-system", is_install=True)
    return _deployment_args([d for text in out.values() for d in yaml.safe_load_all(text) if d])


@pytest.mark.parametrize(
    ("gates", "flag"),
    [
        (None, f"--feature-gates={ALL_OFF}"),
        (
            {"InstanceConditionEvents": True},
            "--feature-gates=CELOmitFunction=false,InstanceConditionEvents=true,InstanceConditionMetrics=false",
        ),
        ("CELOmitFunction=true", "--feature-gates=CELOmitFunction=true"),
    ],
)
def test_helm_featuregates_map_or_string_becomes_the_flag(gates: Any, flag: str) -> None:
    values = None if gates is None else {"config": {"featureGates": gates}}
    args = _helm_args(values)
    assert flag in args
    assert sum(a.startswith("--feature-gates") for a in args) == 1


def test_helm_featuregates_empty_leaves_the_flag_out() -> None:
    args = _helm_args({"config": {"featureGates": ""}})
    assert not any(a.startswith("--feature-gates") for a in args)


def test_helm_featuregates_refuses_a_value_that_is_not_a_bool() -> None:
    with pytest.raises(helm.HelmRenderError, match=r"config\.featureGates\.CELOmitFunction must be true or false"):
        _helm_args({"config": {"featureGates": {"CELOmitFunction": "yes"}}})


OMIT_RGD = """\
apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata:
  name: omitting
spec:
  schema:
    apiVersion: v1alpha1
    kind: Omitting
    spec:
      replicas: integer | default=0
  resources:
    - id: deploy
      template:
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: ${schema.metadata.name}
        spec:
          replicas: "${schema.spec.replicas > 0 ? schema.spec.replicas : omit()}"
          selector: {matchLabels: {app: x}}
          template:
            metadata: {labels: {app: x}}
            spec: {containers: [{name: x, image: nginx}]}
"""


def test_validate_accepts_omit_only_with_its_gate(tmp_path: Path) -> None:
    rgd = tmp_path / "rgd.yaml"
    rgd.write_text(OMIT_RGD)
    code, out = run("validate", "-f", str(rgd))
    assert code == 1, out
    text = " ".join(out.split())
    assert "rgd.yaml:19:" in text and "--feature-gates=CELOmitFunction=true" in text
    code, out = run("validate", "-f", str(rgd), "--feature-gates", "CELOmitFunction=true")
    assert code == 0, out
