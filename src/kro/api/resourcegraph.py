"""The ResourceGraph API (``kro.dev/v1alpha1``) as Python types.

A ResourceGraph attaches a graph of children to an *existing* kind (the root), where a
ResourceGraphDefinition generates a new one. Roots are the objects of the root kind that carry
``kro.dev/graph: <graph name>`` (annotation or label). Each child is either *managed* (``id`` plus a
``template`` or ``externalRef``, with the RGD's ``readyWhen``, ``includeWhen`` and ``forEach``) or
*tracked* (``apiGroup``/``kind`` only: made by someone else, linked to its root by the
``kro.dev/root`` label). :func:`kro.api.crdgen.resourcegraph_crd` generates the CRD from these types.
"""

from __future__ import annotations

from typing import Annotated, Any, NotRequired, TypedDict

from kro.api.markers import Default, Doc, Enum, Extra, Format, ListType, MaxItems, MinLength, Pattern, Rule
from kro.api.v1alpha1 import Condition, ExternalRef, FreeForm

RG_GROUP = "kro.dev"
RG_VERSION = "v1alpha1"
RG_API_VERSION = f"{RG_GROUP}/{RG_VERSION}"
RG_KIND = "ResourceGraph"
RG_PLURAL = "resourcegraphs"
RELEASE_DELETE = "Delete"
RELEASE_ORPHAN = "Orphan"
FAILING_ROOTS_SHOWN = 5
"""How many failing roots ``status.failingRoots`` names."""

_KIND = r"^[A-Z][a-zA-Z0-9]{0,62}$"
_VERSION = r"^v[0-9]+(alpha[0-9]+|beta[0-9]+)?$"
_MANAGED_FIELDS = ("template", "externalRef")
_IS_MANAGED = "has(self.template) || has(self.externalRef)"


class RootRef(TypedDict):
    apiGroup: Annotated[str, Doc("API group of the root kind (empty for the core group).")]
    kind: Annotated[str, Doc("The root kind, e.g. ServiceMesh."), Pattern(_KIND)]
    version: NotRequired[
        Annotated[str, Doc("Version to read roots at; default: the CRD's storage version."), Pattern(_VERSION)]
    ]


class Child(TypedDict):
    id: NotRequired[
        Annotated[str, Doc("A managed child's id; CEL refers to it by this name."), MinLength(1)]
    ]
    template: NotRequired[Annotated[FreeForm, Doc("A managed child: the object kro creates per root.")]]
    externalRef: NotRequired[Annotated[ExternalRef, Doc("An existing object to read, never written.")]]
    readyWhen: NotRequired[Annotated[list[str], Doc("CEL conditions that must hold before dependents run.")]]
    includeWhen: NotRequired[Annotated[list[str], Doc("CEL conditions that include this child.")]]
    forEach: NotRequired[
        Annotated[list[dict[str, str]], Doc("Collection dimensions: each a one-key map iterator -> ${list}.")]
    ]
    apiGroup: NotRequired[Annotated[str, Doc("A tracked child's API group (empty for the core group).")]]
    kind: NotRequired[Annotated[str, Doc("A tracked child's kind: objects labelled kro.dev/root."), Pattern(_KIND)]]
    version: NotRequired[Annotated[str, Doc("A tracked child's version; default: the preferred one."), Pattern(_VERSION)]]


class ResourceGraphSpec(TypedDict):
    root: Annotated[RootRef, Doc("The existing kind whose objects are the roots.")]
    children: NotRequired[
        Annotated[
            list[
                Annotated[
                    Child,
                    Rule(
                        f"({_IS_MANAGED}) ? (has(self.id) && !has(self.kind) && !has(self.apiGroup) "
                        "&& !has(self.version) && !(has(self.template) && has(self.externalRef))) "
                        ": (has(self.kind) && !has(self.id) && !has(self.readyWhen) "
                        "&& !has(self.includeWhen) && !has(self.forEach))",
                        "a child is either managed (id and exactly one of template or externalRef) "
                        "or tracked (apiGroup and kind only)",
                    ),
                ]
            ],
            Doc("Each root's children, managed or tracked."),
            MaxItems(256),
        ]
    ]
    releasePolicy: NotRequired[
        Annotated[
            str,
            Doc(
                "What happens to a root's children when the root is deleted or stops carrying "
                "kro.dev/graph: Delete them, or Orphan them (kro's labels and ownerReferences removed)."
            ),
            Enum((RELEASE_DELETE, RELEASE_ORPHAN)),
            Default(RELEASE_DELETE),
        ]
    ]


class RootCounts(TypedDict):
    matched: NotRequired[Annotated[int, Doc("Roots carrying kro.dev/graph for this graph.")]]
    synced: NotRequired[Annotated[int, Doc("Roots whose children are all applied and ready.")]]
    failing: NotRequired[Annotated[int, Doc("Roots with a child in error.")]]


class FailingRoot(TypedDict):
    name: str
    namespace: NotRequired[str]
    child: NotRequired[str]
    message: NotRequired[str]


class ResourceGraphStatus(TypedDict):
    state: NotRequired[Annotated[str, Enum(("Active", "Inactive"))]]
    conditions: NotRequired[Annotated[list[Condition], ListType("map", ("type",))]]
    topologicalOrder: NotRequired[list[str]]
    acceptedGeneration: NotRequired[
        Annotated[int, Doc("The generation roots are served with."), Format("int64")]
    ]
    rootVersion: NotRequired[Annotated[str, Doc("The root kind's version in use.")]]
    roots: NotRequired[RootCounts]
    failingRoots: NotRequired[
        Annotated[list[FailingRoot], Doc("The first few failing roots and why."), MaxItems(FAILING_ROOTS_SHOWN)]
    ]


class ResourceGraph(TypedDict):
    apiVersion: str
    kind: str
    metadata: Annotated[dict[str, Any], Extra({"type": "object"})]
    spec: ResourceGraphSpec
    status: NotRequired[ResourceGraphStatus]
