"""Built-in objects kube-apiserver would refuse are refused over HTTP with the same 422 Status."""

from __future__ import annotations

from tests.integration.conftest import ApiClient
from tests.integration.devcluster.builders import configmap, deployment

STS = "/apis/apps/v1/namespaces/default/statefulsets"
DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"


async def test_negative_replicas_is_422_with_kube_apiserver_causes(api: ApiClient) -> None:
    sts = deployment("db", replicas=-1)
    sts["kind"], sts["spec"]["serviceName"] = "StatefulSet", "db"
    status, body = await api.post(STS, sts)
    assert status == 422
    assert body["kind"] == "Status" and body["reason"] == "Invalid" and body["code"] == 422
    assert body["message"] == 'StatefulSet.apps "db" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'
    assert body["details"] == {
        "name": "db",
        "group": "apps",
        "kind": "StatefulSet",
        "causes": [
            {"reason": "FieldValueInvalid", "message": "Invalid value: -1: must be greater than or equal to 0", "field": "spec.replicas"}
        ],
    }
    status, _ = await api.get(f"{STS}/db")
    assert status == 404


async def test_update_breaking_a_rule_is_refused_and_object_kept(api: ApiClient) -> None:
    status, created = await api.post(DEPLOYS, deployment("web"))
    assert status == 201
    created["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    status, body = await api.put(f"{DEPLOYS}/web", created)
    assert status == 422
    assert [(c["field"], c["reason"]) for c in body["details"]["causes"]] == [
        ("spec.template.metadata.labels", "FieldValueInvalid")
    ]
    assert body["details"]["causes"][0]["message"].endswith("`selector` does not match template `labels`")
    status, stored = await api.get(f"{DEPLOYS}/web")
    assert status == 200 and stored["spec"]["template"]["metadata"]["labels"] == {"app": "web"}


async def test_bad_configmap_key_and_service_name_are_refused(api: ApiClient) -> None:
    status, body = await api.post("/api/v1/namespaces/default/configmaps", configmap("cm", {"bad key": "v"}))
    assert status == 422 and body["details"]["causes"][0]["field"] == "data[bad key]"
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "1svc"}, "spec": {"ports": [{"port": 80}]}}
    status, body = await api.post("/api/v1/namespaces/default/services", svc)
    assert status == 422
    assert body["details"]["causes"][0]["message"].startswith('Invalid value: "1svc": a DNS-1035 label must consist')
