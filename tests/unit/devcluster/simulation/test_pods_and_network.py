"""Pod status timeline and service/claim addressing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kro.devcluster.simulation.network import (
    allocate_ip,
    bound_claim,
    needs_addresses,
    service_with_addresses,
)
from kro.devcluster.simulation.plan import condition
from kro.devcluster.simulation.pods import is_ready, pod_status, template_hash
from tests.unit.devcluster.simulation.builders import LATER, NOW, owner, pod


def test_pod_goes_from_pending_to_running_and_ready_keeping_its_start_time() -> None:
    p = pod("p", owner("ReplicaSet", "rs"), "Pending")
    assert p["status"]["phase"] == "Pending" and not is_ready(p)
    assert p["status"]["containerStatuses"][0]["state"] == {"waiting": {"reason": "ContainerCreating"}}
    running = {**p, "status": pod_status(p, "Running", now=LATER)}
    assert is_ready(running)
    assert running["status"]["startTime"] == NOW
    assert running["status"]["containerStatuses"][0]["ready"] is True
    assert running["status"]["podIP"].startswith("10.244.0.")


def test_succeeded_pod_is_terminated_and_not_ready() -> None:
    p = pod("p", owner("Job", "j", api_version="batch/v1"), "Succeeded")
    assert not is_ready(p)
    assert p["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 0


def test_condition_timestamps_move_only_on_change() -> None:
    first = condition([], "Available", True, "R", "m", now=NOW, update_time=True)
    same = condition([first], "Available", True, "R", "m", now=LATER, update_time=True)
    assert same == first
    flipped = condition([first], "Available", False, "R2", "m2", now=LATER, update_time=True)
    assert flipped["lastTransitionTime"] == LATER and flipped["lastUpdateTime"] == LATER


def test_template_hash_is_stable_and_sensitive() -> None:
    t = {"spec": {"containers": [{"name": "c", "image": "a"}]}}
    assert template_hash(t) == template_hash({"spec": {"containers": [{"image": "a", "name": "c"}]}})
    assert template_hash(t) != template_hash({"spec": {"containers": [{"name": "c", "image": "b"}]}})
    assert template_hash(t) != template_hash(t, collision_count=1)


def test_cluster_ips_skip_the_kubernetes_service_address_and_used_ones() -> None:
    assert allocate_ip([]) == "10.96.0.2"
    assert allocate_ip(["10.96.0.2", "10.96.0.3"]) == "10.96.0.4"


def test_service_addresses() -> None:
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}}
    out = service_with_addresses(svc, ["10.96.0.2"], [])
    assert out is not None and out["spec"]["clusterIP"] == "10.96.0.3" and out["spec"]["clusterIPs"] == ["10.96.0.3"]
    assert service_with_addresses(out, [], []) is None
    headless = {**svc, "spec": {"clusterIP": "None", "ports": [{"port": 80}]}}
    assert service_with_addresses(headless, [], []) is None
    external = {**svc, "spec": {"type": "ExternalName", "externalName": "example.com"}}
    assert service_with_addresses(external, [], []) is None
    node_port = {**svc, "spec": {"type": "NodePort", "ports": [{"port": 80}, {"port": 81}]}}
    out = service_with_addresses(node_port, [], [30000])
    assert out is not None and [p["nodePort"] for p in out["spec"]["ports"]] == [30001, 30002]


@pytest.mark.parametrize("storage", ["1Gi", None])
def test_claims_bind(storage: str | None) -> None:
    requests = {"storage": storage} if storage else {}
    pvc = {"metadata": {"name": "d", "uid": "u1"}, "spec": {"accessModes": ["ReadWriteMany"],
                                                            "resources": {"requests": requests}}}
    with_volume, status = bound_claim(pvc)
    assert with_volume is not None and with_volume["spec"]["volumeName"] == "pvc-u1"
    assert status is not None and status["phase"] == "Bound" and status["accessModes"] == ["ReadWriteMany"]
    assert ("capacity" in status) == bool(storage)
    assert bound_claim({**with_volume, "status": status}) == (None, None)


_ports = st.lists(st.fixed_dictionaries({"port": st.integers(1, 65535)},
                                        optional={"nodePort": st.sampled_from([0, None, 30001])}), max_size=3)
_services = st.fixed_dictionaries({}, optional={"spec": st.fixed_dictionaries({}, optional={
    "type": st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]),
    "clusterIP": st.sampled_from(["", "None", "10.96.0.5", None]),
    "ports": _ports,
})})


@given(_services)
def test_needs_addresses_agrees_with_filling_them_in(svc: dict[str, Any]) -> None:
    assert needs_addresses(svc) == (service_with_addresses(svc, [], []) is not None)
