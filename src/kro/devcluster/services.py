"""Service address allocation at write time, as kube-apiserver's Service storage does it.

A Service gets its ``clusterIP`` (and ``clusterIPs``, ``ipFamilies``, ``ipFamilyPolicy``) and, for
``NodePort``/``LoadBalancer``, each port's ``nodePort`` inside the create itself, so the create's
response already carries them. Which addresses are taken is an index of the stored Services that
the store keeps current on every change (:meth:`~kro.devcluster.storage.Store.on_change`, which
also replays what a restarted durable server loads), so deleting a Service releases its addresses
and allocation costs no scan of the cluster's Services; the free-address search starts after the
lowest addresses known to be held. ``clusterIP: None`` stays headless;
``ExternalName`` Services get no cluster IP. On update, an omitted ``clusterIP`` or
``nodePort`` keeps the allocated one and changing an allocated ``clusterIP`` is refused (422).

The free-address search and the store's insert (which updates the index synchronously) happen
without the event loop switching tasks in between (neither store suspends before the insert), so
concurrent creates never share an address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any, Generic, TypeVar, cast

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


_K = TypeVar("_K")
_Holder = tuple[str, str]  # (namespace, name) of a Service


def _holder(obj: Mapping[str, Any]) -> _Holder:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


def _ips_of(spec: Mapping[str, Any]) -> list[str]:
    return [str(ip) for ip in spec.get("clusterIPs") or [spec.get("clusterIP")] if ip and ip != HEADLESS]


def _node_ports_of(spec: Mapping[str, Any]) -> list[int]:
    return [int(p["nodePort"]) for p in _ports(spec) if isinstance(p.get("nodePort"), int)]


class _HeldByOthers(Generic[_K]):
    """The addresses of one kind held by Services other than ``me``, plus those this request just
    took (``add``): a view over the index, so checking an address costs no scan."""

    def __init__(self, holders: Mapping[_K, set[_Holder]], me: _Holder) -> None:
        self._holders = holders
        self._me = me
        self._added: set[_K] = set()

    def __contains__(self, value: object) -> bool:
        if value in self._added:
            return True
        held = self._holders.get(cast(_K, value))
        if not held:
            return False
        return len(held) > 1 or self._me not in held

    @property
    def me(self) -> _Holder:
        return self._me

    def add(self, value: _K) -> None:
        self._added.add(value)


def _dotted(address: int) -> str:
    """An IPv4 address as ``str(IPv4Address(address))`` writes it."""
    return f"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}"


# A claim in the index: (is a cluster IP, the address or node port, the Service holding it).
_Claim = tuple[bool, Any, _Holder]


class ServiceAllocation:
    """Admission: fills in and guards a Service's cluster IP and node ports."""

    def __init__(self, store: Store, *, cidr: ipaddress.IPv4Network = SERVICE_CIDR) -> None:
        self._cidr = cidr
        # address -> the Services holding it. A set, because Services stored without this check (a
        # state directory written by an older server) may share one; each releases only its claim.
        self._ip_holders: dict[str, set[_Holder]] = {}
        self._port_holders: dict[int, set[_Holder]] = {}
        # How many cluster IPs each Service holds (those holding none are absent).
        self._ips_held: dict[_Holder, int] = {}
        # The host addresses in order (as integers), without the ``kubernetes`` Service's first one,
        # and where the free-address search starts: every address before it is held.
        hosts = (int(cidr.network_address) + 1, int(cidr.broadcast_address) - 1) if cidr.num_addresses > 2 else (
            int(cidr.network_address), int(cidr.broadcast_address))
        self._reserved = int(cidr.network_address) + 1
        self._first_host, self._last_host = hosts
        self._search_from = self._first_host
        store.on_change(_KEY, self._changed)

    def _changed(self, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> None:
        released = self._claims(old) if old is not None else set()
        claimed = self._claims(new) if new is not None else set()
        for claim in released - claimed:
            self._release(claim)
        for claim in claimed - released:
            self._claim(claim)

    @staticmethod
    def _claims(svc: Mapping[str, Any]) -> set[_Claim]:
        who = _holder(svc)
        spec = _spec(svc)
        return {(True, ip, who) for ip in _ips_of(spec)} | {(False, port, who) for port in _node_ports_of(spec)}

    def _claim(self, claim: _Claim) -> None:
        is_ip, value, who = claim
        holders: dict[Any, set[_Holder]] = self._ip_holders if is_ip else self._port_holders
        held = holders.setdefault(value, set())
        if who in held:
            return
        held.add(who)
        if is_ip:
            self._ips_held[who] = self._ips_held.get(who, 0) + 1

    def _release(self, claim: _Claim) -> None:
        is_ip, value, who = claim
        holders: dict[Any, set[_Holder]] = self._ip_holders if is_ip else self._port_holders
        if value not in holders or who not in holders[value]:
            return
        holders[value].discard(who)
        if not holders[value]:
            del holders[value]
        if not is_ip:
            return
        self._ips_held[who] -= 1
        if not self._ips_held[who]:
            del self._ips_held[who]
        if value not in holders:
            try:
                address = int(ipaddress.IPv4Address(value))
            except ValueError:
                return
            self._search_from = min(self._search_from, max(address, self._first_host))

    async def __call__(
        self, op: Operation, rt: ResourceType, obj: dict[str, Any], old: Mapping[str, Any] | None, /, *, name: str
    ) -> None:
        if rt.group != "" or rt.kind != "Service" or op == "DELETE" or not isinstance(obj.get("spec"), dict):
            return
        spec: dict[str, Any] = obj["spec"]
        name = str((obj.get("metadata") or {}).get("name") or "")
        if op == "UPDATE" and old is not None:
            self._keep_allocated(rt, name, spec, _spec(old))
        ips, node_ports = self._taken(obj)
        if spec.get("type", "ClusterIP") != "ExternalName":
            self._assign_ip(rt, name, spec, ips)
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            self._assign_node_ports(rt, name, spec, node_ports)

    def _taken(self, obj: Mapping[str, Any]) -> tuple[_HeldByOthers[str], _HeldByOthers[int]]:
        """Addresses held by the other stored Services."""
        me = _holder(obj)
        return _HeldByOthers(self._ip_holders, me), _HeldByOthers(self._port_holders, me)

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

    def _assign_ip(self, rt: ResourceType, name: str, spec: dict[str, Any], taken: _HeldByOthers[str]) -> None:
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

    def _check_requested(self, rt: ResourceType, name: str, ip: str, taken: _HeldByOthers[str]) -> None:
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

    def _free_ip(self, rt: ResourceType, name: str, taken: _HeldByOthers[str]) -> str:
        """The lowest host address no other Service holds. The first one belongs to the
        ``kubernetes`` Service, as in kubeadm clusters. The search starts after the addresses known
        to be held, unless this Service holds some itself (those are free to it)."""
        mine = taken.me in self._ips_held
        host = self._first_host if mine else self._search_from
        while host <= self._last_host:
            if host != self._reserved:
                text = _dotted(host)
                if text not in taken:
                    if not mine:
                        self._search_from = host
                    return text
            host += 1
        raise Invalid(rt.kind, rt.group, name, [Cause("spec.clusterIPs", "FieldValueInvalid", f"the service range {self._cidr} is full")])

    @staticmethod
    def _assign_node_ports(rt: ResourceType, name: str, spec: dict[str, Any], taken: _HeldByOthers[int]) -> None:
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
