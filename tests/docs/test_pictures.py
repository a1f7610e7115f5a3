"""The pictures in the docs stay true: the tutorial's graph is what ``kro graph`` draws today, and
the diagram of instance states names exactly the states an instance can be in."""

from __future__ import annotations

import os
import re

from click.testing import CliRunner

from kro.api.conditions import InstanceState
from kro.cli.main import cli
from tests.docs.terminal import ROOT

GRAPH_SVG = ROOT / "docs" / "images" / "redis-graph.svg"
GUIDE = ROOT / "docs" / "user-guide.md"
REGENERATE = "kro graph -f examples/redis/rgd.yaml --format svg > docs/images/redis-graph.svg"


def test_the_tutorial_graph_picture_is_what_kro_graph_draws() -> None:
    result = CliRunner().invoke(cli, ["graph", "-f", str(ROOT / "examples/redis/rgd.yaml"), "--format", "svg"])
    assert result.exit_code == 0, result.output
    if os.environ.get("KRO_UPDATE_DOCS") == "1":
        GRAPH_SVG.write_text(result.output, encoding="utf-8")
    assert GRAPH_SVG.read_text(encoding="utf-8") == result.output, (
        f"docs/images/redis-graph.svg is stale: run `{REGENERATE}` (or this test with KRO_UPDATE_DOCS=1)"
    )
    assert "](images/redis-graph.svg)" in GUIDE.read_text(encoding="utf-8")


def test_the_state_diagram_has_every_state_an_instance_can_be_in() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    diagram = re.search(r"```mermaid\nstateDiagram-v2\n(.*?)```", text, re.S)
    assert diagram is not None, "the user guide has no state diagram"
    transitions = re.findall(r"^\s*(\[\*\]|\w+) --> (\[\*\]|\w+)", diagram.group(1), re.M)
    states = {s for pair in transitions for s in pair} - {"[*]"}
    # FAILED is in the API for compatibility with upstream kro and never set (rgd-reference.md)
    assert states == {s.value for s in InstanceState} - {InstanceState.FAILED.value}
    entered = {b for a, b in transitions if a == "[*]"}
    left = {a for a, b in transitions if b == "[*]"}
    # the controller logs the first transition from NEW to whatever the first reconcile found
    assert entered == {InstanceState.IN_PROGRESS.value, InstanceState.ACTIVE.value, InstanceState.ERROR.value}
    assert left == {InstanceState.DELETING.value}
    # every state but DELETING can be deleted from, and DELETING only ends
    assert {a for a, b in transitions if b == "DELETING"} == states - {"DELETING"}
    assert {b for a, b in transitions if a == "DELETING"} == {"[*]"}
