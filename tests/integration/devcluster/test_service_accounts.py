"""What a new cluster and every namespace have from the start (the ``default`` ServiceAccount, the
``kube-root-ca.crt`` ConfigMap, the ``kubernetes`` Service, the system PriorityClasses), and the
admission plugins kube-apiserver runs on a Pod (ServiceAccount, Priority, DefaultTolerationSeconds),
whose changes no field manager owns. Over HTTP; no workload simulation runs here."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import aiohttp

from kro.devcluster.server import DevServer
from kro.devcluster.serviceaccounts import DESCRIPTION
from tests.integration.conftest import ApiClient, DevServerFactory

CORE = "/api/v1"
PODS = f"{CORE}/namespaces/default/pods"


def pod(name: str = "", **spec: Any) -> dict[str, Any]:
    meta = {"name": name} if name else {"generateName": "web-"}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": [{"name": "app", "image": "nginx"}], **spec}}


def owned(entry: dict[str, Any]) -> set[str]:
    return set(entry["fieldsV1"].get("f:spec", {}))


async def until(api: ApiClient, path: str) -> dict[str, Any]:
    for _ in range(200):
        code, body = await api.get(path)
        if code == 200:
            return dict(body)
        await asyncio.sleep(0.02)
    raise AssertionError(f"{path} never appeared")


async def test_a_new_namespace_gets_its_default_service_account_and_root_ca(api: ApiClient) -> None:
    code, body = await api.post(f"{CORE}/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    assert code == 201, body
    # the namespace's finalizer is its storage's, not the creator's
    assert body["spec"] == {"finalizers": ["kubernetes"]}
    assert body["metadata"]["managedFields"][0]["fieldsV1"] == {"f:metadata": {"f:labels": {".": {}, "f:kubernetes.io/metadata.name": {}}}}
    account = await until(api, f"{CORE}/namespaces/team/serviceaccounts/default")
    assert "managedFields" not in account["metadata"], account  # nothing but a name: no fields to own
    ca = await until(api, f"{CORE}/namespaces/team/configmaps/kube-root-ca.crt")
    assert ca["data"] == {"ca.crt": ""}  # plain HTTP: no CA to publish
    assert ca["metadata"]["annotations"] == {"kubernetes.io/description": DESCRIPTION}
    assert [(e["manager"], e["fieldsV1"]) for e in ca["metadata"]["managedFields"]] == [(
        "kube-controller-manager",
        {"f:data": {".": {}, "f:ca.crt": {}}, "f:metadata": {"f:annotations": {".": {}, "f:kubernetes.io/description": {}}}},
    )]

    # both come back when deleted or changed
    code, _ = await api.delete(f"{CORE}/namespaces/team/serviceaccounts/default")
    assert code == 200
    code, _ = await api.patch(f"{CORE}/namespaces/team/configmaps/kube-root-ca.crt", {"data": {"ca.crt": "mine"}})
    assert code == 200
    await until(api, f"{CORE}/namespaces/team/serviceaccounts/default")
    for _ in range(200):
        code, ca = await api.get(f"{CORE}/namespaces/team/configmaps/kube-root-ca.crt")
        if ca["data"] == {"ca.crt": ""}:
            break
        await asyncio.sleep(0.02)
    assert ca["data"] == {"ca.crt": ""}, ca


async def test_the_root_ca_is_the_servers_ca_over_tls(devserver_factory: DevServerFactory) -> None:
    server: DevServer = await devserver_factory(tls=True)
    assert server.ca_file is not None
    tls = ssl.create_default_context(cafile=str(server.ca_file))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=tls)) as session:
        ca = await until(ApiClient(server, session), f"{CORE}/namespaces/default/configmaps/kube-root-ca.crt")
    assert ca["data"]["ca.crt"] == server.ca_file.read_text() and "BEGIN CERTIFICATE" in ca["data"]["ca.crt"]


async def test_every_cluster_has_the_kubernetes_service_and_system_priority_classes(api: ApiClient) -> None:
    code, svc = await api.get(f"{CORE}/namespaces/default/services/kubernetes")
    assert code == 200, svc
    assert svc["metadata"]["labels"] == {"component": "apiserver", "provider": "kubernetes"}
    assert svc["spec"]["clusterIP"] == "10.96.0.1" and svc["spec"]["type"] == "ClusterIP"
    assert svc["spec"]["ports"] == [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": int(api.server.url.rsplit(":", 1)[1])}]
    code, classes = await api.get("/apis/scheduling.k8s.io/v1/priorityclasses")
    assert sorted((c["metadata"]["name"], c["value"]) for c in classes["items"]) == [
        ("system-cluster-critical", 2000000000), ("system-node-critical", 2000001000)]


async def test_a_services_allocated_addresses_belong_to_no_manager(api: ApiClient) -> None:
    body = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    code, svc = await api.post(f"{CORE}/namespaces/default/services", body, params={"fieldManager": "kubectl-expose"})
    assert code == 201, svc
    assert svc["spec"]["clusterIP"] and svc["spec"]["ipFamilies"] == ["IPv4"]
    (entry,) = svc["metadata"]["managedFields"]
    assert owned(entry) == {"f:internalTrafficPolicy", "f:ports", "f:selector", "f:sessionAffinity", "f:type"}


async def test_a_pod_runs_as_its_service_account_with_its_token_mounted(api: ApiClient) -> None:
    await until(api, f"{CORE}/namespaces/default/serviceaccounts/default")
    code, created = await api.post(PODS, pod("web"), params={"fieldManager": "kubectl-run"})
    assert code == 201, created
    spec = created["spec"]
    assert spec["serviceAccountName"] == spec["serviceAccount"] == "default"
    assert (spec["priority"], spec["preemptionPolicy"]) == (0, "PreemptLowerPriority")
    assert [t["key"] for t in spec["tolerations"]] == ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
    (volume,) = spec["volumes"]
    assert volume["name"].startswith("kube-api-access-") and len(volume["name"]) == len("kube-api-access-") + 5
    assert volume["projected"]["defaultMode"] == 420
    assert [next(iter(s)) for s in volume["projected"]["sources"]] == ["serviceAccountToken", "configMap", "downwardAPI"]
    assert spec["containers"][0]["volumeMounts"] == [
        {"name": volume["name"], "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]
    # what admission added is no manager's: the creator owns what it sent and the defaults
    (entry,) = created["metadata"]["managedFields"]
    assert owned(entry) == {"f:containers", "f:dnsPolicy", "f:enableServiceLinks", "f:restartPolicy",
                            "f:schedulerName", "f:securityContext", "f:terminationGracePeriodSeconds"}
    assert "f:volumeMounts" not in entry["fieldsV1"]["f:spec"]["f:containers"]['k:{"name":"app"}']


async def test_the_account_can_opt_out_of_the_token_and_lend_its_pull_secrets(api: ApiClient) -> None:
    account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "builder"},
               "automountServiceAccountToken": False, "imagePullSecrets": [{"name": "registry"}]}
    code, body = await api.post(f"{CORE}/namespaces/default/serviceaccounts", account)
    assert code == 201, body
    code, created = await api.post(PODS, pod("build", serviceAccountName="builder"))
    assert code == 201, created
    assert "volumes" not in created["spec"] and "volumeMounts" not in created["spec"]["containers"][0]
    assert created["spec"]["imagePullSecrets"] == [{"name": "registry"}]
    # the pod's own choice wins over the account's
    code, created = await api.post(PODS, pod("build-2", serviceAccountName="builder", automountServiceAccountToken=True,
                                             imagePullSecrets=[{"name": "own"}]))
    assert code == 201, created
    assert created["spec"]["volumes"][0]["name"].startswith("kube-api-access-")
    assert created["spec"]["imagePullSecrets"] == [{"name": "own"}]


async def test_a_pod_whose_account_or_priority_class_is_missing_is_refused(api: ApiClient) -> None:
    code, err = await api.post(PODS, pod("lost", serviceAccountName="ghost"))
    assert (code, err["reason"]) == (403, "Forbidden"), err
    assert err["message"] == 'pods "lost" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found'
    assert err["details"] == {"name": "lost", "kind": "pods"}
    # admission sees a generated name's prefix: the server names the pod after it
    code, err = await api.post(PODS, pod(serviceAccountName="ghost"))
    assert code == 403 and err["message"].startswith('pods "web-" is forbidden: '), err
    code, err = await api.post(PODS, pod("urgent", priorityClassName="gold"))
    assert code == 403 and err["message"] == 'pods "urgent" is forbidden: no PriorityClass with name gold was found', err
    code, err = await api.post(PODS, pod("sneaky", priority=5))
    assert code == 403 and err["message"] == (
        'pods "sneaky" is forbidden: the integer value of priority (5) must not be provided in pod spec; '
        "priority admission controller computed 0 from the given PriorityClass name"), err
    code, _ = await api.get(f"{PODS}/lost")
    assert code == 404


async def test_a_pods_priority_comes_from_its_class_or_the_global_default(api: ApiClient) -> None:
    classes = "/apis/scheduling.k8s.io/v1/priorityclasses"
    for name, value, default in (("low", 10, True), ("high", 1000, False)):
        body = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name},
                "value": value, "globalDefault": default, "preemptionPolicy": "Never" if name == "low" else None}
        code, out = await api.post(classes, {k: v for k, v in body.items() if v is not None})
        assert code == 201, out
    code, created = await api.post(PODS, pod("plain"))
    assert code == 201, created
    assert (created["spec"]["priorityClassName"], created["spec"]["priority"], created["spec"]["preemptionPolicy"]) == (
        "low", 10, "Never")
    code, created = await api.post(PODS, pod("vip", priorityClassName="high"))
    assert code == 201, created
    assert (created["spec"]["priority"], created["spec"]["preemptionPolicy"]) == (1000, "PreemptLowerPriority")
    # an update keeps what the create set
    del created["spec"]["priority"]
    code, updated = await api.put(f"{PODS}/vip", created)
    assert code == 200 and updated["spec"]["priority"] == 1000, updated
