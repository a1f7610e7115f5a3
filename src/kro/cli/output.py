"""Printing for the commands: diagnostics as rich text with the source line and a caret, or JSON (a
list of ``{file, line, column, resource, path, expression, message}`` objects); trees line by line.

Nothing printed here is ever soft-wrapped or padded to the terminal's width, so output piped to a
file or a CI log keeps one logical line per line, without trailing spaces."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.markup import escape
from rich.text import Text
from rich.tree import Tree

from kro.graph.errors import Diagnostic


def console_for(*, stderr: bool = False) -> Console:
    """A console that never soft-wraps: a diagnostic or summary stays on one line however narrow the
    terminal (or the 80-column default when output goes to a CI log), so it can be grepped."""
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 resource``, ``0 resources``, ``3 problems``: a count with its noun in the right number."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def tree_lines(tree: Tree) -> list[Text]:
    """``tree`` as lines with guides (``├── ``, ``│   ``, ``└── ``). A label is a markup string or
    a :class:`~rich.text.Text`; one of several lines keeps its guide column on each. Rich's own tree
    layout wraps labels at the console width and pads them, which is why trees are not printed as
    renderables."""
    label = tree.label if isinstance(tree.label, Text) else Text.from_markup(str(tree.label))
    lines = list(label.split("\n"))
    for i, child in enumerate(tree.children):
        head, rest = ("└── ", "    ") if i == len(tree.children) - 1 else ("├── ", "│   ")
        for j, line in enumerate(tree_lines(child)):
            lines.append(Text.assemble(head if j == 0 else rest, line))
    return lines


def print_tree(console: Console, tree: Tree) -> None:
    for line in tree_lines(tree):
        console.print(line, highlight=False, soft_wrap=True)


def print_error(out: Console, message: str) -> None:
    """``error: message``, the message printed verbatim (never read as rich markup)."""
    out.print(f"[bold red]error[/bold red]: {escape(message)}")


def diagnostics_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([d.to_json() for d in diagnostics], indent=2)


def print_diagnostics(
    console: Console,
    diagnostics: Sequence[Diagnostic],
    *,
    sources: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """One block per diagnostic: ``file:line:col: error: [resource] path: message``, then the
    source line with a caret under the column when the file's text is known."""
    for d in diagnostics:
        head = f"[bold]{escape(d.location())}[/bold]: [bold red]error[/bold red]:"
        if d.resource:
            head += f" [cyan]{escape(d.resource)}[/cyan]:"
        if d.path:
            head += f" [dim]{escape(d.path)}[/dim]:"
        console.print(f"{head} {escape(d.message)}", highlight=False, soft_wrap=True)
        lines = (sources or {}).get(d.file or "")
        if lines and d.line is not None and 0 < d.line <= len(lines):
            text = lines[d.line - 1]
            gutter = f"{d.line:>5} | "
            console.print(f"[dim]{gutter}[/dim]{escape(text)}", highlight=False, soft_wrap=True)
            if d.column is not None:
                pad = " " * (len(gutter) - 2) + "| " + " " * max(d.column - 1, 0)
                console.print(
                    f"[dim]{pad[: len(gutter)]}[/dim]{pad[len(gutter) :]}[bold red]^[/bold red]",
                    highlight=False,
                    soft_wrap=True,
                )
        elif d.expression:
            console.print(
                f"      [dim]expression:[/dim] {escape(d.expression)}", highlight=False, soft_wrap=True
            )
