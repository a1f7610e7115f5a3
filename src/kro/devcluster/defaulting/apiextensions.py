"""Defaults of apiextensions.k8s.io/v1 CustomResourceDefinitions (``defaults.go`` and the strategy's
create-time status): names' ``singular``/``listKind``, ``conversion.strategy: None``, a webhook
service's port 443, and a new CRD's status with its storage version recorded."""

from __future__ import annotations

from kro.devcluster.defaulting.engine import Obj, StructType, const, one


def _names(names: Obj) -> None:
    kind = names.get("kind")
    if not names.get("singular") and isinstance(kind, str):
        names["singular"] = kind.lower()
    if not names.get("listKind") and isinstance(kind, str) and kind:
        names["listKind"] = kind + "List"


def _status(crd: Obj) -> None:
    if isinstance(crd.get("status"), dict):
        return
    versions = (crd.get("spec") or {}).get("versions") or []
    stored = [v["name"] for v in versions if isinstance(v, dict) and v.get("storage") and isinstance(v.get("name"), str)][:1]
    # in the Go type's order: no conditions yet (written ``null``), names not accepted yet
    crd["status"] = {"conditions": None, "acceptedNames": {"plural": "", "kind": ""}, "storedVersions": stored}


TYPES: dict[str, StructType] = {
    "CustomResourceDefinition": StructType(children={"spec": one("CustomResourceDefinitionSpec")}, hooks=(_status,)),
    "CustomResourceDefinitionSpec": StructType(
        defaults={"conversion": const({"strategy": "None"})},
        children={"names": one("CustomResourceDefinitionNames"), "conversion": one("CustomResourceConversion")},
    ),
    "CustomResourceDefinitionNames": StructType(hooks=(_names,)),
    "CustomResourceConversion": StructType(children={"webhook": one("WebhookConversion")}),
    "WebhookConversion": StructType(children={"clientConfig": one("WebhookClientConfig")}),
    "WebhookClientConfig": StructType(children={"service": one("ServiceReference")}),
    "ServiceReference": StructType(defaults={"port": const(443)}),
}

KINDS: dict[str, str] = {"CustomResourceDefinition": "CustomResourceDefinition"}
