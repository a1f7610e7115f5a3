"""Defaults of the networking.k8s.io group (``pkg/apis/networking/v1/defaults.go``)."""

from __future__ import annotations

from kro.devcluster.defaulting.engine import Obj, StructType, const, each, one


def _policy_types(spec: Obj) -> None:
    if not spec.get("policyTypes"):
        types = ["Ingress"]
        if spec.get("egress"):
            types.append("Egress")
        spec["policyTypes"] = types


TYPES: dict[str, StructType] = {
    "NetworkPolicy": StructType(children={"spec": one("NetworkPolicySpec")}),
    "NetworkPolicySpec": StructType(
        children={"ingress": each("NetworkPolicyRule"), "egress": each("NetworkPolicyRule")}, hooks=(_policy_types,)
    ),
    "NetworkPolicyRule": StructType(children={"ports": each("NetworkPolicyPort")}),
    "NetworkPolicyPort": StructType(defaults={"protocol": const("TCP")}),
    "Ingress": StructType(defaults={"status": const({"loadBalancer": {}})}),
}

KINDS: dict[str, str] = {"NetworkPolicy": "NetworkPolicy", "Ingress": "Ingress"}
