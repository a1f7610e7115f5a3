"""Workload simulation over HTTP: controllers' children, readiness after the delay, statuses and
conditions as the real controllers set them, and cleanup through garbage collection."""

from __future__ import annotations

import time
from typing import Any

from tests.integration.conftest import ApiClient
from tests.integration.devcluster_gc_sim.conftest import READY_DELAY, eventually

NS = "/namespaces/default"
APPS = f"/apis/apps/v1{NS}"
CORE = f"/api/v1{NS}"


def template(app: str) -> dict[str, Any]:
    return {"metadata": {"labels": {"app": app}}, "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]}}


def workload(kind: str, name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"app": name}}, "template": template(name), **spec}}


async def status_of(api: ApiClient, path: str) -> dict[str, Any]:
    code, obj = await api.get(path)
    assert code == 200, obj
    return dict(obj.get("status") or {})


async def pods(api: ApiClient, selector: str) -> list[dict[str, Any]]:
    _, body = await api.get(f"{CORE}/pods", params={"labelSelector": selector})
    return list(body["items"])


async def test_statefulset_reaches_ready_replicas_after_the_delay(sim: ApiClient) -> None:
    started = time.monotonic()
    code, body = await sim.post(f"{APPS}/statefulsets", workload("StatefulSet", "db", replicas=2, serviceName="db"))
    assert code == 201, body

    async def ready() -> dict[str, Any] | None:
        status = await status_of(sim, f"{APPS}/statefulsets/db")
        return status if status.get("readyReplicas") == 2 else None

    status = await eventually(ready, what="readyReplicas 2")
    assert time.monotonic() - started >= 2 * READY_DELAY  # OrderedReady: one pod after the other
    assert status["replicas"] == 2 and status["availableReplicas"] == 2 and status["currentReplicas"] == 2
    assert status["observedGeneration"] == 1 and status["currentRevision"] == status["updateRevision"]
    found = {p["metadata"]["name"]: p for p in await pods(sim, "app=db")}
    assert sorted(found) == ["db-0", "db-1"]
    pod = found["db-1"]
    assert pod["spec"]["hostname"] == "db-1" and pod["spec"]["subdomain"] == "db"
    assert pod["spec"]["nodeName"] == "kro-dev-node"
    assert pod["status"]["phase"] == "Running"
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "StatefulSet"
    writers = {(e["manager"], e.get("subresource", "")) for e in pod["metadata"]["managedFields"]}
    assert writers == {("kube-controller-manager", ""), ("kubelet", "status")}


async def test_foreground_deletion_of_a_statefulset_removes_its_pods_first(sim: ApiClient) -> None:
    await sim.post(f"{APPS}/statefulsets", workload("StatefulSet", "q", replicas=1, serviceName="q"))

    async def has_pod() -> bool:
        return len(await pods(sim, "app=q")) == 1

    await eventually(has_pod, what="the pod")
    code, body = await sim.delete(f"{APPS}/statefulsets/q", {"propagationPolicy": "Foreground"})
    assert code == 200 and body["metadata"]["deletionTimestamp"], body
    assert "foregroundDeletion" in body["metadata"]["finalizers"]

    async def sts_gone() -> bool:
        code, _ = await sim.get(f"{APPS}/statefulsets/q")
        return code == 404

    await eventually(sts_gone, what="the StatefulSet to go after its pod")
    assert await pods(sim, "app=q") == []


async def test_deployment_becomes_available_and_is_cleaned_up_with_its_children(sim: ApiClient) -> None:
    code, body = await sim.post(f"{APPS}/deployments", workload("Deployment", "web", replicas=3))
    assert code == 201, body

    async def available() -> dict[str, Any] | None:
        status = await status_of(sim, f"{APPS}/deployments/web")
        conditions = {c["type"]: c for c in status.get("conditions", [])}
        ok = conditions.get("Available", {}).get("status") == "True" and status.get("availableReplicas") == 3
        return status if ok and conditions["Progressing"]["reason"] == "NewReplicaSetAvailable" else None

    status = await eventually(available, what="the Deployment to be Available")
    assert status["replicas"] == status["readyReplicas"] == status["updatedReplicas"] == 3
    assert status["observedGeneration"] == 1
    _, rs_list = await sim.get(f"{APPS}/replicasets")
    (rs,) = rs_list["items"]
    assert rs["metadata"]["ownerReferences"][0]["name"] == "web"
    assert rs["metadata"]["name"] == "web-" + rs["metadata"]["labels"]["pod-template-hash"]
    assert len(await pods(sim, "app=web")) == 3

    code, _ = await sim.delete(f"{APPS}/deployments/web")
    assert code == 200

    async def all_gone() -> bool:
        _, rs_after = await sim.get(f"{APPS}/replicasets")
        return not rs_after["items"] and not await pods(sim, "app=web")

    await eventually(all_gone, what="the ReplicaSet and pods to be collected")


async def test_deployment_scales_and_rolls_to_a_new_replicaset(sim: ApiClient) -> None:
    await sim.post(f"{APPS}/deployments", workload("Deployment", "api", replicas=1))

    async def replicas(n: int) -> bool:
        status = await status_of(sim, f"{APPS}/deployments/api")
        return status.get("availableReplicas") == n and status.get("replicas") == n

    await eventually(lambda: replicas(1), what="1 replica")
    code, body = await sim.patch(f"{APPS}/deployments/api",
                                 {"spec": {"replicas": 2, "template": {"spec": {"containers": [
                                     {"name": "main", "image": "nginx:1.28"}]}}}})
    assert code == 200, body
    await eventually(lambda: replicas(2), what="2 replicas of the new template")
    _, rs_list = await sim.get(f"{APPS}/replicasets")
    by_replicas = sorted((r["spec"]["replicas"], r["metadata"]["annotations"]["deployment.kubernetes.io/revision"])
                         for r in rs_list["items"])
    assert by_replicas == [(0, "1"), (2, "2")]
    images = {p["spec"]["containers"][0]["image"] for p in await pods(sim, "app=api") if p["status"]["phase"] == "Running"}
    assert images == {"nginx:1.28"}


async def test_daemonset_runs_one_pod_on_the_simulated_node(sim: ApiClient) -> None:
    await sim.post(f"{APPS}/daemonsets", workload("DaemonSet", "agent"))

    async def ready() -> dict[str, Any] | None:
        status = await status_of(sim, f"{APPS}/daemonsets/agent")
        return status if status.get("numberReady") == 1 else None

    status = await eventually(ready, what="the DaemonSet pod to be ready")
    assert status["desiredNumberScheduled"] == status["currentNumberScheduled"] == 1
    code, node = await sim.get("/api/v1/nodes/kro-dev-node")
    assert code == 200 and node["status"]["conditions"][0]["type"] == "Ready"


async def test_job_pods_succeed_and_the_job_completes(sim: ApiClient) -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate"},
           "spec": {"completions": 2, "parallelism": 2, "template": {"spec": {
               "restartPolicy": "Never", "containers": [{"name": "m", "image": "busybox"}]}}}}
    code, body = await sim.post(f"/apis/batch/v1{NS}/jobs", job)
    assert code == 201, body

    async def complete() -> dict[str, Any] | None:
        status = await status_of(sim, f"/apis/batch/v1{NS}/jobs/migrate")
        types = {c["type"]: c["status"] for c in status.get("conditions", [])}
        return status if types.get("Complete") == "True" else None

    status = await eventually(complete, what="the Job to complete")
    assert status["succeeded"] == 2 and "active" not in status
    assert status["completionTime"] and status["startTime"]
    job_pods = await pods(sim, "job-name=migrate")
    assert len(job_pods) == 2 and {p["status"]["phase"] for p in job_pods} == {"Succeeded"}


async def test_services_get_unique_cluster_ips_and_headless_stays_none(sim: ApiClient) -> None:
    def service(name: str, **spec: Any) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                "spec": {"selector": {"app": name}, "ports": [{"port": 80}], **spec}}

    for svc in (service("a"), service("b"), service("h", clusterIP="None"), service("np", type="NodePort")):
        code, body = await sim.post(f"{CORE}/services", svc)
        assert code == 201, body

    async def addresses() -> dict[str, str] | None:
        _, body = await sim.get(f"{CORE}/services")
        ips = {s["metadata"]["name"]: s["spec"].get("clusterIP") for s in body["items"]}
        return ips if all(ips.get(n) for n in ("a", "b", "np")) else None

    ips = await eventually(addresses, what="cluster IPs")
    assert ips["h"] == "None"
    assigned = [ips["a"], ips["b"], ips["np"]]
    assert len(set(assigned)) == 3
    assert all(ip.startswith("10.") and 96 <= int(ip.split(".")[1]) <= 111 for ip in assigned)
    _, np = await sim.get(f"{CORE}/services/np")
    assert 30000 <= np["spec"]["ports"][0]["nodePort"] <= 32767


async def test_persistent_volume_claims_bind(sim: ApiClient) -> None:
    pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
           "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}
    code, body = await sim.post(f"{CORE}/persistentvolumeclaims", pvc)
    assert code == 201, body

    async def bound() -> dict[str, Any] | None:
        status = await status_of(sim, f"{CORE}/persistentvolumeclaims/data")
        return status if status.get("phase") == "Bound" else None

    status = await eventually(bound, what="the claim to bind")
    assert status["capacity"] == {"storage": "1Gi"}
    _, obj = await sim.get(f"{CORE}/persistentvolumeclaims/data")
    assert obj["spec"]["volumeName"].startswith("pvc-")


async def test_controllers_sharing_labels_in_one_namespace_manage_only_their_own_pods(sim: ApiClient) -> None:
    shared = template("shared")
    for name, replicas in (("left", 2), ("right", 1)):
        body = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
                "spec": {"selector": {"matchLabels": {"app": "shared"}}, "template": shared,
                         "replicas": replicas, "serviceName": name, "podManagementPolicy": "Parallel"}}
        code, created = await sim.post(f"{APPS}/statefulsets", body)
        assert code == 201, created

    async def names() -> list[str]:
        return sorted(p["metadata"]["name"] for p in await pods(sim, "app=shared"))

    async def ready(name: str, count: int) -> bool:
        return bool((await status_of(sim, f"{APPS}/statefulsets/{name}")).get("readyReplicas", 0) == count)

    await eventually(lambda: ready("left", 2), what="left ready")
    await eventually(lambda: ready("right", 1), what="right ready")
    assert await names() == ["left-0", "left-1", "right-0"]

    code, body = await sim.patch(f"{APPS}/statefulsets/left", {"spec": {"replicas": 0}})
    assert code == 200, body
    await eventually(lambda: ready("left", 0), what="left scaled to zero")

    async def only_right() -> bool:
        return await names() == ["right-0"]

    await eventually(only_right, what="only right's pod left")
    code, body = await sim.delete(f"{CORE}/pods/right-0")
    # a scheduled pod is deleted gracefully: answered with itself, marked, until the kubelet is done
    assert code == 200 and body["metadata"]["deletionGracePeriodSeconds"] == 30, body

    async def recreated() -> bool:
        found = await pods(sim, "app=shared")
        return [p["metadata"]["name"] for p in found] == ["right-0"] and found[0]["metadata"]["uid"] != body["metadata"]["uid"]

    await eventually(recreated, what="right-0 recreated")
    await eventually(lambda: ready("right", 1), what="right ready again")
    assert (await status_of(sim, f"{APPS}/statefulsets/left")).get("replicas", 0) == 0


async def test_a_statefulset_pod_name_taken_by_another_pod_records_no_successful_create(sim: ApiClient) -> None:
    squatter = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "taken-0", "labels": {"app": "other"}},
                "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]}}
    code, body = await sim.post(f"{CORE}/pods", squatter)
    assert code == 201, body
    code, body = await sim.post(f"{APPS}/statefulsets", workload("StatefulSet", "taken", replicas=1, serviceName="taken"))
    assert code == 201, body

    async def synced() -> dict[str, Any] | None:
        # the status is written after the creates and their events, in the same sync
        status = await status_of(sim, f"{APPS}/statefulsets/taken")
        return status if status.get("observedGeneration") == 1 else None

    status = await eventually(synced, what="the StatefulSet's first sync")
    assert status["replicas"] == 0
    _, events = await sim.get(f"{CORE}/events", params={"fieldSelector": "involvedObject.name=taken"})
    # kube-controller-manager's StatefulSet controller sinks AlreadyExists: no Event at all
    assert [(e["reason"], e["message"]) for e in events["items"]] == []
    code, pod = await sim.get(f"{CORE}/pods/taken-0")
    assert code == 200 and pod["metadata"]["labels"] == {"app": "other"} and "ownerReferences" not in pod["metadata"]


async def test_a_deleted_pod_is_terminated_by_the_kubelet_before_its_statefulset_replaces_it(sim: ApiClient) -> None:
    code, body = await sim.post(f"{APPS}/statefulsets", workload("StatefulSet", "term", replicas=1, serviceName="term"))
    assert code == 201, body

    async def ready() -> bool:
        return bool((await status_of(sim, f"{APPS}/statefulsets/term")).get("readyReplicas") == 1)

    await eventually(ready, what="term ready")
    code, old = await sim.get(f"{CORE}/pods/term-0")
    assert code == 200, old
    code, marked = await sim.delete(f"{CORE}/pods/term-0")
    assert code == 200 and marked["metadata"]["deletionGracePeriodSeconds"] == 30, marked

    async def replaced() -> dict[str, Any] | None:
        code, new = await sim.get(f"{CORE}/pods/term-0")
        return new if code == 200 and new["metadata"]["uid"] != old["metadata"]["uid"] else None

    await eventually(replaced, what="term-0 replaced")
    events = await sim.watch(f"{CORE}/pods", {"resourceVersion": old["metadata"]["resourceVersion"],
                                              "fieldSelector": "metadata.name=term-0", "timeoutSeconds": "1"})
    steps = [(e["type"], e["object"]["metadata"]["uid"] == old["metadata"]["uid"],
              e["object"]["metadata"].get("deletionGracePeriodSeconds"), e["object"]["status"].get("phase"))
             for e in events]
    # marked by the API server; the containers stopped and the final status written by the kubelet,
    # which then deletes it for good; only then the StatefulSet creates its successor
    assert steps[:5] == [("MODIFIED", True, 30, "Running"), ("MODIFIED", True, 30, "Succeeded"),
                         ("MODIFIED", True, 0, "Succeeded"), ("DELETED", True, 0, "Succeeded"),
                         ("ADDED", False, None, "Pending")], steps
    await eventually(ready, what="term ready again")


async def test_a_bare_pod_is_bound_by_the_scheduler_then_run_by_the_kubelet(sim: ApiClient) -> None:
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bare"},
            "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]}}
    code, created = await sim.post(f"{CORE}/pods", body)
    assert code == 201 and "nodeName" not in created["spec"], created

    async def running() -> dict[str, Any] | None:
        code, obj = await sim.get(f"{CORE}/pods/bare")
        return obj if code == 200 and obj["status"].get("phase") == "Running" else None

    pod = await eventually(running, what="the bare pod running")
    assert pod["spec"]["nodeName"] == "kro-dev-node"
    conditions = {c["type"]: c["status"] for c in pod["status"]["conditions"]}
    assert conditions["PodScheduled"] == "True" and conditions["Ready"] == "True"
    # binding records no field manager: the creator's entry and the kubelet's status entry only
    writers = {(e["manager"], e.get("subresource", "")) for e in pod["metadata"]["managedFields"]}
    assert ("kubelet", "status") in writers and len(writers) == 2, writers
    assert not any("f:nodeName" in str(e.get("fieldsV1")) for e in pod["metadata"]["managedFields"])


async def test_a_workload_whose_service_account_is_missing_retries_until_it_exists(sim: ApiClient) -> None:
    body = workload("Deployment", "api", replicas=1)
    body["spec"]["template"]["spec"]["serviceAccountName"] = "api-runner"
    code, created = await sim.post(f"{APPS}/deployments", body)
    assert code == 201, created

    async def failed_creates() -> list[dict[str, Any]] | None:
        _, events = await sim.get(f"{CORE}/events", params={"fieldSelector": "reason=FailedCreate"})
        return list(events["items"]) or None

    (event,) = await eventually(failed_creates, what="a FailedCreate Event")
    assert event["type"] == "Warning" and event["involvedObject"]["kind"] == "ReplicaSet"
    replicaset = event["involvedObject"]["name"]
    # admission saw the pod before the server named it: the message has the generateName prefix
    assert event["message"] == (f'Error creating: pods "{replicaset}-" is forbidden: error looking up service account '
                                'default/api-runner: serviceaccount "api-runner" not found')

    async def counted_again() -> dict[str, Any] | None:
        (again,) = await failed_creates() or [{}]
        return again if again.get("count", 0) > 1 else None

    # the retries (with kube-controller-manager's backoff) count on the one Event
    again = await eventually(counted_again, what="the FailedCreate Event counted again")
    assert again["metadata"]["name"] == event["metadata"]["name"] and again["firstTimestamp"] == event["firstTimestamp"]
    assert await pods(sim, "app=api") == []
    rs = await status_of(sim, f"{APPS}/replicasets/{replicaset}")
    (failure,) = [c for c in rs["conditions"] if c["type"] == "ReplicaFailure"]
    assert (failure["status"], failure["reason"]) == ("True", "FailedCreate")
    assert failure["message"] == event["message"].removeprefix("Error creating: ")

    async def deployment_failure() -> dict[str, Any] | None:
        conditions = (await status_of(sim, f"{APPS}/deployments/api")).get("conditions") or []
        return next((c for c in conditions if c["type"] == "ReplicaFailure"), None)

    assert (await eventually(deployment_failure, what="the Deployment's ReplicaFailure"))["reason"] == "FailedCreate"

    account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "api-runner"}}
    code, out = await sim.post(f"{CORE}/serviceaccounts", account)
    assert code == 201, out

    async def running() -> list[dict[str, Any]] | None:
        found = await pods(sim, "app=api")
        return found or None

    (pod,) = await eventually(running, what="the pod once its service account exists")
    assert pod["metadata"]["generateName"] == f"{replicaset}-" and pod["metadata"]["name"].startswith(f"{replicaset}-")
    assert pod["spec"]["serviceAccountName"] == "api-runner"

    async def recovered() -> bool:
        conditions = (await status_of(sim, f"{APPS}/replicasets/{replicaset}")).get("conditions") or []
        return not any(c["type"] == "ReplicaFailure" for c in conditions)

    await eventually(recovered, what="ReplicaFailure removed once a sync creates the pod")
