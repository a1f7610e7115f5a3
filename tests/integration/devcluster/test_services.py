"""Service addresses are allocated by the create itself, as kube-apiserver does."""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path
from typing import Any

import aiohttp

from tests.integration.conftest import ApiClient, DevServerFactory

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


async def _create_many(api: ApiClient, count: int, **spec: Any) -> list[dict[str, Any]]:
    results = await asyncio.gather(*(api.post(SVCS, service(f"c{i}", **spec)) for i in range(count)))
    assert all(status == 201 for status, _ in results), [body for status, body in results if status != 201]
    return [body for _, body in results]


def _addresses(services: list[dict[str, Any]]) -> tuple[list[str], list[int]]:
    ips = [s["spec"]["clusterIP"] for s in services]
    ports = [p["nodePort"] for s in services for p in s["spec"]["ports"] if "nodePort" in p]
    return ips, ports


async def test_concurrent_creates_never_share_an_address_on_either_backend(
    devserver_factory: DevServerFactory, tmp_path: Path,
) -> None:
    for state_dir in (None, tmp_path / "state"):
        server = await devserver_factory(state_dir=state_dir)
        async with aiohttp.ClientSession() as session:
            api = ApiClient(server, session)
            created = await _create_many(api, 40, type="NodePort")
            created += await asyncio.gather(*(_one(api, f"n{i}") for i in range(20)))
            ips, ports = _addresses(created)
            assert len(ips) == 60 and len(set(ips)) == 60
            assert len(ports) == 40 and len(set(ports)) == 40
            _, listed = await api.get(SVCS)
            mine = [s for s in listed["items"] if s["metadata"]["name"] != "kubernetes"]  # the cluster's own
            assert _addresses(mine) == _addresses(sorted(created, key=lambda s: s["metadata"]["name"]))


async def _one(api: ApiClient, name: str) -> dict[str, Any]:
    status, body = await api.post(SVCS, service(name))
    assert status == 201, body
    return dict(body)


async def test_concurrent_requests_for_one_address_exactly_one_wins(api: ApiClient) -> None:
    results = await asyncio.gather(*(api.post(SVCS, service(f"w{i}", clusterIP="10.96.7.7")) for i in range(8)))
    assert sorted(status for status, _ in results) == [201] + [422] * 7
    results = await asyncio.gather(*(api.post(SVCS, service(f"p{i}", type="NodePort", ports=[{"port": 80, "nodePort": 31000}]))
                                     for i in range(8)))
    assert sorted(status for status, _ in results) == [201] + [422] * 7


async def test_a_restarted_durable_server_knows_which_addresses_are_taken(
    devserver_factory: DevServerFactory, tmp_path: Path,
) -> None:
    state = tmp_path / "state"
    first = await devserver_factory(state_dir=state)
    async with aiohttp.ClientSession() as session:
        api = ApiClient(first, session)
        before = await _create_many(api, 5, type="NodePort")
        assert (await api.delete(f"{SVCS}/c0"))[0] == 200
    await first.stop()

    again = await devserver_factory(state_dir=state)
    async with aiohttp.ClientSession() as session:
        api = ApiClient(again, session)
        ips, ports = _addresses(before[1:])
        status, body = await api.post(SVCS, service("dup", clusterIP=ips[0]))
        assert status == 422 and "already allocated" in body["message"]
        status, body = await api.post(SVCS, service("dup", type="NodePort", ports=[{"port": 80, "nodePort": ports[0]}]))
        assert status == 422 and "already allocated" in body["message"]
        # The deleted Service's addresses were released before the restart.
        status, body = await api.post(SVCS, service("reuse", type="NodePort", clusterIP=before[0]["spec"]["clusterIP"],
                                                    ports=[{"port": 80, "nodePort": _addresses(before[:1])[1][0]}]))
        assert status == 201, body
        fresh = await asyncio.gather(*(_one(api, f"f{i}") for i in range(10)))
        assert not {s["spec"]["clusterIP"] for s in fresh} & {*ips, body["spec"]["clusterIP"]}


async def test_update_and_delete_release_the_addresses_they_drop(api: ApiClient) -> None:
    _, node_port = await api.post(SVCS, service("np", type="NodePort"))
    port = node_port["spec"]["ports"][0]["nodePort"]
    ip = node_port["spec"]["clusterIP"]
    as_cluster_ip = {**node_port, "spec": {**node_port["spec"], "type": "ClusterIP",
                                          "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}]}}
    status, body = await api.put(f"{SVCS}/np", as_cluster_ip)
    assert status == 200, body
    status, body = await api.post(SVCS, service("takes-port", type="NodePort", ports=[{"port": 80, "nodePort": port}]))
    assert status == 201, body
    status, body = await api.post(SVCS, service("takes-ip", clusterIP=ip))
    assert status == 422, body  # still held by np
    assert (await api.delete(f"{SVCS}/np"))[0] == 200
    status, body = await api.post(SVCS, service("takes-ip", clusterIP=ip))
    assert status == 201, body
