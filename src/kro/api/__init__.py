"""The vocabulary every layer shares: API group and versions, object references, label and annotation
keys, condition types, reasons and states.

Everything here is a constant or a tiny immutable value type; it imports nothing but the standard
library. Names match upstream kro's ``kro.run/v1alpha1`` exactly, because users select on them.
"""

from kro.api.conditions import (
    ConditionReason,
    ConditionType,
    InstanceState,
    NodeState,
    RGDState,
)
from kro.api.keys import Annotations, Finalizers, Labels
from kro.api.refs import GVK, GVR, ObjectRef, split_api_version

KRO_GROUP = "kro.run"
KRO_VERSION = "v1alpha1"
KRO_API_VERSION = f"{KRO_GROUP}/{KRO_VERSION}"
RGD_KIND = "ResourceGraphDefinition"
RGD_PLURAL = "resourcegraphdefinitions"

__all__ = [
    "GVK",
    "GVR",
    "KRO_API_VERSION",
    "KRO_GROUP",
    "KRO_VERSION",
    "RGD_KIND",
    "RGD_PLURAL",
    "Annotations",
    "ConditionReason",
    "ConditionType",
    "Finalizers",
    "InstanceState",
    "Labels",
    "NodeState",
    "ObjectRef",
    "RGDState",
    "split_api_version",
]
