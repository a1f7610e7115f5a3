"""The compiled graph: what the compiler (:mod:`kro.graph.builder`) hands to the runtime.

Everything here is immutable and free of I/O. A :class:`Graph` is built once per RGD generation and
shared by every reconcile of every instance of that RGD.

Evaluation bindings, as the runtime passes them to :meth:`CompiledExpression.evaluate`:

* ``schema`` (an RGD) or ``root`` (a ResourceGraph; :attr:`Graph.root_variable`): the root object as
  a plain dict (``metadata``, ``spec``; status is not visible);
* ``<resource id>``: the observed object of that node as a plain dict; for a collection or an
  external collection, the list of observed objects in item order;
* ``<iterator name>``: inside a ``forEach`` node, the current item of that dimension;
* ``each``: inside a collection's ``readyWhen``, the observed object of one item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any, Protocol

from kro.api.refs import GVK

PathElement = str | int
FieldPath = tuple[PathElement, ...]


class CompiledExpression(Protocol):
    """One checked CEL expression, ready to evaluate against plain dicts.

    ``evaluate`` raises :class:`kro.cel.errors.EvaluationError`; its ``pending`` attribute is true when
    the failure means "the data is not there yet" (a missing key or field, an index out of range),
    which the runtime treats as *wait and retry*, not as an error."""

    @property
    def source(self) -> str: ...

    @property
    def references(self) -> frozenset[str]: ...

    def evaluate(self, bindings: Mapping[str, Any]) -> Any: ...


class NodeKind(StrEnum):
    RESOURCE = "Resource"
    COLLECTION = "Collection"
    EXTERNAL = "External"
    EXTERNAL_COLLECTION = "ExternalCollection"


@dataclass(frozen=True)
class TemplateField:
    """A place in a template (or in the status block) whose value is computed.

    ``standalone``: the string was exactly one ``${...}`` and the result replaces it with any type.
    Otherwise the string mixed text and expressions and ``expression`` is the single string
    concatenation the compiler rewrote it into."""

    path: FieldPath
    expression: CompiledExpression
    standalone: bool
    source_text: str = ""


@dataclass(frozen=True)
class ForEachDimension:
    name: str
    expression: CompiledExpression


@dataclass(frozen=True)
class Node:
    id: str
    index: int
    kind: NodeKind
    gvk: GVK
    namespaced: bool
    plural: str
    template: Mapping[str, Any]
    """The raw template; for an external ref, ``{apiVersion, kind, metadata}`` from ``externalRef``."""
    fields: tuple[TemplateField, ...] = ()
    dependencies: frozenset[str] = frozenset()
    include_when: tuple[CompiledExpression, ...] = ()
    ready_when: tuple[CompiledExpression, ...] = ()
    for_each: tuple[ForEachDimension, ...] = ()
    external_selector: Mapping[str, Any] | None = None
    """For an external collection: the ``metadata.selector`` (a LabelSelector, may hold fields)."""

    @property
    def is_external(self) -> bool:
        return self.kind in (NodeKind.EXTERNAL, NodeKind.EXTERNAL_COLLECTION)

    @property
    def is_collection(self) -> bool:
        return self.kind in (NodeKind.COLLECTION, NodeKind.EXTERNAL_COLLECTION)


@dataclass(frozen=True)
class Graph:
    rgd_name: str
    instance_gvk: GVK
    instance_plural: str
    instance_namespaced: bool
    nodes: Mapping[str, Node]
    topological_order: tuple[str, ...]
    status_fields: tuple[TemplateField, ...] = ()
    """Computed status fields; each ``path`` starts with ``"status"`` (``("status", "ready")``)."""
    crd: Mapping[str, Any] = field(default_factory=dict)
    status_conditions: tuple[CompiledExpression, ...] = ()
    """The author's ``status.conditions`` entries (``${runtime.newCondition(...)}``), in order; each
    evaluates to one condition object. Not part of :attr:`status_fields`."""
    root_variable: str = "schema"
    """The name expressions give the root object: ``schema`` (an RGD's instance) or ``root`` (a
    ResourceGraph's root)."""

    def dependents(self, node_id: str) -> frozenset[str]:
        return frozenset(n.id for n in self.nodes.values() if node_id in n.dependencies)

    def deletion_waves(self) -> list[list[str]]:
        """Nodes grouped into waves for deletion: a node is deleted only after everything that
        depends on it. Wave 0 holds the nodes nothing depends on."""
        remaining = {n: set(self.dependents(n)) for n in self.topological_order}
        waves: list[list[str]] = []
        while remaining:
            wave = [n for n in self.topological_order if n in remaining and not remaining[n]]
            if not wave:  # cannot happen for a DAG; keep going rather than loop forever
                wave = [n for n in self.topological_order if n in remaining]
            waves.append(wave)
            for n in wave:
                del remaining[n]
            for deps in remaining.values():
                deps.difference_update(wave)
        return waves

    def apply_order(self) -> dict[str, int]:
        """``internal.kro.run/apply-order`` wave per node: higher waves are deleted first."""
        return dict(self._apply_order)

    @cached_property
    def _apply_order(self) -> dict[str, int]:  # every plan asks: computed once per graph
        waves = self.deletion_waves()
        top = len(waves) - 1
        return {n: top - i for i, wave in enumerate(waves) for n in wave}
