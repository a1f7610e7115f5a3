"""Pods are deleted gracefully, as kube-apiserver deletes them: a pod a node runs is marked
(``deletionTimestamp`` its grace period ahead) and stays until deleted again with a grace period
of 0 (a kubelet's part; no simulation runs here); a DELETE of a pod, a Service and the like answers
with the object, not a ``Status``. All over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.integration.conftest import ApiClient
from tests.integration.devcluster.builders import configmap

PODS = "/api/v1/namespaces/default/pods"


def pod(name: str, *, node: str | None = "kro-dev-node", **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"containers": [{"name": "app", "image": "nginx"}], **spec}
    if node:
        body["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": body}


def seconds_ahead(stamp: str) -> float:
    return (datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds()


async def test_a_scheduled_pod_is_marked_and_stays_for_its_grace_period(api: ApiClient) -> None:
    status, created = await api.post(PODS, pod("web"))
    assert status == 201, created
    status, body = await api.delete(f"{PODS}/web")
    assert status == 200 and body["kind"] == "Pod", body
    meta = body["metadata"]
    assert meta["deletionGracePeriodSeconds"] == 30  # terminationGracePeriodSeconds' default
    assert 25 <= seconds_ahead(meta["deletionTimestamp"]) <= 31
    status, got = await api.get(f"{PODS}/web")
    assert status == 200 and got["metadata"]["deletionTimestamp"] == meta["deletionTimestamp"]

    # Pending: a DELETE without a shorter period changes nothing (no new resourceVersion).
    for options in (None, {"gracePeriodSeconds": 30}, {"gracePeriodSeconds": 60}):
        status, again = await api.delete(f"{PODS}/web", options)
        assert status == 200 and again["metadata"] == got["metadata"], (options, again)

    # A shorter period moves the deadline earlier by the difference.
    status, shorter = await api.delete(f"{PODS}/web", params={"gracePeriodSeconds": "5"})
    assert status == 200 and shorter["metadata"]["deletionGracePeriodSeconds"] == 5, shorter
    assert 0 <= seconds_ahead(shorter["metadata"]["deletionTimestamp"]) <= 6

    # The kubelet's last word: a grace period of 0, with the pod's uid as precondition.
    wrong = {"gracePeriodSeconds": 0, "preconditions": {"uid": "not-the-uid"}}
    status, err = await api.delete(f"{PODS}/web", wrong)
    assert status == 409, err
    final = {"gracePeriodSeconds": 0, "preconditions": {"uid": created["metadata"]["uid"]}}
    status, gone = await api.delete(f"{PODS}/web", final)
    assert status == 200 and gone["kind"] == "Pod" and gone["metadata"]["deletionGracePeriodSeconds"] == 0, gone
    status, _ = await api.get(f"{PODS}/web")
    assert status == 404

    rv = created["metadata"]["resourceVersion"]
    events = await api.watch(PODS, {"resourceVersion": rv, "timeoutSeconds": "1"})
    seen = [(e["type"], e["object"]["metadata"].get("deletionGracePeriodSeconds")) for e in events]
    assert seen == [("MODIFIED", 30), ("MODIFIED", 5), ("MODIFIED", 0), ("DELETED", 0)]


async def test_an_unscheduled_or_finished_pod_is_deleted_at_once_after_being_marked(api: ApiClient) -> None:
    status, created = await api.post(PODS, pod("waiting", node=None))
    assert status == 201, created
    status, body = await api.delete(f"{PODS}/waiting")
    assert status == 200 and body["kind"] == "Pod" and body["metadata"]["deletionGracePeriodSeconds"] == 0, body
    status, _ = await api.get(f"{PODS}/waiting")
    assert status == 404
    events = await api.watch(PODS, {"resourceVersion": created["metadata"]["resourceVersion"], "timeoutSeconds": "1"})
    assert [e["type"] for e in events] == ["MODIFIED", "DELETED"]

    status, done = await api.post(PODS, pod("done"))
    assert status == 201, done
    status, done = await api.put(f"{PODS}/done/status", {**done, "status": {"phase": "Succeeded"}})
    assert status == 200, done
    status, body = await api.delete(f"{PODS}/done")
    assert status == 200 and body["metadata"]["deletionGracePeriodSeconds"] == 0, body
    assert (await api.get(f"{PODS}/done"))[0] == 404


async def test_the_grace_period_comes_from_the_request_or_the_pod(api: ApiClient) -> None:
    await api.post(PODS, pod("short", terminationGracePeriodSeconds=5))
    status, body = await api.delete(f"{PODS}/short")
    assert status == 200 and body["metadata"]["deletionGracePeriodSeconds"] == 5, body

    await api.post(PODS, pod("negative"))
    status, body = await api.delete(f"{PODS}/negative", params={"gracePeriodSeconds": "-3"})
    assert status == 200 and body["metadata"]["deletionGracePeriodSeconds"] == 1, body  # read as 1 s

    await api.post(PODS, pod("bad"))
    status, err = await api.delete(f"{PODS}/bad", params={"gracePeriodSeconds": "soon"})
    assert (status, err["reason"], err["message"]) == (400, "BadRequest", 'strconv.ParseInt: parsing "soon": invalid syntax')
    # A body its decoder refuses is passed on unclassified by kube-apiserver's DELETE handler.
    status, err = await api.delete(f"{PODS}/bad", {"gracePeriodSeconds": "5"})
    assert status == 500 and "reason" not in err, err
    assert err["message"] == "json: cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64"
    status, err = await api.delete(f"{PODS}/bad", {"preconditions": {"uid": 5}})
    assert err["message"] == "json: cannot unmarshal number into Go struct field Preconditions.preconditions.uid of type types.UID"
    assert (await api.get(f"{PODS}/bad"))[0] == 200


async def test_finalizers_and_the_grace_period_both_hold_a_pod(api: ApiClient) -> None:
    held = pod("held")
    held["metadata"]["finalizers"] = ["example.com/keep"]
    await api.post(PODS, held)
    status, body = await api.delete(f"{PODS}/held")
    assert status == 200 and body["metadata"]["deletionGracePeriodSeconds"] == 30, body
    # The finalizer goes while the grace period runs: the pod stays.
    status, body = await api.patch(f"{PODS}/held", {"metadata": {"finalizers": None}})
    assert status == 200 and "finalizers" not in body["metadata"], body
    assert (await api.get(f"{PODS}/held"))[0] == 200
    status, body = await api.delete(f"{PODS}/held", {"gracePeriodSeconds": 0})
    assert status == 200 and (await api.get(f"{PODS}/held"))[0] == 404

    # The grace period over first: the finalizer keeps it until it is removed.
    await api.post(PODS, held)
    status, body = await api.delete(f"{PODS}/held", {"gracePeriodSeconds": 0})
    assert status == 200 and body["metadata"]["finalizers"] == ["example.com/keep"], body
    assert (await api.get(f"{PODS}/held"))[0] == 200
    status, body = await api.patch(f"{PODS}/held", {"metadata": {"finalizers": None}})
    assert status == 200, body
    assert (await api.get(f"{PODS}/held"))[0] == 404


async def test_a_deletion_answers_with_the_object_for_the_kinds_whose_storage_returns_it(api: ApiClient) -> None:
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"}, "spec": {"ports": [{"port": 80}]}}
    await api.post("/api/v1/namespaces/default/services", svc)
    status, body = await api.delete("/api/v1/namespaces/default/services/svc")
    assert status == 200 and body["kind"] == "Service" and body["metadata"]["name"] == "svc", body
    assert "deletionTimestamp" not in body["metadata"]
    quota = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"}, "spec": {"hard": {"pods": "5"}}}
    status, created = await api.post("/api/v1/namespaces/default/resourcequotas", quota)
    assert status == 201, created
    status, body = await api.delete("/api/v1/namespaces/default/resourcequotas/q")
    assert status == 200 and body["kind"] == "ResourceQuota" and body["spec"]["hard"] == {"pods": "5"}, body
    status, created = await api.post("/api/v1/namespaces/default/configmaps", configmap("cm"))
    status, body = await api.delete("/api/v1/namespaces/default/configmaps/cm")
    assert status == 200 and body == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
        "details": {"name": "cm", "kind": "configmaps", "uid": created["metadata"]["uid"]},
    }, body
