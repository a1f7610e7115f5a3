"""What every namespace and every cluster has from the start. Two controllers of
kube-controller-manager:

- the **service account controller** creates the ``default`` ServiceAccount in every active
  namespace, and again when it is deleted (a Pod with no ``serviceAccountName`` runs as it; the
  ServiceAccount admission refuses a Pod whose account does not exist);
- the **root CA publisher** keeps a ``kube-root-ca.crt`` ConfigMap in every active namespace, holding
  the CA that signed the API server's certificate (empty when the server speaks plain HTTP), and puts
  its data and description back when they are changed or it is deleted.

Both run whatever ``--no-simulation`` says: they are not workloads. And kube-apiserver's own
``default/kubernetes`` Service.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from kro.devcluster import errors
from kro.devcluster.cluster import Cluster
from kro.devcluster.objects import WriteOptions
from kro.devcluster.services import SERVICE_CIDR
from kro.devcluster.storage import WatchEvent
from kro.devcluster.storage.follow import follow

ROOT_CA_CONFIGMAP = "kube-root-ca.crt"
DESCRIPTION_ANNOTATION = "kubernetes.io/description"
DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the "
    "internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes "
    "clusters."
)
DEFAULT_ACCOUNT = "default"
_MANAGER = WriteOptions(manager="kube-controller-manager")
_APISERVER = WriteOptions(manager="kube-apiserver")
# Each write below leaves a refusal as it is (a namespace gone or terminating, a race with another
# writer, an immutable ConfigMap): contextlib.suppress(errors.ApiError).


async def sync_namespaces(cluster: Cluster, root_ca: str) -> None:
    """Both controllers' work for every namespace there is (the server does it before it serves)."""
    for ns in (await cluster.store.list("namespaces", None)).items:
        await _sync(cluster, ns, root_ca)


def account_controller(root_ca: str) -> Callable[[Cluster], Awaitable[None]]:
    """The background loop of both controllers; ``root_ca``: the PEM the ConfigMaps publish."""

    async def run_account_controller(cluster: Cluster) -> None:
        async def changed(event: WatchEvent) -> None:
            namespace = _namespace_to_sync(event.resource, event.type, event.object)
            found = await cluster.store.get_shared("namespaces", "", namespace) if namespace else None
            if found is not None:
                await _sync(cluster, found, root_ca)

        await follow(cluster.store, changed, first=lambda: sync_namespaces(cluster, root_ca))

    return run_account_controller


def _namespace_to_sync(resource: str, event_type: str, obj: Mapping[str, Any]) -> str:
    meta: Mapping[str, Any] = obj.get("metadata") or {}
    if resource == "namespaces" and event_type != "DELETED":
        return str(meta.get("name") or "")
    if resource == "serviceaccounts" and event_type == "DELETED" and meta.get("name") == DEFAULT_ACCOUNT:
        return str(meta.get("namespace") or "")
    if resource == "configmaps" and event_type != "ADDED" and meta.get("name") == ROOT_CA_CONFIGMAP:
        return str(meta.get("namespace") or "")
    return ""


async def _sync(cluster: Cluster, ns: Mapping[str, Any], root_ca: str) -> None:
    meta: Mapping[str, Any] = ns.get("metadata") or {}
    if meta.get("deletionTimestamp") or (ns.get("status") or {}).get("phase") not in (None, "Active"):
        return
    name = str(meta.get("name") or "")
    accounts = cluster.registry.get("", "v1", "serviceaccounts")
    if accounts is not None and await cluster.store.get_shared(accounts.storage_key, name, DEFAULT_ACCOUNT) is None:
        body = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": DEFAULT_ACCOUNT}}
        with contextlib.suppress(errors.ApiError):
            await cluster.objects.create(accounts, name, body, _MANAGER)
    await _publish_root_ca(cluster, name, root_ca)


async def _publish_root_ca(cluster: Cluster, namespace: str, root_ca: str) -> None:
    configmaps = cluster.registry.get("", "v1", "configmaps")
    if configmaps is None:
        return
    data = {"ca.crt": root_ca}
    current = await cluster.store.get_shared(configmaps.storage_key, namespace, ROOT_CA_CONFIGMAP)
    if current is None:
        body: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "data": data, "metadata": {
            "name": ROOT_CA_CONFIGMAP, "annotations": {DESCRIPTION_ANNOTATION: DESCRIPTION}}}  # fmt: skip
        with contextlib.suppress(errors.ApiError):
            await cluster.objects.create(configmaps, namespace, body, _MANAGER)
        return
    annotations: Mapping[str, Any] = (current.get("metadata") or {}).get("annotations") or {}
    if current.get("data") == data and annotations.get(DESCRIPTION_ANNOTATION):
        return
    body = copy.deepcopy(dict(current))
    body["data"] = data
    body["metadata"]["annotations"] = {**annotations, DESCRIPTION_ANNOTATION: DESCRIPTION}
    with contextlib.suppress(errors.ApiError):
        await cluster.objects.update(configmaps, namespace, ROOT_CA_CONFIGMAP, body, _MANAGER)


async def ensure_kubernetes_service(cluster: Cluster, port: int) -> None:
    """The ``default/kubernetes`` Service every cluster has (kube-apiserver's own, on the first
    address of the Service range), its target port the one this server listens on."""
    services = cluster.registry.get("", "v1", "services")
    if services is None:
        return
    ports = [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": port}]
    current = await cluster.store.get_shared(services.storage_key, "default", "kubernetes")
    if current is not None:
        if (current.get("spec") or {}).get("ports") != ports:
            body = copy.deepcopy(dict(current))
            body["spec"]["ports"] = ports
            with contextlib.suppress(errors.ApiError):
                await cluster.objects.update(services, "default", "kubernetes", body, _APISERVER)
        return
    body = {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"type": "ClusterIP", "clusterIP": str(SERVICE_CIDR.network_address + 1), "ports": ports,
                     "sessionAffinity": "None", "ipFamilyPolicy": "SingleStack"}}  # fmt: skip
    with contextlib.suppress(errors.ApiError):
        await cluster.objects.create(services, "default", body, _APISERVER)
