"""plan_instance over the Redis graph: dependency order, readiness gating, status and labels."""

from __future__ import annotations

from kro.api.conditions import InstanceState, NodeState
from kro.runtime.observed import Snapshot
from kro.runtime.outcome import Done, Requeue
from kro.runtime.planner import plan_instance

from .graphs import compiled, instance, resource, with_uids
from .redis import as_created, redis_graph, redis_instance

V = "0.1.0"


def names(plan):  # type: ignore[no-untyped-def]
    return [[f"{d.gvk.kind}/{d.ref.name}" for d in wave] for wave in plan.applies]


def test_fresh_instance_creates_only_the_first_node_and_says_what_it_waits_on() -> None:
    plan = plan_instance(redis_graph(), redis_instance(), Snapshot(), kro_version=V, now="t0")
    assert names(plan) == [["ConfigMap/session-cache-config"]]
    assert plan.nodes["config"].state is NodeState.IN_PROGRESS
    assert plan.nodes["statefulset"].state is NodeState.WAITING_FOR_READINESS
    assert plan.nodes["statefulset"].reason == "waiting for dependency config"
    assert plan.state is InstanceState.IN_PROGRESS
    assert plan.outcome == Requeue(after=3.0)
    ready = {c["type"]: c for c in plan.status["conditions"]}
    assert ready["ResourcesReady"]["status"] == "False"
    assert (
        ready["ResourcesReady"]["message"]
        == "waiting for config: creating ConfigMap/default/session-cache-config"
    )
    assert ready["Ready"]["reason"] == "NotReady"
    # status fields that need nothing observed are already there; the others are left out
    assert plan.status["endpoint"] == "session-cache.default.svc.cluster.local:6379"
    assert "readyReplicas" not in plan.status


def test_readiness_gates_dependents_and_the_condition_names_the_blocking_node() -> None:
    g, inst = redis_graph(), redis_instance()
    first = plan_instance(g, inst, Snapshot(), kro_version=V)
    second = plan_instance(g, inst, Snapshot(as_created(first)), kro_version=V)
    assert names(second) == [["ConfigMap/session-cache-config"], ["StatefulSet/session-cache"]]
    sts = second.all_applies[1].body
    assert sts["spec"]["template"]["spec"]["containers"][0]["envFrom"][0]["configMapRef"]["name"] == (
        "session-cache-config"
    )
    assert sts["spec"]["replicas"] == 1
    third = plan_instance(
        g, inst, Snapshot(as_created(second, StatefulSet={"readyReplicas": 0})), kro_version=V
    )
    assert third.nodes["statefulset"].state is NodeState.WAITING_FOR_READINESS
    message = {c["type"]: c["message"] for c in third.status["conditions"]}["ResourcesReady"]
    assert message == "waiting for statefulset: readyWhen `${statefulset.status.readyReplicas >= 1}` is false"
    assert third.status["readyReplicas"] == 0
    assert third.status["ready"] is False
    assert len(third.all_applies) == 2  # the services still wait


def test_everything_ready_makes_the_instance_active() -> None:
    g, inst = redis_graph(), redis_instance()
    objects = as_created(plan_instance(g, inst, Snapshot(), kro_version=V))
    for _ in range(3):
        plan = plan_instance(g, inst, Snapshot(objects), kro_version=V, now="t1")
        objects = as_created(plan, StatefulSet={"readyReplicas": 1})
    assert names(plan) == [
        ["ConfigMap/session-cache-config"],
        ["StatefulSet/session-cache"],
        ["Service/session-cache-headless", "Service/session-cache"],
    ]
    assert plan.state is InstanceState.ACTIVE
    assert plan.outcome == Done()
    assert plan.status["state"] == "ACTIVE"
    assert plan.status["readyReplicas"] == 1
    assert {c["type"]: c["status"] for c in plan.status["conditions"]} == {
        "InstanceManaged": "True",
        "GraphResolved": "True",
        "ResourcesReady": "True",
        "Ready": "True",
    }
    assert all(c["observedGeneration"] == 2 for c in plan.status["conditions"])
    assert plan.all_applies[2].body["spec"]["selector"] == {"app": "session-cache"}
    assert not plan.prunes


def test_children_carry_krolabels_and_apply_order() -> None:
    plan = plan_instance(redis_graph(), redis_instance(), Snapshot(), kro_version=V)
    meta = plan.all_applies[0].body["metadata"]
    assert meta["namespace"] == "default"
    assert meta["labels"] == {
        "kro.run/instance-id": "uid-session-cache",
        "kro.run/instance-name": "session-cache",
        "kro.run/instance-namespace": "default",
        "kro.run/instance-group": "kro.run",
        "kro.run/instance-version": "v1alpha1",
        "kro.run/instance-kind": "Redis",
        "kro.run/owned": "true",
        "kro.run/kro-version": V,
        "app.kubernetes.io/managed-by": "kro",
        "kro.run/node-id": "config",
        "applyset.kubernetes.io/part-of": "applyset-7sWGyfhc9nS4tsLT6acQYtu5MQ1McURX8Yxi7MIa7FU-v1",
    }
    # computed independently: printf name.ns.Kind.group | openssl dgst -sha256 -binary | base64url
    # config is deleted last: three waves (services, statefulset, config)
    assert meta["annotations"]["internal.kro.run/apply-order"] == "0"
    assert set(meta["annotations"]) == {"internal.kro.run/apply-order", "internal.kro.run/desired-hash"}


def test_spec_change_changes_the_desired_configmap() -> None:
    g = redis_graph()
    plan = plan_instance(g, redis_instance(maxMemory="1gb"), Snapshot(), kro_version=V)
    assert plan.all_applies[0].body["data"] == {"MAXMEMORY": "1gb", "MAXMEMORY_POLICY": "volatile-lru"}


def test_conditions_keep_their_transition_time_while_unchanged() -> None:
    g, inst = redis_graph(), redis_instance()
    first = plan_instance(g, inst, Snapshot(), kro_version=V, now="t0")
    again = plan_instance(g, {**inst, "status": first.status}, Snapshot(), kro_version=V, now="t9")
    assert again.status == first.status


def test_observed_children_may_be_given_per_node() -> None:
    g, inst = redis_graph(), redis_instance()
    created = as_created(plan_instance(g, inst, Snapshot(), kro_version=V))
    plan = plan_instance(g, inst, Snapshot.from_nodes({"config": created[0]}), kro_version=V)
    assert plan.nodes["config"].state is NodeState.SYNCED


def test_a_readiness_field_not_set_yet_is_named_in_plain_words() -> None:
    g, inst = redis_graph(), redis_instance()
    first = plan_instance(g, inst, Snapshot(), kro_version=V)
    second = plan_instance(g, inst, Snapshot(as_created(first)), kro_version=V)
    # the StatefulSet exists but its controller has not written status.readyReplicas yet
    third = plan_instance(g, inst, Snapshot(as_created(second, StatefulSet={"replicas": 1})), kro_version=V)
    assert third.nodes["statefulset"].state is NodeState.WAITING_FOR_READINESS
    message = {c["type"]: c["message"] for c in third.status["conditions"]}["ResourcesReady"]
    assert message == (
        "waiting for statefulset: readyWhen `${statefulset.status.readyReplicas >= 1}`: "
        "statefulset.status.readyReplicas is not set yet"
    )


def test_a_waiting_interpolated_field_is_named_as_written() -> None:
    g = compiled(
        [
            resource("db", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "db"}}),
            resource(
                "app",
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "app"},
                    "data": {"url": "postgres://${db.data.endpoint}/app"},
                },
            ),
        ]
    )
    inst = instance()
    first = plan_instance(g, inst, Snapshot(), kro_version=V)
    plan = plan_instance(
        g, inst, Snapshot(with_uids([dict(d.body) for d in first.all_applies])), kro_version=V
    )
    assert plan.nodes["app"].state is NodeState.WAITING_FOR_READINESS
    assert plan.nodes["app"].reason == (
        "cannot resolve yet: expression `postgres://${db.data.endpoint}/app`: db.data.endpoint is not set yet"
    )
