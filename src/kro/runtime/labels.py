"""The labels and annotations kro puts on an instance's children and on the instance itself.

They are part of the API: users select children with them (``-l kro.run/instance-name=…``), kubectl's
ApplySet pruning reads ``applyset.kubernetes.io/part-of``, and the deletion flow reads
``internal.kro.run/apply-order``."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any

from kro.api.keys import Annotations, Labels
from kro.api.refs import GVK


def applyset_id(*, name: str, namespace: str, kind: str, group: str) -> str:
    """The KEP-3659 ApplySet id of a parent: base64url without padding of
    ``sha256("<name>.<namespace>.<kind>.<group>")``, wrapped in ``applyset-…-v1``."""
    digest = hashlib.sha256(".".join((name, namespace, kind, group)).encode()).digest()
    return f"applyset-{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}-v1"


def instance_applyset_id(instance: Mapping[str, Any], gvk: GVK) -> str:
    meta = instance.get("metadata") or {}
    return applyset_id(
        name=str(meta.get("name", "")),
        namespace=str(meta.get("namespace") or ""),
        kind=gvk.kind,
        group=gvk.group,
    )


def child_labels(
    instance: Mapping[str, Any],
    instance_gvk: GVK,
    *,
    node_id: str,
    kro_version: str,
    collection: tuple[int, int] | None = None,
    part_of: str | None = None,
) -> dict[str, str]:
    """Labels every child of ``instance`` carries; ``collection`` is ``(index, size)`` for forEach
    items; ``part_of``: the instance's ApplySet id when the caller has it already."""
    meta = instance.get("metadata") or {}
    labels = {
        Labels.INSTANCE_ID: str(meta.get("uid", "")),
        Labels.INSTANCE_NAME: str(meta.get("name", "")),
        Labels.INSTANCE_GROUP: instance_gvk.group,
        Labels.INSTANCE_VERSION: instance_gvk.version,
        Labels.INSTANCE_KIND: instance_gvk.kind,
        Labels.OWNED: "true",
        Labels.KRO_VERSION: kro_version,
        Labels.MANAGED_BY: Labels.MANAGED_BY_VALUE,
        Labels.NODE_ID: node_id,
        Labels.APPLYSET_PART_OF: part_of or instance_applyset_id(instance, instance_gvk),
    }
    if meta.get("namespace"):
        labels[Labels.INSTANCE_NAMESPACE] = str(meta["namespace"])
    if collection is not None:
        labels[Labels.COLLECTION_INDEX] = str(collection[0])
        labels[Labels.COLLECTION_SIZE] = str(collection[1])
    return labels


def child_annotations(*, apply_order: int) -> dict[str, str]:
    return {Annotations.APPLY_ORDER: str(apply_order)}


def instance_labels(*, rgd_name: str, rgd_uid: str, kro_version: str) -> dict[str, str]:
    """Labels the controller sets on the instance itself (field manager ``kro.run/labeller``)."""
    labels = {Labels.RGD_NAME: rgd_name, Labels.OWNED: "true", Labels.KRO_VERSION: kro_version}
    if rgd_uid:
        labels[Labels.RGD_ID] = rgd_uid
    return labels


def decorate(
    body: Mapping[str, Any], *, labels: Mapping[str, str], annotations: Mapping[str, str]
) -> dict[str, Any]:
    """A copy of ``body`` with kro's labels and annotations merged over the template's own."""
    out = dict(body)
    meta = dict(out.get("metadata") or {})
    meta["labels"] = {**(meta.get("labels") or {}), **labels}
    meta["annotations"] = {**(meta.get("annotations") or {}), **annotations}
    out["metadata"] = meta
    return out


def applyset_parent_metadata(
    instance: Mapping[str, Any],
    gvk: GVK,
    *,
    group_kinds: list[GVK],
    kro_version: str,
    applyset: str | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """Labels and annotations that make the instance the parent of its children's ApplySet
    (KEP-3659), so ``kubectl`` ApplySet tooling can list and prune them; ``applyset``: the
    instance's ApplySet id when the caller has it already."""
    kinds = sorted({f"{k.kind}.{k.group}" if k.group else k.kind for k in group_kinds})
    labels = {Labels.APPLYSET_ID: applyset or instance_applyset_id(instance, gvk)}
    annotations = {
        Annotations.APPLYSET_TOOLING: f"kro/{kro_version}",
        Annotations.APPLYSET_CONTAINS_GROUP_KINDS: ",".join(kinds),
    }
    return labels, annotations
