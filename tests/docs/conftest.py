"""Lists the blocks of the documents that the docs tests do not run, with the reason each gives."""

from __future__ import annotations

import pytest

from tests.docs.sessions import DocFormatError, parse_document
from tests.docs.test_docs import DOCUMENTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped: list[str] = []
    for path in DOCUMENTS:
        try:
            skipped += [f"  {b.where}: {b.skip}" for b in parse_document(path) if b.skip]
        except DocFormatError:
            continue
    if skipped and terminalreporter.config.getoption("verbose") >= 0:
        terminalreporter.write_line("docs tests: sessions not run (marked in the document):")
        for line in skipped:
            terminalreporter.write_line(line)
