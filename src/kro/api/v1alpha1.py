"""The ResourceGraphDefinition API (``kro.run/v1alpha1``) as Python types.

These TypedDicts describe the raw JSON shape of an RGD, field for field as upstream kro defines it,
with the validation carried by :mod:`kro.api.markers`. :func:`kro.api.crdgen.rgd_crd` generates the
RGD CustomResourceDefinition from them (``kro install --print-crd``, and the Helm chart's copy).
"""

from __future__ import annotations

from typing import Annotated, Any, NotRequired, TypedDict

from kro.api.markers import (
    Default,
    Doc,
    Enum,
    Extra,
    Format,
    Immutable,
    ListType,
    MaxItems,
    MinLength,
    Pattern,
    PreserveUnknown,
    Rule,
)

_DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"

FreeForm = Annotated[dict[str, Any], PreserveUnknown()]


class CRDMetadata(TypedDict):
    labels: NotRequired[Annotated[dict[str, str], Doc("Labels put on the generated CRD.")]]
    annotations: NotRequired[Annotated[dict[str, str], Doc("Annotations put on the generated CRD.")]]


class PrinterColumn(TypedDict):
    name: str
    type: str
    jsonPath: str
    description: NotRequired[str]
    format: NotRequired[str]
    priority: NotRequired[Annotated[int, Format("int32")]]


class Schema(TypedDict):
    kind: Annotated[
        str,
        Doc("Kind of the generated API, e.g. WebApp."),
        Pattern(r"^[A-Z][a-zA-Z0-9]{0,62}$"),
        Immutable(),
    ]
    apiVersion: Annotated[
        str,
        Doc("Version of the generated API, e.g. v1alpha1."),
        Pattern(r"^v[0-9]+(alpha[0-9]+|beta[0-9]+)?$"),
        Immutable(),
    ]
    group: NotRequired[Annotated[str, Doc("API group of the generated CRD."), Default("kro.run"), Immutable()]]
    scope: NotRequired[
        Annotated[
            str,
            Doc("Whether instances are namespaced or cluster-scoped."),
            Enum(("Namespaced", "Cluster")),
            Default("Namespaced"),
            Immutable(),
        ]
    ]
    spec: NotRequired[Annotated[FreeForm, Doc("SimpleSchema of the instance spec.")]]
    types: NotRequired[Annotated[FreeForm, Doc("Custom SimpleSchema types, by name.")]]
    status: NotRequired[Annotated[FreeForm, Doc("Status fields as ${...} CEL expressions.")]]
    additionalPrinterColumns: NotRequired[
        Annotated[list[PrinterColumn], Doc("Printer columns; they replace the default ones.")]
    ]
    shortNames: NotRequired[Annotated[list[Annotated[str, Pattern(_DNS_LABEL)]], MaxItems(32)]]
    categories: NotRequired[Annotated[list[Annotated[str, Pattern(_DNS_LABEL)]], MaxItems(32)]]
    metadata: NotRequired[CRDMetadata]


class LabelSelectorRequirement(TypedDict):
    key: str
    operator: str
    values: NotRequired[list[str]]


class LabelSelector(TypedDict):
    matchLabels: NotRequired[dict[str, str]]
    matchExpressions: NotRequired[list[LabelSelectorRequirement]]


class ExternalRefMetadata(TypedDict):
    name: NotRequired[str]
    namespace: NotRequired[str]
    selector: NotRequired[LabelSelector]


class ExternalRef(TypedDict):
    apiVersion: Annotated[str, MinLength(1)]
    kind: Annotated[str, MinLength(1)]
    metadata: Annotated[
        ExternalRefMetadata,
        Rule("has(self.name) != has(self.selector)", "exactly one of name or selector must be set"),
    ]


class Resource(TypedDict):
    id: Annotated[str, Doc("Unique id of the resource in the graph; CEL refers to it by this name."), MinLength(1)]
    template: NotRequired[Annotated[FreeForm, Doc("The Kubernetes object to create per instance.")]]
    externalRef: NotRequired[Annotated[ExternalRef, Doc("An existing object to read, never written.")]]
    readyWhen: NotRequired[Annotated[list[str], Doc("CEL conditions that must hold before dependents run.")]]
    includeWhen: NotRequired[Annotated[list[str], Doc("CEL conditions that include this resource.")]]
    forEach: NotRequired[
        Annotated[list[dict[str, str]], Doc("Collection dimensions: each a one-key map iterator -> ${list}.")]
    ]


class RGDSpec(TypedDict):
    schema: Schema
    resources: NotRequired[
        Annotated[
            list[
                Annotated[
                    Resource,
                    Rule("has(self.template) != has(self.externalRef)", "exactly one of template or externalRef"),
                ]
            ],
            Doc("The resources each instance gets."),
        ]
    ]


class Condition(TypedDict):
    type: str
    status: Annotated[str, Enum(("True", "False", "Unknown"))]
    reason: NotRequired[str]
    message: NotRequired[str]
    lastTransitionTime: NotRequired[Annotated[str, Format("date-time")]]
    observedGeneration: NotRequired[Annotated[int, Format("int64")]]


class Dependency(TypedDict):
    id: str


class ResourceInformation(TypedDict):
    id: str
    dependencies: NotRequired[list[Dependency]]


class RGDStatus(TypedDict):
    state: NotRequired[Annotated[str, Enum(("Active", "Inactive"))]]
    topologicalOrder: NotRequired[list[str]]
    conditions: NotRequired[Annotated[list[Condition], ListType("map", ("type",))]]
    resources: NotRequired[list[ResourceInformation]]
    lastIssuedRevision: NotRequired[Annotated[int, Format("int64")]]


class ResourceGraphDefinition(TypedDict):
    apiVersion: str
    kind: str
    metadata: Annotated[dict[str, Any], Extra({"type": "object"})]
    spec: RGDSpec
    status: NotRequired[RGDStatus]
