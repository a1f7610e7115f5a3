"""The HPA planner (bounds only: no metrics exist) and Deployment revisions (rollbacks renumber)."""

from __future__ import annotations

from typing import Any

from kro.devcluster.simulation.apps import REVISION, REVISION_HISTORY, plan_deployment
from kro.devcluster.simulation.autoscaling import plan_hpa
from kro.devcluster.simulation.pods import template_hash
from tests.unit.devcluster.simulation.builders import LATER, NOW, owner


def _hpa(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "default", "generation": 1},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, **spec},
    }


def _conditions(status: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {c["type"]: (c["status"], c["reason"]) for c in status["conditions"]}


def test_a_target_below_min_replicas_is_scaled_up_to_it() -> None:
    plan = plan_hpa(_hpa(minReplicas=3, maxReplicas=5), 1, now=NOW)
    assert plan.scale_to == 3
    assert plan.status["currentReplicas"] == 1 and plan.status["desiredReplicas"] == 3
    assert plan.status["lastScaleTime"] == NOW
    assert _conditions(plan.status)["AbleToScale"] == ("True", "SucceededRescale")
    assert _conditions(plan.status)["ScalingLimited"] == ("True", "TooFewReplicas")


def test_a_target_above_max_replicas_is_scaled_down_to_it() -> None:
    plan = plan_hpa(_hpa(minReplicas=2, maxReplicas=4), 9, now=NOW)
    assert plan.scale_to == 4
    assert _conditions(plan.status)["ScalingLimited"] == ("True", "TooManyReplicas")


def test_min_replicas_defaults_to_one_and_a_target_in_range_is_left_alone() -> None:
    assert plan_hpa(_hpa(maxReplicas=4), 2, now=NOW).scale_to is None
    plan = plan_hpa(_hpa(maxReplicas=4), 2, now=NOW)
    assert plan.status["desiredReplicas"] == 2
    assert _conditions(plan.status)["ScalingActive"] == ("False", "FailedGetResourceMetric")


def test_a_target_at_zero_replicas_has_scaling_disabled() -> None:
    plan = plan_hpa(_hpa(minReplicas=2, maxReplicas=4), 0, now=NOW)
    assert plan.scale_to is None
    assert plan.status["desiredReplicas"] == 0
    assert _conditions(plan.status)["ScalingActive"] == ("False", "ScalingDisabled")


def test_an_unchanged_hpa_plans_the_same_status_again() -> None:
    hpa = _hpa(minReplicas=1, maxReplicas=3)
    hpa["status"] = plan_hpa(hpa, 2, now=NOW).status
    assert plan_hpa(hpa, 2, now=LATER).status == hpa["status"]


def _rs(deploy: dict[str, Any], template: dict[str, Any], revision: int, replicas: int) -> dict[str, Any]:
    name = f"{deploy['metadata']['name']}-{template_hash(template)}"
    return {
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": "default", "annotations": {REVISION: str(revision)},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                                          "uid": deploy["metadata"]["uid"], "controller": True}]},
        "spec": {"replicas": replicas, "template": template},
    }


def test_a_new_replicaset_copies_the_change_cause_and_the_deployment_records_its_revision() -> None:
    deploy = owner("Deployment", "web", replicas=2)
    deploy["metadata"]["annotations"] = {"kubernetes.io/change-cause": "first"}
    plan = plan_deployment(deploy, [], now=NOW)
    (_, created), = plan.create
    assert created["metadata"]["annotations"]["kubernetes.io/change-cause"] == "first"
    assert created["metadata"]["annotations"][REVISION] == "1"
    assert plan.annotate == {REVISION: "1"}


def test_rolling_back_to_an_old_template_makes_its_replicaset_the_newest_revision() -> None:
    deploy = owner("Deployment", "web", replicas=2)
    old_template = deploy["spec"]["template"]
    newer = {**old_template, "spec": {"containers": [{"name": "c", "image": "img:2"}]}}
    replicasets = [_rs(deploy, old_template, 1, 0), _rs(deploy, newer, 2, 2)]
    plan = plan_deployment(deploy, replicasets, now=NOW)  # the Deployment's template is the old one again
    renewed = next(rs for _, rs in plan.update if rs["metadata"]["name"] == replicasets[0]["metadata"]["name"])
    assert renewed["metadata"]["annotations"][REVISION] == "3"
    assert renewed["metadata"]["annotations"][REVISION_HISTORY] == "1"
    assert renewed["spec"]["replicas"] == 2
    assert plan.annotate == {REVISION: "3"}


def test_events_of_a_plan_say_what_kube_controller_manager_says() -> None:
    from kro.devcluster.simulation.events import event, plan_events
    from kro.devcluster.simulation.plan import Plan

    deploy = owner("Deployment", "web", replicas=2)
    rs = {"metadata": {"name": "web-abc"}, "spec": {"replicas": 2}}
    plan = Plan(create=(("replicasets.apps", rs),), update=(("replicasets.apps", {"metadata": {"name": "web-old"}, "spec": {"replicas": 0}}),))
    assert plan_events("deployments.apps", deploy, plan, {"web-old": 3}) == [
        ("ScalingReplicaSet", "Scaled up replica set web-abc from 0 to 2", "Normal"),
        ("ScalingReplicaSet", "Scaled down replica set web-old from 3 to 0", "Normal"),
    ]
    sts = owner("StatefulSet", "db")
    plan = Plan(create=(("pods", {"metadata": {"name": "db-0"}}),), delete=(("pods", "db-1"),))
    assert plan_events("statefulsets.apps", sts, plan, {}) == [
        ("SuccessfulCreate", "create Pod db-0 in StatefulSet db successful", "Normal"),
        ("SuccessfulDelete", "delete Pod db-1 in StatefulSet db successful", "Normal"),
    ]
    body = event(deploy, "ScalingReplicaSet", "m", component="deployment-controller", now=NOW)
    assert body["involvedObject"]["uid"] == "uid-web" and body["source"] == {"component": "deployment-controller"}
    assert body["metadata"]["name"].startswith("web.") and body["count"] == 1
    assert body["type"] == "Normal"


def test_a_create_refused_because_the_name_is_taken_is_told_as_each_controller_tells_it() -> None:
    from kro.devcluster.simulation.events import plan_events
    from kro.devcluster.simulation.plan import Plan

    taken = {"web-abc-x1": 'pods "web-abc-x1" already exists', "db-0": 'pods "db-0" already exists',
             "web-abc": 'replicasets.apps "web-abc" already exists'}
    rs = owner("ReplicaSet", "web-abc")
    plan = Plan(create=(("pods", {"metadata": {"name": "web-abc-x1"}}), ("pods", {"metadata": {"name": "web-abc-x2"}})))
    # the pod controller of ReplicaSets, Jobs and DaemonSets: a Warning with the API error
    assert plan_events("replicasets.apps", rs, plan, {}, failed=taken) == [
        ("FailedCreate", 'Error creating: pods "web-abc-x1" already exists', "Warning"),
        ("SuccessfulCreate", "Created pod: web-abc-x2", "Normal"),
    ]
    # the StatefulSet controller sinks AlreadyExists; the Deployment controller adopts its ReplicaSet
    sts_plan = Plan(create=(("pods", {"metadata": {"name": "db-0"}}),))
    assert plan_events("statefulsets.apps", owner("StatefulSet", "db"), sts_plan, {}, failed=taken) == []
    deploy_plan = Plan(create=(("replicasets.apps", {"metadata": {"name": "web-abc"}, "spec": {"replicas": 2}}),))
    assert plan_events("deployments.apps", owner("Deployment", "web"), deploy_plan, {}, failed=taken) == []


def test_controller_revisions_number_templates_and_renumber_on_rollback() -> None:
    from kro.devcluster.simulation.stateful import plan_revisions

    sts = owner("StatefulSet", "db")
    sts["metadata"]["annotations"] = {"kubernetes.io/change-cause": "v1"}
    digest, create, update = plan_revisions(sts, [], hash_label="controller.kubernetes.io/hash", labels={"app": "db"})
    (_, first), = create
    assert first["metadata"]["name"] == f"db-{digest}" and first["revision"] == 1 and update == []
    assert first["metadata"]["labels"] == {"app": "db", "controller.kubernetes.io/hash": digest}
    assert first["metadata"]["annotations"] == {"kubernetes.io/change-cause": "v1"}
    assert first["data"]["spec"]["template"]["$patch"] == "replace"
    newer = {**first, "metadata": {**first["metadata"], "name": "db-other"}, "revision": 2}
    digest, create, update = plan_revisions(sts, [first, newer], hash_label="h", labels={})
    assert create == [] and [(k, r["revision"]) for k, r in update] == [("controllerrevisions.apps", 3)]
    assert plan_revisions(sts, [{**first, "revision": 3}, newer], hash_label="h", labels={})[1:] == ([], [])
