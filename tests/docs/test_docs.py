"""Docs as tests: every shell session of README.md and docs/*.md is run, in order, against the
offline CLI and ``kro dev``, and its output compared with the sample (``tests/docs/sessions.py``
says how to mark a block, ``tests/docs/terminal.py`` how commands run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.sessions import parse_document
from tests.docs.terminal import ROOT, Drift, Terminal

pytestmark = [pytest.mark.kubectl, pytest.mark.slow]

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.name for p in DOCUMENTS])
def test_document_sessions_match_their_output(path: Path, tmp_path: Path) -> None:
    blocks = parse_document(path)
    terminal = Terminal(tmp_path / "reader")
    drifts: list[str] = []
    try:
        for block in blocks:
            if block.skip is None:
                # every drift of the document is reported, not only the first: later sessions
                # still run (a reader would go on too), so one run shows all there is to update
                drifts += terminal.run_block(block)
        logs = terminal.controller_logs()
    finally:
        terminal.close()
    if drifts:
        raise Drift("\n\n".join(drifts) + f"\n\nprocesses started for the document:\n{logs}")
