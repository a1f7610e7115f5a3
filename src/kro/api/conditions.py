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
    # instance
    MANAGED = "Managed"
    MANAGEMENT_FAILED = "ManagementFailed"
    RESOLUTION_FAILED = "ResolutionFailed"
    ALL_RESOURCES_READY = "AllResourcesReady"
    NOT_READY = "NotReady"
    RESOURCE_DELETING = "ResourceDeleting"
    RECONCILIATION_SUSPENDED = "ReconciliationSuspended"
    UNDER_DELETION = "UnderDeletion"


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
