"""The GraphRevision API (``internal.kro.run/v1alpha1``) as Python types.

A GraphRevision is an immutable, numbered snapshot of one ResourceGraphDefinition's spec: kro issues
one each time the RGD's normalized spec changes, compiles it, and says in its status whether it
compiled (``GraphVerified``). :func:`kro.api.crdgen.graph_revision_crd` generates its CRD from these
types, field for field as upstream kro defines it.
"""

from __future__ import annotations

from typing import Annotated, Any, NotRequired, TypedDict

from kro.api.markers import Doc, Extra, Format, Immutable, ListType, Minimum
from kro.api.v1alpha1 import Condition, ResourceInformation, RGDSpec

INTERNAL_GROUP = "internal.kro.run"
INTERNAL_VERSION = "v1alpha1"
GRAPH_REVISION_KIND = "GraphRevision"
GRAPH_REVISION_PLURAL = "graphrevisions"


class ResourceGraphDefinitionSnapshot(TypedDict):
    name: Annotated[str, Doc("Name of the source ResourceGraphDefinition; revisions are grouped by it.")]
    generation: Annotated[
        int, Doc("metadata.generation of the source RGD when this revision was issued."), Format("int64")
    ]
    spec: Annotated[RGDSpec, Doc("The source RGD's spec, as it was when this revision was issued.")]


class GraphRevisionSpec(TypedDict):
    revision: Annotated[
        int, Doc("Revision number, monotonic and never reused per RGD name."), Format("int64"), Minimum(1)
    ]
    snapshot: Annotated[ResourceGraphDefinitionSnapshot, Doc("The RGD this revision captures.")]


class GraphRevisionStatus(TypedDict):
    topologicalOrder: NotRequired[
        Annotated[list[str], Doc("The order resources are created in, from the compiled graph.")]
    ]
    conditions: NotRequired[
        Annotated[
            list[Condition],
            Doc("GraphVerified (did the snapshot compile) and the aggregate Ready."),
            ListType("map", ("type",)),
        ]
    ]
    resources: NotRequired[
        Annotated[list[ResourceInformation], Doc("Each resource's dependencies, from the compiled graph.")]
    ]


class GraphRevision(TypedDict):
    apiVersion: str
    kind: str
    metadata: Annotated[dict[str, Any], Extra({"type": "object"})]
    spec: Annotated[GraphRevisionSpec, Immutable()]
    status: NotRequired[GraphRevisionStatus]
