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


def test_crd_table_shows_name_and_exactly_the_declared_columns() -> None:
    """kube-apiserver adds Age to a custom resource's table only when the CRD declares no columns;
    declared types (``date`` too) and descriptions pass through, cells keep only values of their type."""
    cols = (
        PrinterColumn("Replicas", "integer", ".spec.replicas"),
        PrinterColumn("Created", "date", ".metadata.creationTimestamp", "When it was made"),
        PrinterColumn("Ports", "string", ".spec.ports"),
        PrinterColumn("Bad", "integer", ".metadata.name"),
    )
    rt = ResourceType("example.com", "v1", "W", "ws", True, printer_columns=cols, crd_name="ws.example.com")
    out = table(rt, [OBJ], resource_version="7", now=datetime(2026, 1, 1, 0, 1, tzinfo=UTC))
    defs = out["columnDefinitions"]
    assert [(c["name"], c["type"]) for c in defs] == [
        ("Name", "string"), ("Replicas", "integer"), ("Created", "date"), ("Ports", "string"), ("Bad", "integer"),
    ]
    assert defs[1]["description"] == "Custom resource definition column (in JSONPath format): .spec.replicas"
    assert defs[2]["description"] == "When it was made"
    assert out["rows"][0]["cells"] == ["a", 3, "60s", '[{"port":80},{"port":443}]', None]
    assert out["rows"][0]["object"]["kind"] == "PartialObjectMetadata"

    bare = ResourceType("example.com", "v1", "W", "ws", True, crd_name="ws.example.com")
    out = table(bare, [OBJ], resource_version="7", now=datetime(2026, 1, 1, 0, 1, tzinfo=UTC))
    assert [(c["name"], c["type"]) for c in out["columnDefinitions"]] == [("Name", "string"), ("Age", "date")]
    assert out["rows"][0]["cells"] == ["a", "60s"]


NOW = datetime(2026, 1, 1, 0, 10, tzinfo=UTC)
CREATED = {"creationTimestamp": "2026-01-01T00:00:00Z"}


def builtin(group: str, kind: str, plural: str, *, namespaced: bool = True) -> ResourceType:
    return ResourceType(group, "v1", kind, plural, namespaced)


def test_pod_columns_match_kube_apiserver_including_wide() -> None:
    pod = {
        "metadata": {"name": "web-0", **CREATED},
        "spec": {"nodeName": "node-1", "containers": [{"name": "a"}, {"name": "b"}]},
        "status": {"phase": "Running", "podIP": "10.244.0.5", "podIPs": [{"ip": "10.244.0.5"}],
                   "containerStatuses": [
                       {"name": "a", "ready": True, "restartCount": 0, "state": {"running": {}}},
                       {"name": "b", "ready": False, "restartCount": 2, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                        "lastState": {"terminated": {"finishedAt": "2026-01-01T00:09:00Z"}}},
                   ]},
    }
    out = table(builtin("", "Pod", "pods"), [pod], resource_version="1", now=NOW)
    defs = [(c["name"], c["priority"]) for c in out["columnDefinitions"]]
    assert defs == [("Name", 0), ("Ready", 0), ("Status", 0), ("Restarts", 0), ("Age", 0),
                    ("IP", 1), ("Node", 1), ("Nominated Node", 1), ("Readiness Gates", 1)]
    assert out["rows"][0]["cells"] == ["web-0", "1/2", "CrashLoopBackOff", "2 (60s ago)", "10m",
                                       "10.244.0.5", "node-1", "<none>", "<none>"]


def test_service_configmap_job_and_namespace_columns() -> None:
    svc = {"metadata": {"name": "db", **CREATED},
           "spec": {"type": "NodePort", "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"], "selector": {"app": "db"},
                    "ports": [{"port": 5432, "nodePort": 30001, "protocol": "TCP"}]}}
    out = table(builtin("", "Service", "services"), [svc], resource_version="1", now=NOW)
    assert [c["name"] for c in out["columnDefinitions"]] == ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"]
    assert out["rows"][0]["cells"] == ["db", "NodePort", "10.96.0.10", "<none>", "5432:30001/TCP", "10m", "app=db"]

    cm = {"metadata": {"name": "c", **CREATED}, "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}}
    out = table(builtin("", "ConfigMap", "configmaps"), [cm], resource_version="1", now=NOW)
    assert [c["name"] for c in out["columnDefinitions"]] == ["Name", "Data", "Age"]
    assert out["rows"][0]["cells"] == ["c", 3, "10m"]

    job = {"metadata": {"name": "j", **CREATED}, "spec": {"completions": 2, "template": {"spec": {"containers": [{"name": "m", "image": "busybox"}]}}},
           "status": {"succeeded": 2, "startTime": "2026-01-01T00:00:00Z", "completionTime": "2026-01-01T00:00:42Z",
                      "conditions": [{"type": "Complete", "status": "True"}]}}
    out = table(builtin("batch", "Job", "jobs"), [job], resource_version="1", now=NOW)
    assert [c["name"] for c in out["columnDefinitions"]][:5] == ["Name", "Status", "Completions", "Duration", "Age"]
    assert out["rows"][0]["cells"][:5] == ["j", "Complete", "2/2", "42s", "10m"]

    ns = {"metadata": {"name": "dev", **CREATED}, "status": {"phase": "Active"}}
    out = table(builtin("", "Namespace", "namespaces", namespaced=False), [ns], resource_version="1", now=NOW)
    assert out["rows"][0]["cells"] == ["dev", "Active", "10m"]


def test_event_columns_put_last_seen_first_and_name_wide() -> None:
    event = {"metadata": {"name": "web.17", **CREATED}, "type": "Warning", "reason": "BackOff", "message": "Back-off",
             "involvedObject": {"kind": "Pod", "name": "web"}, "lastTimestamp": "2026-01-01T00:09:30Z", "count": 3,
             "source": {"component": "kubelet"}}
    out = table(builtin("", "Event", "events"), [event], resource_version="1", now=NOW)
    assert [c["name"] for c in out["columnDefinitions"] if c["priority"] == 0] == ["Last Seen", "Type", "Reason", "Object", "Message"]
    assert out["rows"][0]["cells"][:4] == ["30s", "Warning", "BackOff", "pod/web"]


def test_jsonpath_reads_label_keys_with_dots_escaped_or_quoted() -> None:
    obj = {"metadata": {"labels": {"kro.run/graph-revision-hash": "0123abcd", "kro": {"run/x": "no"}}}}
    assert jsonpath(obj, r".metadata.labels.kro\.run/graph-revision-hash") == "0123abcd"
    assert jsonpath(obj, ".metadata.labels['kro.run/graph-revision-hash']") == "0123abcd"
    assert jsonpath(obj, ".metadata.labels.kro.run/x") == "no"  # unescaped dots separate fields


def test_column_types_and_descriptions_are_kube_apiservers() -> None:
    cm = {"metadata": {"name": "c", **CREATED}, "data": {"a": "1"}}
    defs = table(builtin("", "ConfigMap", "configmaps"), [cm], resource_version="1", now=NOW)["columnDefinitions"]
    assert [(c["name"], c["type"]) for c in defs] == [("Name", "string"), ("Data", "string"), ("Age", "string")]
    assert defs[1]["description"].startswith("Data contains the configuration data.")
    assert defs[0]["description"].startswith("Name must be unique within a namespace. Is required when creating")
    deploy = table(builtin("apps", "Deployment", "deployments"), [cm], resource_version="1", now=NOW)["columnDefinitions"]
    assert [c["type"] for c in deploy[:5]] == ["string"] * 5  # READY, UP-TO-DATE and AVAILABLE are strings
    crd = table(builtin("apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions", namespaced=False),
                [cm], resource_version="1", now=NOW)
    assert [(c["name"], c["type"]) for c in crd["columnDefinitions"]] == [("Name", "string"), ("Created At", "date")]
    assert crd["rows"][0]["cells"] == ["c", "2026-01-01T00:00:00Z"]


def test_more_builtin_kinds_have_their_columns() -> None:
    cron = {"metadata": {"name": "c", **CREATED}, "spec": {"schedule": "*/5 * * * *", "suspend": False,
            "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "busybox"}]}}}}}}
    out = table(builtin("batch", "CronJob", "cronjobs"), [cron], resource_version="1", now=NOW)
    assert [(c["name"], c["type"]) for c in out["columnDefinitions"] if c["priority"] == 0] == [
        ("Name", "string"), ("Schedule", "string"), ("Timezone", "string"), ("Suspend", "boolean"),
        ("Active", "integer"), ("Last Schedule", "string"), ("Age", "string"),
    ]
    assert out["rows"][0]["cells"][:7] == ["c", "*/5 * * * *", "<none>", "False", 0, "<none>", "10m"]
    hpa = {"metadata": {"name": "h", **CREATED}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 5,
           "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]}}
    out = table(builtin("autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers"), [hpa], resource_version="1", now=NOW)
    assert out["rows"][0]["cells"] == ["h", "Deployment/web", "cpu: <unknown>/80%", "<unset>", 5, 0, "10m"]
    pvc = {"metadata": {"name": "p", **CREATED}, "spec": {}, "status": {"phase": "Bound", "accessModes": ["ReadWriteMany", "ReadWriteOnce"]}}
    out = table(builtin("", "PersistentVolumeClaim", "persistentvolumeclaims"), [pvc], resource_version="1", now=NOW)
    assert out["rows"][0]["cells"][4] == "RWO,RWX"
    rb = {"metadata": {"name": "rb", **CREATED}, "roleRef": {"kind": "ClusterRole", "name": "view"},
          "subjects": [{"kind": "User", "name": "jane"}, {"kind": "ServiceAccount", "name": "sa", "namespace": "ns"}]}
    out = table(builtin("rbac.authorization.k8s.io", "RoleBinding", "rolebindings"), [rb], resource_version="1", now=NOW)
    assert out["rows"][0]["cells"] == ["rb", "ClusterRole/view", "10m", "jane", "", "ns/sa"]
