"""docs/rgd-reference.md lists every CEL function with an example and its result: each row whose
example and result are CEL is compiled and evaluated here, so the table cannot drift from what the
implementation does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kro.cel import CELEnvironment

DOC = Path(__file__).resolve().parents[3] / "docs" / "rgd-reference.md"
_CELL = re.compile(r"^`(.*)`$")


def _rows() -> list[tuple[str, str, str]]:
    text = DOC.read_text()
    table = text.split("<!-- functions-table:start -->")[1].split("<!-- functions-table:end -->")[0]
    rows = []
    for line in table.strip().splitlines()[2:]:
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        name, status, example, result = cells
        rows.append((name, status, example, result))
    return rows


ROWS = _rows()


def test_every_function_is_supported() -> None:
    assert len(ROWS) >= 55
    assert all(status.startswith("supported") for _, status, _, _ in ROWS)
    text = DOC.read_text().lower()
    assert "impossible" not in text


@pytest.mark.parametrize(
    ("example", "result"),
    [(e, r) for _, _, e, r in ROWS if _CELL.match(e) and _CELL.match(r) and not e.startswith("`${")],
)
def test_documented_example_evaluates_to_its_result(example: str, result: str) -> None:
    env = CELEnvironment({})
    source = _CELL.match(example)
    expected = _CELL.match(result)
    assert source is not None and expected is not None
    assert env.compile(source.group(1)).evaluate({}) == env.compile(expected.group(1)).evaluate({})
