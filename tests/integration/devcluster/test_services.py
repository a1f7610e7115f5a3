"""Service addresses are allocated by the create itself, as kube-apiserver does."""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

from tests.integration.conftest import ApiClient

SVCS = "/api/v1/namespaces/default/services"
SERVICE_CIDR = ipaddress.IPv4Network("10.96.0.0/12")


def service(name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80}], **spec}}


async def test_create_response_carries_cluster_ip_and_defaults(api: ApiClient) -> None:
    status, created = await api.post(SVCS, service("web"))
    assert status == 201, created
    spec = created["spec"]
    assert ipaddress.IPv4Address(spec["clusterIP"]) in SERVICE_CIDR
    assert spec["clusterIPs"] == [spec["clusterIP"]]
    assert spec["ipFamilies"] == ["IPv4"] and spec["ipFamilyPolicy"] == "SingleStack"
    assert spec["type"] == "ClusterIP" and spec["sessionAffinity"] == "None"
    assert spec["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]


async def test_concurrent_creates_get_distinct_ips_and_delete_releases(api: ApiClient) -> None:
    results = await asyncio.gather(*(api.post(SVCS, service(f"s{i}")) for i in range(12)))
    ips = [body["spec"]["clusterIP"] for status, body in results if status == 201]
    assert len(ips) == 12 and len(set(ips)) == 12
    assert "10.96.0.1" not in ips  # the kubernetes Service's address
    status, _ = await api.delete(f"{SVCS}/s0")
    assert status == 200
    status, again = await api.post(SVCS, service("again", clusterIP=ips[0]))
    assert status == 201, again
    assert again["spec"]["clusterIP"] == ips[0]


async def test_headless_external_name_and_node_port(api: ApiClient) -> None:
    _, headless = await api.post(SVCS, service("h", clusterIP="None"))
    assert headless["spec"]["clusterIP"] == "None" and headless["spec"]["clusterIPs"] == ["None"]
    _, external = await api.post(SVCS, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ext"},
                                        "spec": {"type": "ExternalName", "externalName": "example.com"}})
    assert "clusterIP" not in external["spec"]
    _, node_port = await api.post(SVCS, service("np", type="NodePort"))
    assert 30000 <= node_port["spec"]["ports"][0]["nodePort"] <= 32767
    assert node_port["spec"]["clusterIP"] != "None"


async def test_requested_ip_taken_or_out_of_range_is_invalid(api: ApiClient) -> None:
    _, first = await api.post(SVCS, service("first"))
    status, body = await api.post(SVCS, service("second", clusterIP=first["spec"]["clusterIP"]))
    assert status == 422 and body["reason"] == "Invalid"
    assert "provided IP is already allocated" in body["message"]
    status, body = await api.post(SVCS, service("third", clusterIP="192.168.0.10"))
    assert status == 422 and "not in the valid range" in body["message"]


async def test_cluster_ip_is_immutable_and_kept_when_omitted(api: ApiClient) -> None:
    _, created = await api.post(SVCS, service("web"))
    ip = created["spec"]["clusterIP"]
    changed = dict(created, spec={**created["spec"], "clusterIP": "10.96.5.5", "clusterIPs": ["10.96.5.5"]})
    status, body = await api.put(f"{SVCS}/web", changed)
    assert status == 422, body
    assert body["details"]["causes"][0]["field"] == "spec.clusterIPs[0]"
    omitted = {**created, "spec": {k: v for k, v in created["spec"].items() if k not in ("clusterIP", "clusterIPs")}}
    status, kept = await api.put(f"{SVCS}/web", omitted)
    assert status == 200, kept
    assert kept["spec"]["clusterIP"] == ip and kept["spec"]["clusterIPs"] == [ip]
