"""The shell sessions of a Markdown document, and how their output is compared.

A *session* is a fenced code block whose lines include a command (a line starting with ``$ ``).
Each command is followed by the output it is expected to print, up to the next command. A command
continues on the next line after a trailing ``\\``, and through the body of a here-document
(``<<'EOF'`` ... ``EOF``).

An HTML comment right before a block (blank lines may separate them) tells the test how to run it::

    <!-- docs-test: skip reason="needs a real cluster" -->
    <!-- docs-test: retry=30 -->
    <!-- docs-test: setup
    kubectl apply -f examples/redis/rgd.yaml
    kubectl wait --for=condition=Ready rgd/redis
    -->

- ``skip reason="…"``: the block is not run (the reason is required; the test run lists them);
- ``setup``: the lines after it, up to ``-->``, run before the block (not shown to the reader,
  their output is not compared, each must succeed);
- ``retry=N``: each command of the block is run again until its output matches, for up to N
  seconds (for samples that a reader types while something settles in the background);
- ``fresh``: the block runs against a new ``kro dev`` started by the test, not the one used so far;
- ``log`` (before a block of log lines, not a session): each line must be in the log of the
  ``kro dev`` or ``kro controller`` the document started last (in any order, ``...`` allowed).

Comparison (``matches``): both sides are masked (times, ages, ports, UIDs, temporary paths,
resourceVersions) and runs of spaces inside a line count as one. A line that is only ``...`` stands
for any number of lines, and ``...`` inside a line for any text. When a sample shows controller log
lines (``<time> INFO logger: …``) next to a command's own output, the two are compared as separate
streams, because they interleave in an order that depends on timing.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DIRECTIVE = re.compile(r"<!--\s*docs-test:(?P<body>.*?)-->", re.S)
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>```+|~~~+)(?P<info>.*)$")
HEREDOC = re.compile(r"<<-?\s*(['\"]?)(?P<tag>[A-Za-z_][A-Za-z0-9_]*)\1")
KNOWN_WORDS = {"skip", "setup", "fresh", "log"}
KNOWN_KEYS = {"reason", "retry"}


class DocFormatError(Exception):
    """A marker or a session that the test cannot read; the message says where."""


@dataclass(frozen=True)
class Command:
    text: str  # the command as the reader types it (continuation lines joined with newlines)
    expected: tuple[str, ...]  # the lines shown under it
    line: int  # 1-based line of the ``$`` in the document


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    commands: tuple[Command, ...]
    skip: str | None = None  # the reason, when the block is not run
    setup: tuple[str, ...] = ()
    retry: float = 0.0
    fresh: bool = False
    log: tuple[str, ...] = ()  # a log excerpt: lines the running kro dev or controller has logged

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"


@dataclass
class _Marker:
    words: set[str] = field(default_factory=set)
    keys: dict[str, str] = field(default_factory=dict)
    setup: list[str] = field(default_factory=list)
    line: int = 0


def _parse_marker(body: str, line: int, path: Path) -> _Marker:
    first, _, rest = body.partition("\n")
    marker = _Marker(line=line)
    try:
        tokens = shlex.split(first)
    except ValueError as e:
        raise DocFormatError(f"{path.name}:{line}: docs-test marker: {e}") from e
    for token in tokens:
        key, eq, value = token.partition("=")
        if eq:
            if key not in KNOWN_KEYS:
                raise DocFormatError(f"{path.name}:{line}: docs-test marker: unknown option {key!r}")
            marker.keys[key] = value
        elif token in KNOWN_WORDS:
            marker.words.add(token)
        else:
            raise DocFormatError(f"{path.name}:{line}: docs-test marker: unknown word {token!r}")
    marker.setup = [ln.strip() for ln in rest.splitlines() if ln.strip()]
    if marker.setup and "setup" not in marker.words:
        raise DocFormatError(f"{path.name}:{line}: docs-test marker: commands given without 'setup'")
    if "skip" in marker.words and not marker.keys.get("reason"):
        raise DocFormatError(f"{path.name}:{line}: docs-test: skip needs reason=\"...\"")
    return marker


def _split_commands(lines: list[str], first_line: int, path: Path) -> tuple[Command, ...]:
    commands: list[Command] = []
    i = 0
    if lines and not lines[0].startswith("$ "):
        raise DocFormatError(
            f"{path.name}:{first_line}: a session must start with a '$ ' command "
            "(or mark the block: <!-- docs-test: skip reason=\"...\" -->)"
        )
    while i < len(lines):
        start = i
        parts = [lines[i][2:]]
        heredoc = HEREDOC.search(parts[0])
        while parts[-1].endswith("\\") and i + 1 < len(lines):
            i += 1
            parts.append(lines[i])
        if heredoc:
            tag = heredoc.group("tag")
            while i + 1 < len(lines):
                i += 1
                parts.append(lines[i])
                if lines[i].strip() == tag:
                    break
        i += 1
        expected: list[str] = []
        while i < len(lines) and not lines[i].startswith("$ "):
            expected.append(lines[i])
            i += 1
        commands.append(Command("\n".join(parts), tuple(expected), first_line + 1 + start))
    return tuple(commands)


def parse_document(path: Path) -> list[Block]:
    """Every session of the document, in order, with its marker's instructions."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    markers: dict[int, tuple[str, int]] = {}  # line index of a marker's end -> (body, first line)
    for m in DIRECTIVE.finditer(text):
        start = text.count("\n", 0, m.start())
        markers[text.count("\n", 0, m.end())] = (m.group("body").strip("\n ").replace("\r", ""), start + 1)
    blocks: list[Block] = []
    i = 0
    pending: _Marker | None = None
    while i < len(lines):
        if i in markers and lines[i].rstrip().endswith("-->"):  # markers inside blocks are text
            pending = _parse_marker(*markers[i], path)
            i += 1
            continue
        fence = FENCE.match(lines[i])
        if not fence:
            if lines[i].strip() and pending is not None:
                raise DocFormatError(f"{path.name}:{pending.line}: docs-test marker is not followed by a block")
            i += 1
            continue
        indent, tick = fence.group("indent"), fence.group("fence")
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(tick):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j])
            j += 1
        if any(b.startswith("$ ") for b in body):
            marker = pending or _Marker()
            skip = marker.keys.get("reason") if "skip" in marker.words else None
            commands = () if skip else _split_commands(body, i + 1, path)
            blocks.append(
                Block(
                    path=path,
                    line=i + 1,
                    commands=commands,
                    skip=skip,
                    setup=tuple(marker.setup),
                    retry=float(marker.keys.get("retry", "0")),
                    fresh="fresh" in marker.words,
                )
            )
        elif pending is not None and "log" in pending.words:
            blocks.append(Block(path=path, line=i + 1, commands=(), log=tuple(b for b in body if b.strip())))
        elif pending is not None:
            raise DocFormatError(f"{path.name}:{pending.line}: docs-test marker before a block with no '$ ' command")
        pending = None
        i = j + 1
    return blocks


# ---- comparison ---------------------------------------------------------------------------------

MASKS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        # 2026-11-22 02:36:30,112 / 2026-11-22T02:38:32Z / 2026-11-22T02:38:58+0000
        (r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?", "<time>"),
        (r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "<uid>"),
        (r"\b(127\.0\.0\.1|localhost):\d+", r"\1:<port>"),
        (r"kro-dev-[A-Za-z0-9_]+", "kro-dev-<tmp>"),
        (r"(resourceVersion[\"']?:\s*[\"']?)\d+", r"\1<rv>"),
        # ages and durations as kubectl prints them: 0s, 25s, 4m3s, 2d5h, <invalid>
        (r"(?<![\w.:/-])\d+[smhd](?:\d+[smh])?(?![\w.:/-])", "<age>"),
        (r"\(\d+[smhd](?:\d+[smh])? ago\)", "(<age> ago)"),
        (r"real\s+\d+m[\d.]+s", "real <duration>"),
    )
)
LOG_LINE = re.compile(r"^<time> (DEBUG|INFO|WARNING|ERROR|CRITICAL)\s")
WILD = "..."


def normalize(line: str) -> str:
    """A line with volatile parts masked and runs of spaces inside it counted as one."""
    line = line.replace("\t", "    ").rstrip()
    for pattern, repl in MASKS:
        line = pattern.sub(repl, line)
    body = line.lstrip(" ")
    indent = line[: len(line) - len(body)]
    return indent + re.sub(r" {2,}", " ", body)


@cache
def _line_regex(expected: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in expected.split(WILD)) + r"\Z")


def _match_lines(patterns: list[str], actual: list[str]) -> bool:
    """``patterns`` (normalized expected lines, ``...`` = any lines) against normalized ``actual``."""
    memo: dict[tuple[int, int], bool] = {}

    def go(p: int, a: int) -> bool:
        key = (p, a)
        if key in memo:
            return memo[key]
        if p == len(patterns):
            ok = a == len(actual)
        elif patterns[p].strip() == WILD:
            ok = go(p + 1, a) or (a < len(actual) and go(p, a + 1))
        else:
            ok = a < len(actual) and bool(_line_regex(patterns[p]).match(actual[a])) and go(p + 1, a + 1)
        memo[key] = ok
        return ok

    return go(0, 0)


def matches(expected: list[str] | tuple[str, ...], actual: list[str], *, prefix: bool = False) -> bool:
    """Whether ``actual`` output fits the ``expected`` sample (``prefix``: actual may go on)."""
    exp = [normalize(e) for e in expected]
    while exp and not exp[-1].strip():
        exp.pop()
    act = [normalize(a) for a in actual]
    while act and not act[-1].strip():
        act.pop()
    if prefix:
        exp = [*exp, WILD]
    if any(LOG_LINE.match(e) for e in exp) and any(not LOG_LINE.match(e) and e.strip() != WILD for e in exp):
        def logs(lines: list[str]) -> list[str]:
            return [x for x in lines if LOG_LINE.match(x) or x.strip() == WILD]

        def others(lines: list[str]) -> list[str]:
            return [x for x in lines if not LOG_LINE.match(x)]

        # a wildcard line stands for whatever is left out of the sample in both streams
        return _match_lines(logs(exp), [x for x in act if LOG_LINE.match(x)]) and _match_lines(
            others(exp), others(act)
        )
    return _match_lines(exp, act)
