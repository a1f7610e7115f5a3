"""Label, annotation and finalizer keys, spelled exactly as upstream kro spells them.

Users select children with these labels (``kubectl get all -l kro.run/instance-name=…``) and
kubectl's ApplySet tooling reads the ``applyset.kubernetes.io`` ones, so they are part of the API.
"""

from __future__ import annotations


class Labels:
    OWNED = "kro.run/owned"
    KRO_VERSION = "kro.run/kro-version"
    RGD_ID = "kro.run/resource-graph-definition-id"
    RGD_NAME = "kro.run/resource-graph-definition-name"
    INSTANCE_ID = "kro.run/instance-id"
    INSTANCE_NAME = "kro.run/instance-name"
    INSTANCE_NAMESPACE = "kro.run/instance-namespace"
    INSTANCE_GROUP = "kro.run/instance-group"
    INSTANCE_VERSION = "kro.run/instance-version"
    INSTANCE_KIND = "kro.run/instance-kind"
    NODE_ID = "kro.run/node-id"
    COLLECTION_INDEX = "kro.run/collection-index"
    COLLECTION_SIZE = "kro.run/collection-size"
    MANAGED_BY = "app.kubernetes.io/managed-by"
    MANAGED_BY_VALUE = "kro"
    APPLYSET_PART_OF = "applyset.kubernetes.io/part-of"
    APPLYSET_ID = "applyset.kubernetes.io/id"
    RBAC_AGGREGATE = "rbac.kro.run/aggregate-to-controller"
    ROOT = "kro.dev/root"
    """On a ResourceGraph's children: the name of their root."""
    GRAPH = "kro.dev/graph"
    """On a root (label or annotation): the ResourceGraph it belongs to; on managed children too."""
    GRAPH_REVISION_HASH = "kro.run/graph-revision-hash"
    """On a GraphRevision: the hash of the normalized RGD spec it snapshots."""

    # Prefixes a template may not use: kro owns them.
    RESERVED_PREFIXES = ("kro.run/", "internal.kro.run/")


class Annotations:
    APPLY_ORDER = "internal.kro.run/apply-order"
    DESIRED_HASH = "internal.kro.run/desired-hash"
    """A digest of everything kro applied to a child: when it matches, the child needs no apply."""
    RECONCILE = "kro.run/reconcile"
    RECONCILE_SUSPENDED = "suspended"
    RECONCILE_DISABLED_LEGACY = "disabled"
    ALLOW_BREAKING_CHANGES = "kro.run/allow-breaking-changes"
    APPLYSET_TOOLING = "applyset.kubernetes.io/tooling"
    APPLYSET_CONTAINS_GROUP_KINDS = "applyset.kubernetes.io/contains-group-kinds"
    APPLYSET_ADDITIONAL_NAMESPACES = "applyset.kubernetes.io/additional-namespaces"
    APPLYSET_INVENTORY_HASH = "internal.kro.run/applyset-inventory-hash"


class Finalizers:
    KRO = "kro.run/finalizer"
    ROOT = "kro.dev/finalizer"
    """On a ResourceGraph's root, only while it has children to delete or release."""


class FieldManagers:
    """Server-side-apply field managers kro writes with."""

    LABELLER = "kro.run/labeller"
    APPLYSET = "kro.run/applyset"
    APPLYSET_PARENT = "kro.run/applyset-parent"
    RGD_CONTROLLER = "kro.run/rgd-controller"
