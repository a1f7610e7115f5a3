"""Live schemas from the local API server's /openapi/v3, for the compiler."""

from __future__ import annotations

from kro.api import GVK
from kro.kube import KubeClient, LiveSchemaResolver
from kro.openapi import BuiltinResolver


async def test_builtin_kinds_resolve_with_scope_and_plural(client: KubeClient) -> None:
    resolver = LiveSchemaResolver(client)
    deployment = GVK("apps", "v1", "Deployment")
    namespace = GVK("", "v1", "Namespace")
    await resolver.load([deployment, namespace, GVK("nothing.example.com", "v1", "Nope")])
    found = resolver.resolve(deployment)
    assert found is not None
    assert (found.namespaced, found.plural) == (True, "deployments")
    spec = found.schema["properties"]["spec"]
    assert spec["properties"]["replicas"]["type"] == "integer"
    containers = spec["properties"]["template"]["properties"]["spec"]["properties"]["containers"]
    assert containers["items"]["properties"]["image"]["type"] == "string"
    ns = resolver.resolve(namespace)
    assert ns is not None and not ns.namespaced
    assert resolver.resolve(GVK("nothing.example.com", "v1", "Nope")) is None
    assert resolver.resolve(GVK("batch", "v1", "Job")) is None  # not loaded


async def test_live_and_offline_schemas_agree_on_a_builtin_kind(client: KubeClient) -> None:
    resolver = LiveSchemaResolver(client)
    gvk = GVK("", "v1", "Service")
    await resolver.load([gvk])
    live = resolver.resolve(gvk)
    offline = BuiltinResolver().resolve(gvk)
    assert live is not None and offline is not None
    live_ports = live.schema["properties"]["spec"]["properties"]["ports"]["items"]["properties"]
    offline_ports = offline.schema["properties"]["spec"]["properties"]["ports"]["items"]["properties"]
    assert set(live_ports) == set(offline_ports)
    assert live_ports["targetPort"].get("x-kubernetes-int-or-string") is True
