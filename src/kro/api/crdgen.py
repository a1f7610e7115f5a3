"""Generate OpenAPI schemas and CRDs from annotated TypedDicts (see :mod:`kro.api.markers`)."""

from __future__ import annotations

import typing
from typing import Any, NotRequired, Required, get_args, get_origin, get_type_hints

from kro.api import markers as m

_SCALARS: dict[type, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
}


def openapi_for(tp: Any, *, field_name: str = "") -> dict[str, Any]:
    """The OpenAPI v3 (structural) schema of a type built from TypedDicts, lists, dicts and scalars."""
    metadata: tuple[Any, ...] = ()
    if get_origin(tp) is typing.Annotated:
        tp, *rest = get_args(tp)
        metadata = tuple(rest)
        if get_origin(tp) is typing.Annotated:  # nested Annotated (an alias): flatten
            inner = openapi_for(tp, field_name=field_name)
            return _apply(inner, metadata, field_name)
    if any(isinstance(x, m.PreserveUnknown) for x in metadata):
        schema: dict[str, Any] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    else:
        schema = _structural(tp)
    return _apply(schema, metadata, field_name)


def _structural(tp: Any) -> dict[str, Any]:
    if tp in _SCALARS:
        return dict(_SCALARS[tp])
    origin = get_origin(tp)
    if origin is list:
        (item,) = get_args(tp)
        return {"type": "array", "items": openapi_for(item)}
    if origin is dict:
        _key, value = get_args(tp)
        if value is Any:
            return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        return {"type": "object", "additionalProperties": openapi_for(value)}
    if typing.is_typeddict(tp):
        return _object(tp)
    raise TypeError(f"no OpenAPI mapping for {tp!r}")


def _object(td: Any) -> dict[str, Any]:
    hints = get_type_hints(td, include_extras=True)
    props: dict[str, Any] = {}
    required: list[str] = []
    for name, hint in hints.items():
        optional = name in td.__optional_keys__
        origin = get_origin(hint)
        if origin in (NotRequired, Required):
            # with postponed annotations TypedDict cannot see the qualifier: read it from the hint
            optional = origin is NotRequired
            (hint,) = get_args(hint)
        props[name] = openapi_for(hint, field_name=name)
        if not optional:
            required.append(name)
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = sorted(required)
    return out


def _apply(schema: dict[str, Any], metadata: tuple[Any, ...], field_name: str) -> dict[str, Any]:
    rules: list[dict[str, str]] = list(schema.get("x-kubernetes-validations", []))
    for x in metadata:
        if isinstance(x, m.Doc):
            schema["description"] = x.text
        elif isinstance(x, m.Pattern):
            schema["pattern"] = x.regex
        elif isinstance(x, m.Enum):
            schema["enum"] = list(x.values)
        elif isinstance(x, m.Default):
            schema["default"] = x.value
        elif isinstance(x, m.MaxItems):
            schema["maxItems"] = x.n
        elif isinstance(x, m.MinItems):
            schema["minItems"] = x.n
        elif isinstance(x, m.Minimum):
            schema["minimum"] = x.n
        elif isinstance(x, m.MinLength):
            schema["minLength"] = x.n
        elif isinstance(x, m.Format):
            schema["format"] = x.name
        elif isinstance(x, m.ListType):
            schema["x-kubernetes-list-type"] = x.kind
            if x.map_keys:
                schema["x-kubernetes-list-map-keys"] = list(x.map_keys)
        elif isinstance(x, m.Rule):
            rules.append({"rule": x.rule, "message": x.message})
        elif isinstance(x, m.Immutable):
            rules.append({"rule": "self == oldSelf", "message": f"{field_name or 'field'} is immutable"})
        elif isinstance(x, m.Extra):
            schema.clear()
            schema.update(x.schema)
    if rules:
        schema["x-kubernetes-validations"] = rules
    return schema


def rgd_crd() -> dict[str, Any]:
    """The ResourceGraphDefinition CustomResourceDefinition, generated from :mod:`kro.api.v1alpha1`."""
    from kro.api import KRO_GROUP, KRO_VERSION, RGD_KIND, RGD_PLURAL
    from kro.api.v1alpha1 import ResourceGraphDefinition

    schema = openapi_for(ResourceGraphDefinition)
    schema["required"] = ["spec"]
    ready = '.status.conditions[?(@.type=="Ready")].status'
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{RGD_PLURAL}.{KRO_GROUP}"},
        "spec": {
            "group": KRO_GROUP,
            "names": {
                "kind": RGD_KIND,
                "listKind": f"{RGD_KIND}List",
                "plural": RGD_PLURAL,
                "singular": RGD_KIND.lower(),
                "shortNames": ["rgd"],
                "categories": ["kro"],
            },
            "scope": "Cluster",
            "versions": [
                {
                    "name": KRO_VERSION,
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {"openAPIV3Schema": schema},
                    "additionalPrinterColumns": [
                        {"name": "APIVERSION", "type": "string", "jsonPath": ".spec.schema.apiVersion"},
                        {"name": "KIND", "type": "string", "jsonPath": ".spec.schema.kind"},
                        {"name": "STATE", "type": "string", "jsonPath": ".status.state"},
                        {"name": "READY", "type": "string", "jsonPath": ready},
                        {
                            "name": "TOPOLOGICALORDER",
                            "type": "string",
                            "jsonPath": ".status.topologicalOrder",
                            "priority": 1,
                        },
                        {"name": "AGE", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                    ],
                }
            ],
        },
    }


def resourcegraph_crd() -> dict[str, Any]:
    """The ResourceGraph CustomResourceDefinition, generated from :mod:`kro.api.resourcegraph`."""
    from kro.api.resourcegraph import RG_GROUP, RG_KIND, RG_PLURAL, RG_VERSION, ResourceGraph

    schema = openapi_for(ResourceGraph)
    schema["required"] = ["spec"]
    ready = '.status.conditions[?(@.type=="Ready")].status'
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{RG_PLURAL}.{RG_GROUP}"},
        "spec": {
            "group": RG_GROUP,
            "names": {
                "kind": RG_KIND,
                "listKind": f"{RG_KIND}List",
                "plural": RG_PLURAL,
                "singular": RG_KIND.lower(),
                "shortNames": ["rg"],
                "categories": ["kro"],
            },
            "scope": "Cluster",
            "versions": [
                {
                    "name": RG_VERSION,
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {"openAPIV3Schema": schema},
                    "additionalPrinterColumns": [
                        {"name": "ROOTGROUP", "type": "string", "jsonPath": ".spec.root.apiGroup"},
                        {"name": "ROOTKIND", "type": "string", "jsonPath": ".spec.root.kind"},
                        {"name": "STATE", "type": "string", "jsonPath": ".status.state"},
                        {"name": "READY", "type": "string", "jsonPath": ready},
                        {"name": "ROOTS", "type": "integer", "jsonPath": ".status.roots.matched"},
                        {"name": "SYNCED", "type": "integer", "jsonPath": ".status.roots.synced"},
                        {"name": "FAILING", "type": "integer", "jsonPath": ".status.roots.failing"},
                        {
                            "name": "TOPOLOGICALORDER",
                            "type": "string",
                            "jsonPath": ".status.topologicalOrder",
                            "priority": 1,
                        },
                        {"name": "AGE", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                    ],
                }
            ],
        },
    }


def kro_crds() -> list[dict[str, Any]]:
    """Every CRD kro installs: ResourceGraphDefinition, GraphRevision and ResourceGraph."""
    return [rgd_crd(), graph_revision_crd(), resourcegraph_crd()]


def graph_revision_crd() -> dict[str, Any]:
    """The GraphRevision CustomResourceDefinition, generated from :mod:`kro.api.internal_v1alpha1`."""
    from kro.api import internal_v1alpha1 as gr
    from kro.api.keys import Labels

    schema = openapi_for(gr.GraphRevision)
    schema["description"] = "An immutable, numbered snapshot of a ResourceGraphDefinition's spec."
    ready = '.status.conditions[?(@.type=="Ready")].status'
    hash_label = Labels.GRAPH_REVISION_HASH.replace(".", "\\.")
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{gr.GRAPH_REVISION_PLURAL}.{gr.INTERNAL_GROUP}"},
        "spec": {
            "group": gr.INTERNAL_GROUP,
            "names": {
                "kind": gr.GRAPH_REVISION_KIND,
                "listKind": f"{gr.GRAPH_REVISION_KIND}List",
                "plural": gr.GRAPH_REVISION_PLURAL,
                "singular": gr.GRAPH_REVISION_KIND.lower(),
                "shortNames": ["gr"],
            },
            "scope": "Cluster",
            "versions": [
                {
                    "name": gr.INTERNAL_VERSION,
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {"openAPIV3Schema": schema},
                    "selectableFields": [{"jsonPath": ".spec.snapshot.name"}],
                    "additionalPrinterColumns": [
                        {"name": "RGD", "type": "string", "jsonPath": ".spec.snapshot.name", "priority": 1},
                        {"name": "REVISION", "type": "integer", "jsonPath": ".spec.revision"},
                        {
                            "name": "HASH",
                            "type": "string",
                            "jsonPath": f".metadata.labels.{hash_label}",
                            "priority": 1,
                        },
                        {"name": "READY", "type": "string", "jsonPath": ready},
                        {"name": "AGE", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                    ],
                }
            ],
        },
    }
