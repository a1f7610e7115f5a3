"""Small builders of test objects for the cluster client's integration tests."""

from __future__ import annotations

import asyncio
from typing import Any

from kro.api import GVK, GVR
from kro.kube import KubeClient
from kro.openapi import ResourceInfo

CRDS = GVR("apiextensions.k8s.io", "v1", "customresourcedefinitions")
WIDGET = GVK("example.com", "v1", "Widget")
WIDGETS = GVR("example.com", "v1", "widgets")


def configmap(
    name: str,
    data: dict[str, str] | None = None,
    *,
    namespace: str = "default",
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data or {}}


def widget_crd() -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                    },
                    "subresources": {"status": {}},
                }
            ],
        },
    }


def widget(name: str, *, namespace: str = "default") -> dict[str, Any]:
    return {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": name, "namespace": namespace},
    }


async def install_widget_crd(client: KubeClient, *, timeout: float = 5.0) -> ResourceInfo:
    """Create the Widget CRD and wait until discovery serves it."""
    await client.create(CRDS, widget_crd())
    client.discovery.miss_refresh_seconds = 0.0
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        info = await client.resource_for(WIDGET)
        if info is not None:
            return info
        assert asyncio.get_running_loop().time() < deadline, "the Widget CRD was not served in time"
        await asyncio.sleep(0.05)
