"""Defaults of the storage.k8s.io and scheduling.k8s.io groups."""

from __future__ import annotations

from kro.devcluster.defaulting.engine import StructType, const

STORAGE_TYPES: dict[str, StructType] = {
    "StorageClass": StructType(defaults={"reclaimPolicy": const("Delete"), "volumeBindingMode": const("Immediate")}),
}
STORAGE_KINDS: dict[str, str] = {"StorageClass": "StorageClass"}

SCHEDULING_TYPES: dict[str, StructType] = {
    "PriorityClass": StructType(defaults={"preemptionPolicy": const("PreemptLowerPriority")}),
}
SCHEDULING_KINDS: dict[str, str] = {"PriorityClass": "PriorityClass"}
