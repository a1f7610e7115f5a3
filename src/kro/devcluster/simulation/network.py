"""Simulated service networking and storage: cluster IPs, node ports and volume binding.

The create path already allocates a Service's addresses (``kro.devcluster.services``); this loop only
fills in those of Services stored without them (a state directory written before that). Services get
a unique ``clusterIP`` from the service range (10.96.0.0/12, as kubeadm clusters use;
the first address belongs to the ``kubernetes`` service); a headless Service (``clusterIP: None``) and
an ``ExternalName`` Service get none. ``NodePort`` and ``LoadBalancer`` ports get a node port from
30000-32767. PersistentVolumeClaims are bound at once to a volume named after their uid.
These addresses are data only: nothing is routed to them.
"""

from __future__ import annotations

import copy
import ipaddress
from collections.abc import Collection, Mapping
from typing import Any

SERVICE_CIDR = ipaddress.IPv4Network("10.96.0.0/12")
NODE_PORTS = range(30000, 32768)


def allocate_ip(used: Collection[str], *, cidr: ipaddress.IPv4Network = SERVICE_CIDR) -> str:
    """The lowest free address of ``cidr`` after the one reserved for the ``kubernetes`` service."""
    taken = set(used)
    for host in cidr.hosts():
        ip = str(host)
        if host == cidr.network_address + 1 or ip in taken:
            continue
        return ip
    raise RuntimeError(f"the service range {cidr} is full")


def needs_addresses(svc: Mapping[str, Any]) -> bool:
    """Whether :func:`service_with_addresses` would fill anything in (without copying the Service)."""
    spec = svc.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    if kind != "ExternalName" and not spec.get("clusterIP"):
        return True
    return kind in ("NodePort", "LoadBalancer") and any(not p.get("nodePort") for p in spec.get("ports") or [])


def service_with_addresses(svc: Mapping[str, Any], used_ips: Collection[str],
                           used_ports: Collection[int]) -> dict[str, Any] | None:
    """The Service with its cluster IP and node ports filled in, or ``None`` if it needs nothing."""
    spec = svc.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    out = copy.deepcopy(dict(svc))
    out_spec = out.setdefault("spec", {})
    changed = False
    if kind != "ExternalName" and not spec.get("clusterIP"):
        ip = allocate_ip(used_ips)
        out_spec["clusterIP"], out_spec["clusterIPs"] = ip, [ip]
        out_spec.setdefault("ipFamilies", ["IPv4"])
        out_spec.setdefault("ipFamilyPolicy", "SingleStack")
        changed = True
    if kind in ("NodePort", "LoadBalancer"):
        taken = set(used_ports)
        for port in out_spec.get("ports") or []:
            if not port.get("nodePort"):
                port["nodePort"] = next(p for p in NODE_PORTS if p not in taken)
                taken.add(port["nodePort"])
                changed = True
    return out if changed else None


def bound_claim(pvc: Mapping[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(the claim with ``spec.volumeName`` set, or ``None``; its ``Bound`` status, or ``None``)."""
    spec = pvc.get("spec") or {}
    uid = str((pvc.get("metadata") or {}).get("uid", ""))
    with_volume = None
    if not spec.get("volumeName"):
        with_volume = copy.deepcopy(dict(pvc))
        with_volume["spec"]["volumeName"] = f"pvc-{uid}"
    storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    status: dict[str, Any] = {"phase": "Bound", "accessModes": list(spec.get("accessModes") or ["ReadWriteOnce"])}
    if storage is not None:
        status["capacity"] = {"storage": storage}
    return with_volume, (None if (pvc.get("status") or {}) == status else status)
