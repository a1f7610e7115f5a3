"""``pods/binding``, a scheduler's write, as kube-apiserver answers it, over HTTP (no simulation
runs here: nothing binds a pod but these requests)."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import ApiClient

PODS = "/api/v1/namespaces/default/pods"


def pod(name: str, **meta: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, **meta},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]}}


def binding(name: str, node: str = "kro-dev-node", **meta: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name, **meta},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node}}


async def test_a_binding_assigns_the_pod_without_a_managed_fields_entry(api: ApiClient) -> None:
    status, created = await api.post(PODS, pod("web"))
    assert status == 201 and "nodeName" not in created["spec"], created
    status, body = await api.post(f"{PODS}/web/binding", binding("web", annotations={"scheduled-by": "test"}))
    assert (status, body) == (201, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201})
    status, bound = await api.get(f"{PODS}/web")
    assert status == 200 and bound["spec"]["nodeName"] == "kro-dev-node", bound
    assert bound["metadata"]["annotations"] == {"scheduled-by": "test"}
    assert [(c["type"], c["status"]) for c in bound["status"]["conditions"]] == [("PodScheduled", "True")]
    assert bound["metadata"]["managedFields"] == created["metadata"]["managedFields"]
    assert bound["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"]

    status, err = await api.post(f"{PODS}/web/binding", binding("web", "other"))
    assert status == 409 and err["reason"] == "Conflict", err
    assert err["message"] == 'Operation cannot be fulfilled on pods/binding "web": pod web is already assigned to node "kro-dev-node"'
    assert err["details"] == {"name": "web", "kind": "pods/binding"}

    # A bound pod is a pod a node runs: deleting it is graceful.
    status, marked = await api.delete(f"{PODS}/web")
    assert status == 200 and marked["metadata"]["deletionGracePeriodSeconds"] == 30, marked


async def test_a_binding_is_refused_as_kube_apiserver_refuses_it(api: ApiClient) -> None:
    status, created = await api.post(PODS, pod("p"))
    assert status == 201, created
    status, err = await api.post(f"{PODS}/p/binding", binding("q"))
    assert (status, err["reason"], err["message"]) == (400, "BadRequest", "name in URL does not match name in Binding object")
    no_target = binding("p")
    no_target["target"] = {"kind": "Pod"}
    status, err = await api.post(f"{PODS}/p/binding", no_target)
    # ValidatePodBinding's errors come back from its storage unclassified
    assert status == 500 and "reason" not in err, err
    assert err["message"] == '[target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>", target.name: Required value]'
    status, err = await api.post(f"{PODS}/p/binding", binding("p", uid="not-the-uid"))
    assert status == 409 and err["message"] == (
        'Operation cannot be fulfilled on pods "p": StorageError: invalid object, Code: 4, Key: /registry/pods/default/p, '
        "ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: not-the-uid, UID in object meta: "
        + created["metadata"]["uid"]
    ), err
    status, err = await api.post(f"{PODS}/missing/binding", binding("missing"))
    assert status == 404 and err["message"] == 'pods "missing" not found', err
    status, body = await api.post(f"{PODS}/p/binding", binding("p"), params={"dryRun": "All"})
    assert status == 201, body
    assert "nodeName" not in (await api.get(f"{PODS}/p"))[1]["spec"]

    await api.post(PODS, pod("going", finalizers=["example.com/keep"]))
    status, body = await api.delete(f"{PODS}/going")
    assert status == 200 and body["metadata"]["deletionTimestamp"], body
    status, err = await api.post(f"{PODS}/going/binding", binding("going"))
    assert status == 409 and err["message"].endswith("pod going is being deleted, cannot be assigned to a host"), err


async def test_a_deletion_precondition_names_the_kind_as_kube_apiserver_does(api: ApiClient) -> None:
    status, created = await api.post("/api/v1/namespaces/default/configmaps", {"metadata": {"name": "cm"}})
    assert status == 201, created
    status, err = await api.delete("/api/v1/namespaces/default/configmaps/cm", {"preconditions": {"uid": "x"}})
    assert status == 409 and err["details"] == {"name": "cm", "kind": "ConfigMap"}, err
    assert err["message"] == (
        f'Operation cannot be fulfilled on ConfigMap "cm": the UID in the precondition (x) does not match the UID in '
        f"record ({created['metadata']['uid']}). The object might have been deleted and then recreated"
    )
    status, err = await api.delete("/api/v1/namespaces/default/configmaps/cm", {"preconditions": {"resourceVersion": "1"}})
    assert status == 409 and err["message"] == (
        f'Operation cannot be fulfilled on ConfigMap "cm": the ResourceVersion in the precondition (1) does not match '
        f"the ResourceVersion in record ({created['metadata']['resourceVersion']}). The object might have been modified"
    ), err
