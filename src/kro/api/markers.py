"""Validation markers attached to API types with ``typing.Annotated``.

They play the role kubebuilder markers play for Go types: the CRD generator
(:mod:`kro.api.crdgen`) reads them to emit OpenAPI constraints, so the ResourceGraphDefinition CRD is
generated from the same types the controller uses and never maintained by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Doc:
    text: str


@dataclass(frozen=True)
class Pattern:
    regex: str


@dataclass(frozen=True)
class Enum:
    values: tuple[str, ...]


@dataclass(frozen=True)
class Default:
    value: Any


@dataclass(frozen=True)
class MaxItems:
    n: int


@dataclass(frozen=True)
class MinItems:
    n: int


@dataclass(frozen=True)
class Minimum:
    n: int


@dataclass(frozen=True)
class MinLength:
    n: int


@dataclass(frozen=True)
class Rule:
    """An ``x-kubernetes-validations`` CEL rule."""

    rule: str
    message: str


@dataclass(frozen=True)
class Immutable:
    """Shorthand for ``Rule("self == oldSelf", "<field> is immutable")``."""


@dataclass(frozen=True)
class PreserveUnknown:
    """A free-form object (``x-kubernetes-preserve-unknown-fields``)."""


@dataclass(frozen=True)
class ListType:
    kind: str  # atomic | set | map
    map_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Format:
    name: str


@dataclass(frozen=True)
class Extra:
    """A raw OpenAPI schema that replaces the generated one, for the rare shape no marker expresses
    (the root ``metadata``, which a structural CRD schema may only declare as ``type: object``)."""

    schema: Mapping[str, Any] = field(default_factory=dict)
