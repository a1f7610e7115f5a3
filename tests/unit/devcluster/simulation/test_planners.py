"""The simulated controllers' decisions, as pure functions of an object and its children."""

from __future__ import annotations

from kro.devcluster.simulation.apps import plan_deployment, plan_replicaset
from kro.devcluster.simulation.batch import plan_job
from kro.devcluster.simulation.plan import controlled_by
from kro.devcluster.simulation.stateful import plan_daemonset, plan_statefulset
from tests.unit.devcluster.simulation.builders import LATER, NOW, names, owner, pod


def test_deployment_creates_its_replicaset_controlled_and_labelled_by_template_hash() -> None:
    deploy = owner("Deployment", "web", replicas=3)
    plan = plan_deployment(deploy, [], now=NOW)
    ((resource, rs),) = plan.create
    assert resource == "replicasets.apps"
    pod_hash = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"web-{pod_hash}"
    assert rs["spec"]["replicas"] == 3
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", "pod-template-hash": pod_hash}
    assert rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] == pod_hash
    assert controlled_by(rs, deploy) and rs["metadata"]["ownerReferences"][0]["blockOwnerDeletion"] is True
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    conditions = {c["type"]: c for c in plan.status["conditions"]}  # type: ignore[index]
    assert conditions["Available"]["status"] == "False"
    assert conditions["Progressing"]["reason"] == "NewReplicaSetCreated"


def test_deployment_status_sums_its_replicasets_and_reports_availability() -> None:
    deploy = owner("Deployment", "web", replicas=2)
    (_, rs), = plan_deployment(deploy, [], now=NOW).create
    rs = {**rs, "status": {"replicas": 2, "readyReplicas": 2, "availableReplicas": 2}}
    status = plan_deployment(deploy, [rs], now=NOW).status
    assert status is not None
    assert {k: status[k] for k in ("replicas", "readyReplicas", "availableReplicas", "updatedReplicas")} == {
        "replicas": 2, "readyReplicas": 2, "availableReplicas": 2, "updatedReplicas": 2}
    assert "unavailableReplicas" not in status and status["observedGeneration"] == 1
    conditions = {c["type"]: c for c in status["conditions"]}
    assert conditions["Available"]["reason"] == "MinimumReplicasAvailable"
    assert conditions["Progressing"]["reason"] == "NewReplicaSetAvailable"
    # A second reconcile with nothing new writes nothing.
    assert plan_deployment({**deploy, "status": status}, [rs], now=LATER).status is None


def test_deployment_tolerates_max_unavailable_for_availability() -> None:
    deploy = owner("Deployment", "web", replicas=4)  # default maxUnavailable 25% → 1
    (_, rs), = plan_deployment(deploy, [], now=NOW).create
    rs = {**rs, "status": {"replicas": 4, "readyReplicas": 3, "availableReplicas": 3}}
    status = plan_deployment(deploy, [rs], now=NOW).status
    assert status is not None
    available = next(c for c in status["conditions"] if c["type"] == "Available")
    assert available["status"] == "True" and status["unavailableReplicas"] == 1


def test_new_template_scales_old_replicasets_to_zero() -> None:
    deploy = owner("Deployment", "web", replicas=2)
    (_, old_rs), = plan_deployment(deploy, [], now=NOW).create
    changed = owner("Deployment", "web", replicas=2, generation=2)
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = "img:2"
    plan = plan_deployment(changed, [old_rs], now=NOW)
    ((_, new_rs),) = plan.create
    assert new_rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert [(r["metadata"]["name"], r["spec"]["replicas"]) for _, r in plan.update] == [(old_rs["metadata"]["name"], 0)]


def test_replicaset_creates_missing_pods_and_removes_unready_surplus_first() -> None:
    rs = owner("ReplicaSet", "web-abc", replicas=2)
    plan = plan_replicaset(rs, [], new_name=names())
    assert [p["metadata"]["name"] for _, p in plan.create] == ["web-abc-00000", "web-abc-00001"]
    # created unscheduled, as kube-controller-manager creates them: binding is the scheduler's part
    assert all("nodeName" not in p["spec"] and controlled_by(p, rs) for _, p in plan.create)
    ready, pending = pod("a", rs), pod("b", rs, "Pending")
    scaled = owner("ReplicaSet", "web-abc", replicas=1)
    assert plan_replicaset(scaled, [ready, pending], new_name=names()).delete == (("pods", "b"),)


def test_replicaset_status_counts_ready_pods() -> None:
    rs = owner("ReplicaSet", "web-abc", replicas=2)
    status = plan_replicaset(rs, [pod("a", rs), pod("b", rs, "Pending")], new_name=names()).status
    assert status == {"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 1, "availableReplicas": 1,
                      "observedGeneration": 1}


def test_statefulset_creates_pods_in_order_and_waits_for_readiness() -> None:
    sts = owner("StatefulSet", "db", replicas=3, serviceName="db",
                volumeClaimTemplates=[{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}])
    plan = plan_statefulset(sts, [], [])
    made = [(r, o) for r, o in plan.create if r != "controllerrevisions.apps"]  # the template's revision too
    assert [(r, o["metadata"]["name"]) for r, o in made] == [("persistentvolumeclaims", "data-db-0"), ("pods", "db-0")]
    pod0 = made[1][1]
    assert pod0["spec"]["volumes"] == [{"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}}]
    assert pod0["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == "db-0"
    (_, revision), = [c for c in plan.create if c[0] == "controllerrevisions.apps"]
    assert plan_statefulset(sts, [pod("db-0", sts, "Pending")], ["data-db-0"], [revision]).create == ()
    nxt = plan_statefulset(sts, [pod("db-0", sts)], ["data-db-0"], [revision]).create
    assert [o["metadata"]["name"] for _, o in nxt] == ["data-db-1", "db-1"]


def test_statefulset_parallel_policy_and_scale_down_from_the_top() -> None:
    sts = owner("StatefulSet", "db", replicas=2, podManagementPolicy="Parallel")
    assert [o["metadata"]["name"] for r, o in plan_statefulset(sts, [], []).create if r == "pods"] == ["db-0", "db-1"]
    smaller = owner("StatefulSet", "db", replicas=1)
    three = [pod(f"db-{i}", smaller) for i in range(3)]
    assert plan_statefulset(smaller, three, []).delete == (("pods", "db-2"),)


def test_statefulset_status_fields() -> None:
    sts = owner("StatefulSet", "db", replicas=2)
    status = plan_statefulset(sts, [pod("db-0", sts), pod("db-1", sts)], []).status
    assert status is not None
    assert (status["replicas"], status["readyReplicas"], status["availableReplicas"], status["currentReplicas"]) == (2, 2, 2, 2)


def test_daemonset_keeps_one_pod() -> None:
    ds = owner("DaemonSet", "agent")
    plan = plan_daemonset(ds, [], new_name=names())
    assert [r for r, _ in plan.create] == ["controllerrevisions.apps", "pods"]
    status = plan_daemonset(ds, [pod("agent-x", ds)], new_name=names()).status
    assert status is not None and status["numberReady"] == 1 and status["desiredNumberScheduled"] == 1


def test_job_runs_parallel_pods_then_completes() -> None:
    job = owner("Job", "once", api_version="batch/v1", completions=2, parallelism=1)
    first = plan_job(job, [], new_name=names(), now=NOW)
    assert len(first.create) == 1 and first.create[0][1]["spec"]["restartPolicy"] == "Never"
    assert first.create[0][1]["metadata"]["labels"]["job-name"] == "once"
    done = plan_job(job, [pod("p1", job, "Succeeded"), pod("p2", job, "Succeeded")], new_name=names(), now=LATER)
    assert done.create == ()
    assert done.status is not None
    assert [c["type"] for c in done.status["conditions"]] == ["SuccessCriteriaMet", "Complete"]
    assert done.status["succeeded"] == 2 and done.status["completionTime"] == LATER


def test_suspended_job_starts_nothing() -> None:
    job = owner("Job", "later", api_version="batch/v1", suspend=True)
    assert plan_job(job, [], new_name=names(), now=NOW).create == ()


def test_job_status_counts_the_pods_the_sync_creates_as_active() -> None:
    job = owner("Job", "once", api_version="batch/v1", completions=3, parallelism=2)
    first = plan_job(job, [], new_name=names(), now=NOW)
    assert len(first.create) == 2 and first.status is not None and first.status["active"] == 2
    synced = {**job, "status": first.status}
    pending = [pod(f"p{i}", job, "Pending") for i in range(2)]
    assert plan_job(synced, pending, new_name=names(), now=LATER).status is None  # nothing new to write


def test_a_statefulset_deletes_a_finished_pod_and_waits_for_a_terminating_one() -> None:
    sts = owner("StatefulSet", "db", replicas=1)
    finished = pod("db-0", sts, "Failed")
    plan = plan_statefulset(sts, [finished], set())
    assert [k for k, _ in plan.create] == ["controllerrevisions.apps"] and plan.delete == (("pods", "db-0"),)
    terminating = {**finished, "metadata": {**finished["metadata"], "deletionTimestamp": NOW}}
    plan = plan_statefulset(sts, [terminating], set())
    # its successor, same name, waits until it is gone
    assert [k for k, _ in plan.create] == ["controllerrevisions.apps"] and plan.delete == ()


def test_a_daemonset_replaces_its_pod_only_once_the_old_one_is_gone() -> None:
    ds = owner("DaemonSet", "agent")
    old = pod("agent-abcde", ds, "Running")
    terminating = {**old, "metadata": {**old["metadata"], "deletionTimestamp": NOW}}
    plan = plan_daemonset(ds, [terminating], new_name=names())
    assert [k for k, _ in plan.create if k == "pods"] == [] and plan.delete == ()
    failed = pod("agent-fghij", ds, "Failed")
    plan = plan_daemonset(ds, [failed], new_name=names())
    assert [k for k, _ in plan.create if k == "pods"] == [] and plan.delete == (("pods", "agent-fghij"),)
    plan = plan_daemonset(ds, [], new_name=names())
    assert [k for k, _ in plan.create if k == "pods"] == ["pods"]
