"""``omit()``: a template field whose expression returns it is left out of the applied object.

Upstream kro offers it behind the ``CELOmitFunction`` feature gate, in resource templates only; the
compiler enforces both (:mod:`kro.graph.expressions`). Here it is a function returning a library
message (``kro.run.Omit``), which evaluation turns into :data:`OMIT` and the runtime drops with its
field. It is typed ``dyn`` so that it fits any field: ``${cond ? value : omit()}``.
"""

from __future__ import annotations

from typing import Any, Final

from kro.cel.library import messages
from kro.cel.library.declarations import Function, Type, function, global_overload

NAME = "omit"


class Omitted:
    """The value of ``omit()`` once evaluated: the field it is written into is left out."""

    _instance: Omitted | None = None

    def __new__(cls) -> Omitted:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "omit()"


OMIT: Final = Omitted()


def _omit() -> Any:
    return messages.new(messages.OMIT)


def declarations() -> list[Function]:
    return [function(NAME, global_overload("kro_omit", [], Type.DYN, _omit))]
