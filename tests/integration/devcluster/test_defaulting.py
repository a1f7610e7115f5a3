"""Built-in kinds get kube-apiserver's defaults on write, as `kubectl get -o yaml` shows them on a
real v1.32 cluster."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import ApiClient
from tests.integration.devcluster.builders import deployment

NS = "/namespaces/default"

CONTAINER_DEFAULTS = {
    "resources": {},
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
}
POD_SPEC_DEFAULTS = {
    "dnsPolicy": "ClusterFirst",
    "restartPolicy": "Always",
    "schedulerName": "default-scheduler",
    "securityContext": {},
    "terminationGracePeriodSeconds": 30,
}


def _template(labels: dict[str, str], **spec: Any) -> dict[str, Any]:
    return {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], **spec}}


async def test_deployment_gets_every_default(api: ApiClient) -> None:
    body = deployment("web")
    body["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": 80}]
    body["spec"]["template"]["spec"]["containers"][0]["readinessProbe"] = {"httpGet": {"port": 80}}
    status, d = await api.post(f"/apis/apps/v1{NS}/deployments", body)
    assert status == 201, d
    spec = d["spec"]
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    assert (spec["replicas"], spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"]) == (1, 10, 600)
    assert spec["template"]["metadata"] == {"creationTimestamp": None, "labels": {"app": "web"}}
    pod = spec["template"]["spec"]
    assert {k: pod[k] for k in POD_SPEC_DEFAULTS} == POD_SPEC_DEFAULTS
    container = pod["containers"][0]
    assert container == {
        "name": "app", "image": "nginx", "imagePullPolicy": "Always", **CONTAINER_DEFAULTS,
        "ports": [{"containerPort": 80, "protocol": "TCP"}],
        "readinessProbe": {
            "httpGet": {"port": 80, "path": "/", "scheme": "HTTP"},
            "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3,
        },
    }
    assert d["status"] == {}


async def test_statefulset_daemonset_and_their_templates(api: ApiClient) -> None:
    sts = {
        "metadata": {"name": "db"},
        "spec": {
            "serviceName": "db", "selector": {"matchLabels": {"app": "db"}}, "template": _template({"app": "db"}),
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}],
        },
    }
    status, s = await api.post(f"/apis/apps/v1{NS}/statefulsets", sts)
    assert status == 201, s
    spec = s["spec"]
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert spec["podManagementPolicy"] == "OrderedReady" and spec["revisionHistoryLimit"] == 10 and spec["replicas"] == 1
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    assert spec["template"]["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    claim = spec["volumeClaimTemplates"][0]
    assert claim["spec"]["volumeMode"] == "Filesystem" and claim["status"] == {"phase": "Pending"}
    assert s["status"] == {"replicas": 0, "availableReplicas": 0}
    ds = {"metadata": {"name": "agent"}, "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": _template({"app": "agent"})}}
    status, d = await api.post(f"/apis/apps/v1{NS}/daemonsets", ds)
    assert status == 201, d
    assert d["spec"]["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    assert d["spec"]["revisionHistoryLimit"] == 10


async def test_job_and_cronjob_defaults_and_generated_selector(api: ApiClient) -> None:
    job = {"metadata": {"name": "migrate"}, "spec": {"template": _template({"step": "migrate"}, restartPolicy="Never")}}
    status, j = await api.post(f"/apis/batch/v1{NS}/jobs", job)
    assert status == 201, j
    uid = j["metadata"]["uid"]
    spec = j["spec"]
    assert {k: spec[k] for k in ("backoffLimit", "completions", "parallelism", "completionMode", "suspend",
                                 "podReplacementPolicy", "manualSelector")} == {
        "backoffLimit": 6, "completions": 1, "parallelism": 1, "completionMode": "NonIndexed", "suspend": False,
        "podReplacementPolicy": "TerminatingOrFailed", "manualSelector": False,
    }
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert spec["template"]["metadata"]["labels"] == {
        "step": "migrate", "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": "migrate",
        "controller-uid": uid, "job-name": "migrate",
    }
    assert j["metadata"]["labels"] == {"step": "migrate"}
    status, bad = await api.post(f"/apis/batch/v1{NS}/jobs", {"metadata": {"name": "bad"}, "spec": {"template": _template({})}})
    assert status == 422
    assert bad["message"] == 'Job.batch "bad" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"'
    cron = {"metadata": {"name": "nightly"}, "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {
        "template": _template({}, restartPolicy="OnFailure")}}}}
    status, c = await api.post(f"/apis/batch/v1{NS}/cronjobs", cron)
    assert status == 201, c
    assert {k: c["spec"][k] for k in ("concurrencyPolicy", "suspend", "successfulJobsHistoryLimit", "failedJobsHistoryLimit")} == {
        "concurrencyPolicy": "Allow", "suspend": False, "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
    }
    assert c["spec"]["jobTemplate"]["metadata"] == {"creationTimestamp": None}
    assert "backoffLimit" not in c["spec"]["jobTemplate"]["spec"]


async def test_pod_gets_admission_and_pod_only_defaults(api: ApiClient) -> None:
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [{
        "name": "app", "image": "registry.example.com:5000/app@sha256:" + "a" * 64,
        "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
    }], "volumes": [{"name": "scratch"}, {"name": "cfg", "configMap": {"name": "cfg"}}]}}
    status, p = await api.post(f"/api/v1{NS}/pods", pod)
    assert status == 201, p
    spec = p["spec"]
    container = spec["containers"][0]
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert container["resources"] == {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "1Gi"}}
    # and, from the ServiceAccount admission plugin, the API token's volume
    assert spec["volumes"][:2] == [{"name": "scratch", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "cfg", "defaultMode": 420}}]
    assert len(spec["volumes"]) == 3 and spec["volumes"][2]["name"].startswith("kube-api-access-")
    assert (spec["enableServiceLinks"], spec["serviceAccountName"], spec["serviceAccount"]) == (True, "default", "default")
    assert (spec["priority"], spec["preemptionPolicy"]) == (0, "PreemptLowerPriority")
    assert spec["tolerations"] == [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
    ]
    assert p["status"] == {"phase": "Pending", "qosClass": "Guaranteed"}


async def test_service_defaults(api: ApiClient) -> None:
    body = {"metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    status, s = await api.post(f"/api/v1{NS}/services", body)
    assert status == 201, s
    spec = s["spec"]
    assert spec["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    assert {k: spec[k] for k in ("type", "sessionAffinity", "internalTrafficPolicy", "ipFamilies", "ipFamilyPolicy")} == {
        "type": "ClusterIP", "sessionAffinity": "None", "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
    }
    assert s["status"] == {"loadBalancer": {}}
    body = {"metadata": {"name": "lb"}, "spec": {"type": "LoadBalancer", "sessionAffinity": "ClientIP", "ports": [{"port": 443}]}}
    _, lb = await api.post(f"/api/v1{NS}/services", body)
    assert lb["spec"]["externalTrafficPolicy"] == "Cluster" and lb["spec"]["allocateLoadBalancerNodePorts"] is True
    assert lb["spec"]["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}


async def test_crd_and_other_groups_defaults(api: ApiClient) -> None:
    crd = {"metadata": {"name": "gizmos.example.com"}, "spec": {
        "group": "example.com", "scope": "Namespaced", "names": {"plural": "gizmos", "kind": "Gizmo"},
        "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {"type": "object"}}}],
    }}
    status, c = await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
    assert status == 201, c
    assert c["spec"]["conversion"] == {"strategy": "None"}
    assert c["spec"]["names"] == {"plural": "gizmos", "kind": "Gizmo", "singular": "gizmo", "listKind": "GizmoList"}
    assert c["status"]["storedVersions"] == ["v1"]
    binding = {"metadata": {"name": "b"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
               "subjects": [{"kind": "User", "name": "alice"}, {"kind": "ServiceAccount", "name": "default", "namespace": "default"}]}
    status, b = await api.post(f"/apis/rbac.authorization.k8s.io/v1{NS}/rolebindings", binding)
    assert status == 201, b
    assert b["subjects"] == [
        {"kind": "User", "name": "alice", "apiGroup": "rbac.authorization.k8s.io"},
        {"kind": "ServiceAccount", "name": "default", "namespace": "default"},
    ]
    policy = {"metadata": {"name": "np"}, "spec": {"podSelector": {}, "egress": [{"ports": [{"port": 53}]}]}}
    status, n = await api.post(f"/apis/networking.k8s.io/v1{NS}/networkpolicies", policy)
    assert status == 201, n
    assert n["spec"]["policyTypes"] == ["Ingress", "Egress"] and n["spec"]["egress"][0]["ports"] == [{"port": 53, "protocol": "TCP"}]
