"""Condition types, reasons and states of RGDs and instances (kro.run/v1alpha1)."""

from __future__ import annotations

from enum import StrEnum


class ConditionType(StrEnum):
    # ResourceGraphDefinition
    GRAPH_ACCEPTED = "GraphAccepted"
    KIND_READY = "KindReady"
    CONTROLLER_READY = "ControllerReady"
    GRAPH_REVISIONS_RESOLVED = "GraphRevisionsResolved"
    # instance
    INSTANCE_MANAGED = "InstanceManaged"
    GRAPH_RESOLVED = "GraphResolved"
    RESOURCES_READY = "ResourcesReady"
    GRAPH_REVISION_CURRENT = "GraphRevisionCurrent"
    """Informational (not part of Ready): the instance runs its RGD's newest graph revision."""
    # GraphRevision
    GRAPH_VERIFIED = "GraphVerified"
    # both: the aggregate of the others
    READY = "Ready"


class ConditionReason(StrEnum):
    READY = "Ready"
    # RGD
    VALID = "Valid"
    INVALID_RESOURCE_GRAPH = "InvalidResourceGraph"
    FAILED = "Failed"
    RUNNING = "Running"
    FAILED_TO_START = "FailedToStart"
    RESOLVED = "Resolved"
    WAITING_FOR_GRAPH_REVISION_SETTLEMENT = "WaitingForGraphRevisionSettlement"
    WAITING_FOR_GRAPH_REVISION_WARMUP = "WaitingForGraphRevisionWarmup"
    WAITING_FOR_GRAPH_REVISION_COMPILATION = "WaitingForGraphRevisionCompilation"
    # GraphRevision
    VERIFIED = "Verified"
    INVALID_GRAPH = "InvalidGraph"
    # instance
    MANAGED = "Managed"
    MANAGEMENT_FAILED = "ManagementFailed"
    RESOLUTION_FAILED = "ResolutionFailed"
    ALL_RESOURCES_READY = "AllResourcesReady"
    NOT_READY = "NotReady"
    RESOURCE_DELETING = "ResourceDeleting"
    RECONCILIATION_SUSPENDED = "ReconciliationSuspended"
    UNDER_DELETION = "UnderDeletion"
    CURRENT = "Current"
    NEWEST_REVISION_FAILED = "NewestRevisionFailed"
    NEWEST_REVISION_REFUSED = "NewestRevisionRefused"


class RGDState(StrEnum):
    ACTIVE = "Active"
    INACTIVE = "Inactive"


class InstanceState(StrEnum):
    ACTIVE = "ACTIVE"
    IN_PROGRESS = "IN_PROGRESS"
    ERROR = "ERROR"
    DELETING = "DELETING"
    FAILED = "FAILED"


class NodeState(StrEnum):
    SYNCED = "SYNCED"
    SKIPPED = "SKIPPED"
    IN_PROGRESS = "IN_PROGRESS"
    WAITING_FOR_READINESS = "WAITING_FOR_READINESS"
    ERROR = "ERROR"
    DELETING = "DELETING"
    DELETED = "DELETED"
