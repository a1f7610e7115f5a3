"""Table output helpers: JSONPath subset and ages."""

from __future__ import annotations

from datetime import UTC, datetime

from kro.devcluster.registry import PrinterColumn, ResourceType
from kro.devcluster.rest.table import human_duration, jsonpath, table

OBJ = {
    "metadata": {"name": "a", "creationTimestamp": "2026-01-01T00:00:00Z"},
    "spec": {"replicas": 3, "ports": [{"port": 80}, {"port": 443}]},
    "status": {"conditions": [{"type": "Ready", "status": "True"}, {"type": "Synced", "status": "False"}]},
}


def test_jsonpath_fields_indexes_and_filters() -> None:
    assert jsonpath(OBJ, ".spec.replicas") == 3
    assert jsonpath(OBJ, ".spec.ports[1].port") == 443
    assert jsonpath(OBJ, '.status.conditions[?(@.type=="Synced")].status') == "False"
    assert jsonpath(OBJ, "{.metadata.name}") == "a"
    assert jsonpath(OBJ, ".spec.missing.deeper") is None
    assert jsonpath(OBJ, ".spec.ports[7]") is None


def test_human_duration_matches_kubectl() -> None:
    assert [human_duration(s) for s in (5, 119, 150, 3600, 7 * 3600 + 60, 30 * 3600, 3 * 86400 + 3600, 400 * 86400)] == [
        "5s", "119s", "2m30s", "60m", "7h1m", "30h", "3d1h", "400d",
    ]


def test_table_has_printer_columns_and_age() -> None:
    rt = ResourceType(
        "example.com", "v1", "W", "ws", True, printer_columns=(PrinterColumn("Replicas", "integer", ".spec.replicas"),), crd_name="ws.example.com"
    )
    out = table(rt, [OBJ], resource_version="7", now=datetime(2026, 1, 1, 0, 1, tzinfo=UTC))
    assert [c["name"] for c in out["columnDefinitions"]] == ["Name", "Replicas", "Age"]
    assert out["rows"][0]["cells"] == ["a", 3, "60s"]
    assert out["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
