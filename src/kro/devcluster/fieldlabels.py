"""Which field selectors a kind accepts, and how each selectable field reads from an object.

kube-apiserver only filters on the fields a kind registers (its "field label conversion"); any
other label is a 400 BadRequest before anything is listed. Kinds that register their own list
answer ``field label not supported: <label>``; every other built-in kind takes only
``metadata.name`` and ``metadata.namespace`` and answers ``"<label>" is not a known field selector:
only "metadata.name", "metadata.namespace"``. Custom resources take ``metadata.name``,
``metadata.namespace`` (namespaced kinds only) and their CRD version's ``selectableFields``.

A selectable field is not always a plain path: a Job's ``status.successful`` is its
``status.succeeded`` count, numbers and booleans read as their defaults when unset, an Event's
``source`` falls back to its reporting controller.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kro.devcluster.errors import BadRequest
from kro.devcluster.registry import ResourceType
from kro.devcluster.storage import FieldSelector


@dataclass(frozen=True)
class Field:
    path: str  # where the value is read ("" for a label that is accepted but never set)
    default: str = ""
    fallback: str = ""


_NAME, _NAMESPACE = "metadata.name", "metadata.namespace"
_META = {_NAME: Field(_NAME), _NAMESPACE: Field(_NAMESPACE)}
_INVOLVED = ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")

# (group, kind) -> the labels the kind registers. Kinds not listed take only the two metadata fields.
_OWN: dict[tuple[str, str], dict[str, Field]] = {
    ("", "Pod"): {
        **_META,
        "spec.nodeName": Field("spec.nodeName"),
        "spec.host": Field("spec.nodeName"),  # the old name, still accepted
        "spec.restartPolicy": Field("spec.restartPolicy"),
        "spec.schedulerName": Field("spec.schedulerName"),
        "spec.serviceAccountName": Field("spec.serviceAccountName"),
        "spec.hostNetwork": Field("spec.hostNetwork", default="false"),
        "status.phase": Field("status.phase"),
        "status.podIP": Field("status.podIP"),
        "status.podIPs": Field(""),
        "status.nominatedNodeName": Field("status.nominatedNodeName"),
    },
    ("", "Node"): {_NAME: Field(_NAME), "spec.unschedulable": Field("spec.unschedulable", default="false")},
    ("", "Namespace"): {_NAME: Field(_NAME), "status.phase": Field("status.phase")},
    ("", "Secret"): {**_META, "type": Field("type")},
    ("", "ReplicationController"): {**_META, "status.replicas": Field("status.replicas", default="0")},
    ("", "Event"): {
        **_META,
        **{f"involvedObject.{f}": Field(f"involvedObject.{f}") for f in _INVOLVED},
        "reason": Field("reason"),
        "reportingComponent": Field("reportingComponent"),
        "source": Field("source.component", fallback="reportingComponent"),
        "type": Field("type"),
    },
    ("batch", "Job"): {**_META, "status.successful": Field("status.succeeded", default="0")},
    ("certificates.k8s.io", "CertificateSigningRequest"): {_NAME: Field(_NAME), "spec.signerName": Field("spec.signerName")},
}


def selectable(rt: ResourceType) -> dict[str, Field] | None:
    """The labels a custom resource or a kind with its own list accepts; ``None``: the default two."""
    if rt.is_custom:
        fields = {_NAME: Field(_NAME)}
        if rt.namespaced:
            fields[_NAMESPACE] = Field(_NAMESPACE)
        for path in rt.selectable_fields:
            label = path.lstrip(".")
            fields[label] = Field(label)
        return fields
    return _OWN.get((rt.group, rt.kind))


def resolve(rt: ResourceType, selector: FieldSelector) -> FieldSelector:
    """``selector`` checked against the kind's selectable fields and bound to where each reads
    from; raises kube-apiserver's 400 for a label the kind does not support."""
    if selector.empty:
        return selector
    own = selectable(rt)
    fields = own if own is not None else _META
    bound = []
    for req in selector.requirements:
        field = fields.get(req.path)
        if field is None:
            if own is None:
                raise BadRequest(f'"{req.path}" is not a known field selector: only "{_NAME}", "{_NAMESPACE}"')
            raise BadRequest(f"field label not supported: {req.path}")
        bound.append(replace(req, source=field.path, default=field.default, fallback=field.fallback))
    return FieldSelector(tuple(bound))
