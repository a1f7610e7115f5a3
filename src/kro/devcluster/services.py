"""Service address allocation at write time, as kube-apiserver's Service storage does it.

A Service gets its ``clusterIP`` (and ``clusterIPs``, ``ipFamilies``, ``ipFamilyPolicy``) and, for
``NodePort``/``LoadBalancer``, each port's ``nodePort`` inside the create itself, so the create's
response already carries them. Addresses come from the stored Services, so deleting a Service
releases its addresses and a restarted durable server knows which are taken. ``clusterIP: None``
stays headless; ``ExternalName`` Services get no cluster IP. On update, an omitted ``clusterIP`` or
``nodePort`` keeps the allocated one and changing an allocated ``clusterIP`` is refused (422).

The free-address search and the store's insert happen without the event loop switching tasks in
between (neither store suspends before the insert), so concurrent creates never share an address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from kro.devcluster.errors import Cause, Invalid
from kro.devcluster.objects import Operation
from kro.devcluster.registry import ResourceType
from kro.devcluster.storage import Store

SERVICE_CIDR = ipaddress.IPv4Network("10.96.0.0/12")
NODE_PORTS = range(30000, 32768)
_KEY = "services"
HEADLESS = "None"


def _spec(obj: Mapping[str, Any]) -> dict[str, Any]:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _ports(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    ports = spec.get("ports")
    return [p for p in ports if isinstance(p, dict)] if isinstance(ports, list) else []


class ServiceAllocation:
    """Admission: fills in and guards a Service's cluster IP and node ports."""

    def __init__(self, store: Store, *, cidr: ipaddress.IPv4Network = SERVICE_CIDR) -> None:
        self._store = store
        self._cidr = cidr

    async def __call__(self, op: Operation, rt: ResourceType, obj: dict[str, Any], old: Mapping[str, Any] | None) -> None:
        if rt.group != "" or rt.kind != "Service" or op == "DELETE" or not isinstance(obj.get("spec"), dict):
            return
        spec: dict[str, Any] = obj["spec"]
        name = str((obj.get("metadata") or {}).get("name") or "")
        if op == "UPDATE" and old is not None:
            self._keep_allocated(rt, name, spec, _spec(old))
        ips, node_ports = await self._taken(obj)
        if spec.get("type", "ClusterIP") != "ExternalName":
            self._assign_ip(rt, name, spec, ips)
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            self._assign_node_ports(rt, name, spec, node_ports)

    async def _taken(self, obj: Mapping[str, Any]) -> tuple[set[str], set[int]]:
        """Addresses held by the other stored Services."""
        meta = obj.get("metadata") or {}
        me = (str(meta.get("namespace") or ""), str(meta.get("name") or ""))
        ips: set[str] = set()
        ports: set[int] = set()
        for svc in (await self._store.list(_KEY, None)).items:
            m = svc.get("metadata") or {}
            if (str(m.get("namespace") or ""), str(m.get("name") or "")) == me:
                continue
            spec = _spec(svc)
            ips.update(str(ip) for ip in spec.get("clusterIPs") or [spec.get("clusterIP")] if ip and ip != HEADLESS)
            ports.update(int(p["nodePort"]) for p in _ports(spec) if isinstance(p.get("nodePort"), int))
        return ips, ports

    @staticmethod
    def _keep_allocated(rt: ResourceType, name: str, spec: dict[str, Any], old: Mapping[str, Any]) -> None:
        old_ip = old.get("clusterIP")
        if not old_ip or spec.get("type", "ClusterIP") == "ExternalName":
            return
        if not spec.get("clusterIP"):
            spec["clusterIP"] = old_ip
            spec.setdefault("clusterIPs", list(old.get("clusterIPs") or [old_ip]))
        elif spec["clusterIP"] != old_ip:
            raise Invalid(rt.kind, rt.group, name, [
                Cause("spec.clusterIPs[0]", "FieldValueInvalid", f'Invalid value: "{spec["clusterIP"]}": may not change once set'),
            ])
        old_node_ports = {(p.get("port"), p.get("protocol")): p.get("nodePort") for p in _ports(old)}
        for port in _ports(spec):
            previous = old_node_ports.get((port.get("port"), port.get("protocol")))
            if not port.get("nodePort") and previous and spec.get("type") in ("NodePort", "LoadBalancer"):
                port["nodePort"] = previous

    def _assign_ip(self, rt: ResourceType, name: str, spec: dict[str, Any], taken: set[str]) -> None:
        requested = spec.get("clusterIP")
        if requested == HEADLESS:
            spec["clusterIPs"] = [HEADLESS]
        elif requested:
            self._check_requested(rt, name, str(requested), taken)
            spec["clusterIPs"] = [requested]
        else:
            ip = self._free_ip(rt, name, taken)
            spec["clusterIP"], spec["clusterIPs"] = ip, [ip]
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")

    def _check_requested(self, rt: ResourceType, name: str, ip: str, taken: set[str]) -> None:
        problem = ""
        try:
            address = ipaddress.IPv4Address(ip)
        except ValueError:
            problem = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
        else:
            if address not in self._cidr:
                problem = f"provided IP is not in the valid range. The range of valid IPs is {self._cidr}"
            elif ip in taken:
                problem = "provided IP is already allocated"
        if problem:
            raise Invalid(rt.kind, rt.group, name, [Cause("spec.clusterIPs", "FieldValueInvalid", f'Invalid value: "{ip}": {problem}')])

    def _free_ip(self, rt: ResourceType, name: str, taken: set[str]) -> str:
        # The first host address belongs to the ``kubernetes`` Service, as in kubeadm clusters.
        reserved = self._cidr.network_address + 1
        for host in self._cidr.hosts():
            if host != reserved and str(host) not in taken:
                return str(host)
        raise Invalid(rt.kind, rt.group, name, [Cause("spec.clusterIPs", "FieldValueInvalid", f"the service range {self._cidr} is full")])

    @staticmethod
    def _assign_node_ports(rt: ResourceType, name: str, spec: dict[str, Any], taken: set[int]) -> None:
        for index, port in enumerate(_ports(spec)):
            wanted = port.get("nodePort")
            if isinstance(wanted, int) and wanted:
                if wanted in taken:
                    raise Invalid(rt.kind, rt.group, name, [Cause(
                        f"spec.ports[{index}].nodePort", "FieldValueInvalid",
                        f"Invalid value: {wanted}: provided port is already allocated",
                    )])
            else:
                free = next((p for p in NODE_PORTS if p not in taken), None)
                if free is None:
                    raise Invalid(rt.kind, rt.group, name, [Cause(
                        f"spec.ports[{index}].nodePort", "FieldValueInvalid", "the node port range is full")])
                port["nodePort"] = wanted = free
            taken.add(wanted)
