from kro.api import GVK
from kro.openapi import BuiltinResolver


def test_statefulset_schema_is_openapi_shaped() -> None:
    kind = BuiltinResolver().resolve(GVK("apps", "v1", "StatefulSet"))
    assert kind is not None and kind.namespaced and kind.plural == "statefulsets"
    replicas = kind.schema["properties"]["spec"]["properties"]["replicas"]
    assert replicas["type"] == "integer"
    assert "readyReplicas" in kind.schema["properties"]["status"]["properties"]


def test_int_or_string_and_list_map_keys_survive() -> None:
    svc = BuiltinResolver().resolve(GVK("", "v1", "Service"))
    assert svc is not None
    ports = svc.schema["properties"]["spec"]["properties"]["ports"]
    assert ports["x-kubernetes-list-type"] == "map"
    assert ports["items"]["properties"]["targetPort"]["x-kubernetes-int-or-string"] is True


def test_unknown_kind_is_none() -> None:
    assert BuiltinResolver().resolve(GVK("example.com", "v1", "Nope")) is None


def test_cluster_scoped_kinds() -> None:
    ns = BuiltinResolver().resolve(GVK("", "v1", "Namespace"))
    assert ns is not None and not ns.namespaced


def test_recursive_definitions_stay_small() -> None:
    import json

    crd = BuiltinResolver().resolve(GVK("apiextensions.k8s.io", "v1", "CustomResourceDefinition"))
    assert crd is not None
    size = len(json.dumps(crd.schema))
    assert size < 200_000, size
    props = crd.schema["properties"]["spec"]["properties"]["versions"]["items"]["properties"]
    inner = props["schema"]["properties"]["openAPIV3Schema"]["properties"]["properties"]
    # JSONSchemaProps refers to itself: the second level is free-form, not inlined again
    assert inner["additionalProperties"].get("x-kubernetes-preserve-unknown-fields") is True
