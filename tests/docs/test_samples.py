"""YAML samples of the docs that are outputs without a session: checked against the command."""

from __future__ import annotations

from typing import Any

import yaml
from click.testing import CliRunner

from kro.cli.main import cli
from tests.docs.terminal import ROOT


def test_the_abridged_crd_of_the_markers_example_is_what_kro_generates() -> None:
    """rgd-reference.md prints the `spec` schema of `examples/markers/rgd.yaml`'s CRD in flow style
    to keep the page short; as data it must be exactly what `kro generate crd` prints."""
    result = CliRunner().invoke(cli, ["generate", "crd", "-f", str(ROOT / "examples/markers/rgd.yaml")])
    assert result.exit_code == 0, result.output
    crd: dict[str, Any] = yaml.safe_load(result.output)
    generated = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    text = (ROOT / "docs" / "rgd-reference.md").read_text(encoding="utf-8")
    start = text.index("```yaml", text.index("The full schema of `examples/markers/rgd.yaml`")) + len("```yaml")
    sample = yaml.safe_load(text[start : text.index("```", start)])["spec"]
    assert sample == generated
