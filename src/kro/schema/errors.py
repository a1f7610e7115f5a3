"""The schema layer's exceptions.

::

    SchemaError                 one or more problems in an RGD's ``spec.schema``
      └─ .problems: list[SchemaProblem(path, message)]
    TypeSyntaxError(ValueError) a malformed type expression; internal, always becomes a SchemaProblem

Every problem carries its location inside the RGD's ``spec.schema`` (``("spec", "replicas")``,
``("types", "Port", "number")``, ``("additionalPrinterColumns", 0, "type")``) so the compiler can
point at the exact line and column of the user's YAML. All problems found are reported together:
fixing an RGD one error per apply is slow and frustrating.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

SchemaPath = tuple[str | int, ...]


@dataclass(frozen=True)
class SchemaProblem:
    """One thing wrong at one place in ``spec.schema``."""

    path: SchemaPath
    message: str

    def __str__(self) -> str:
        return f"{format_path(self.path)}: {self.message}" if self.path else self.message


class SchemaError(Exception):
    """The schema block is invalid; :attr:`problems` lists every problem found (never empty)."""

    def __init__(self, problems: Iterable[SchemaProblem]) -> None:
        self.problems: list[SchemaProblem] = list(problems)
        if not self.problems:
            raise ValueError("SchemaError needs at least one problem")
        super().__init__(self._summary())

    def _summary(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems in the schema:"]
        lines.extend(f"  - {p}" for p in self.problems)
        return "\n".join(lines)


def format_path(path: SchemaPath) -> str:
    """``("spec", "ports", 0, "name")`` → ``spec.ports[0].name``."""
    out = ""
    for element in path:
        if isinstance(element, int):
            out += f"[{element}]"
        else:
            out += f".{element}" if out else element
    return out


class TypeSyntaxError(ValueError):
    """A SimpleSchema type expression (the part before ``|``) is malformed. Raised by
    :func:`kro.schema.typeexpr.parse_type` and turned into a located :class:`SchemaProblem` by the
    caller, which knows where the expression came from."""


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A `` (did you mean 'x'?)`` hint for the nearest candidate, or ``""`` when none is close."""
    pool = sorted(set(candidates))
    # A case slip ("minlength", "ListType") is the commonest typo: prefer it over fuzzy matches.
    close = [c for c in pool if c.lower() == word.lower()] or difflib.get_close_matches(
        word, pool, n=1, cutoff=0.6
    )
    return f" (did you mean {close[0]!r}?)" if close else ""
