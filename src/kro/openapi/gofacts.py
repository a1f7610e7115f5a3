"""How kube-apiserver's Go types encode the built-in kinds' fields, which their schemas do not say.

A built-in object is decoded into Go structs and encoded back, so a value Go cannot tell from
"unset" does not come back (``scripts/gen_gofacts.py`` read these facts from the Kubernetes
sources of the version in the data file's name):

- ``"zb"``, ``"zn"``, ``"zs"``: a non-pointer ``bool``, number or string tagged ``omitempty``:
  ``false``, ``0`` and ``""`` (and ``null``) are dropped (``hostNetwork: false``,
  ``minReadySeconds: 0``, ``serviceAccountName: ""``); a value of another JSON type is not Go's
  zero value but a type error, and stays for validation to report;
- ``"e"``: a slice or map tagged ``omitempty``: an empty one is dropped (``args: []``,
  ``nodeSelector: {}``);
- ``"n"``: a slice or map without ``omitempty``: an empty one comes back ``null``;
- ``"p"``: a pointer tagged ``omitempty``: ``null`` is dropped (``securityContext: null``,
  ``replicas: null``), any other value kept (``automountServiceAccountToken: false``).

Each field's second fact names what it holds: another definition (a struct, or the elements of a
``"e"``/``"n"`` collection), ``"quantity"`` (a ``resource.Quantity``, written back in canonical
spelling), or nothing. Fields with no fact are kept as sent.

Apart from these, :meth:`GoFacts.go_type` gives each field's JSON kind and Go type name, for the
decoder's type errors."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from kro.api.refs import GVK

EMPTY = "e"
POINTER = "p"
NULL_WHEN_EMPTY = "n"
QUANTITY = "quantity"
_DATA = "gofacts-v1.32.json"

Fact = tuple[str, str]
"""(how the field is dropped: ``"zb"``, ``"zn"``, ``"zs"``, ``"e"``, ``"n"``, ``"p"`` or ``""``; what it holds: a definition
name, ``"quantity"`` or ``""``)."""


class GoFacts:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self._groups: dict[str, str] = dict(document.get("groups") or {})
        """API group -> the prefix of its kinds' definition names (before version and kind)."""
        self._fields: dict[str, dict[str, Fact]] = {
            name: {field: (str(f[0]), str(f[1])) for field, f in fields.items()}
            for name, fields in (document.get("definitions") or {}).items()
        }
        self._types: dict[str, dict[str, tuple[str, str]]] = {
            name: {field: (str(t[0]), str(t[1])) for field, t in types.items()}
            for name, types in (document.get("types") or {}).items()
        }
        self._nulls: dict[str, tuple[tuple[str, str, str], ...]] = {}
        for name in self._fields:
            self._null_paths(name, ())

    def _null_paths(self, definition: str, seen: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
        """The fields of ``definition`` that are ``"n"`` or lead to one (recursive types end)."""
        known = self._nulls.get(definition)
        if known is not None:
            return known
        out = []
        for field, (omit, child) in self._fields.get(definition, {}).items():
            leads = bool(child) and child != QUANTITY and child not in seen and bool(
                self._null_paths(child, (*seen, definition))
            )
            if omit == NULL_WHEN_EMPTY or leads:
                out.append((field, omit, child if leads else ""))
        result = tuple(out)
        if not seen:
            self._nulls[definition] = result
        return result

    def definition_for(self, gvk: GVK) -> str | None:
        """The definition of a built-in kind; ``None`` for a custom resource or an unknown kind."""
        prefix = self._groups.get(gvk.group)
        if prefix is None:
            return None
        name = f"{prefix}.{gvk.version}.{gvk.kind}"
        return name if name in self._fields else None

    def fields(self, definition: str) -> Mapping[str, Fact]:
        """The facts of one definition's fields (only fields that have any)."""
        return self._fields.get(definition, {})

    def go_types(self, definition: str) -> Mapping[str, tuple[str, str]]:
        """Each field's (JSON kind, Go type name as reflect prints it): kind ``s`` string, ``b``
        bool, ``n`` signed integer, ``u`` unsigned, ``f`` float, ``o`` struct, ``a<kind>`` slice
        of, ``m<kind>`` map of, ``x`` decoded by its own code (quantities, times, int-or-string)."""
        return self._types.get(definition, {})

    def null_paths(self, definition: str) -> tuple[tuple[str, str, str], ...]:
        """``(field, omit, child)`` for the fields of ``definition`` that are written ``null``
        when empty (``omit`` ``"n"``) or hold a ``child`` definition where one is."""
        return self._nulls.get(definition, ())


@functools.lru_cache(maxsize=1)
def go_facts() -> GoFacts:
    """The facts of the Kubernetes version kro serves by default (read once)."""
    with (resources.files("kro.openapi") / _DATA).open("r", encoding="utf-8") as f:
        return GoFacts(json.load(f))


def is_zero(omit: str, value: Any) -> bool:
    """Whether ``value`` is what Go leaves out of a field whose first fact is ``omit``: the zero
    value of its type (``"zb"``: ``false``, ``"zn"``: ``0``, ``"zs"``: ``""``), or ``null``,
    which decodes to it (or, ``"p"``, to a nil pointer)."""
    if value is None:
        return omit[:1] == "z" or omit == POINTER
    if omit == "zb":
        return value is False
    if omit == "zn":
        return type(value) in (int, float) and value == 0
    return omit == "zs" and value == ""


def is_empty(value: Any) -> bool:
    """Whether ``value`` is an empty (or null) slice or map."""
    return value is None or value == [] or value == {}
