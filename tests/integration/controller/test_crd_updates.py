"""The CRD an RGD generates, updated when the schema changes: the API server's own finalizer stays,
and once it holds what the RGD wants (as the server writes it back: a printer column's
``priority: 0`` dropped) nothing more is written."""

from __future__ import annotations

import asyncio
from typing import Any

from kro.controller.app import Controller

from ..conftest import ApiClient
from .conftest import eventually
from .helpers import CRDS, RGDS, create, get, replace_spec, rgd_active

CLEANUP = "customresourcecleanup.apiextensions.k8s.io"


def notes(spec: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "kro.run/v1alpha1", "kind": "ResourceGraphDefinition", "metadata": {"name": "notes"},
        "spec": {"schema": {"apiVersion": "v1alpha1", "kind": "Note", "spec": spec}, "resources": [{
            "id": "cm", "template": {"apiVersion": "v1", "kind": "ConfigMap",
                                     "metadata": {"name": "${schema.metadata.name}"},
                                     "data": {"text": "${schema.spec.text}"}},
        }]},
    }  # fmt: skip


async def test_a_schema_change_updates_the_crd_keeping_its_finalizer_then_writes_nothing(
    kapi: ApiClient, controller: Controller
) -> None:
    await create(kapi, RGDS, notes({"text": "string"}))
    await eventually(lambda: rgd_active(kapi, "notes"))

    async def crd_with(field: str) -> dict[str, Any] | None:
        crd = await get(kapi, f"{CRDS}/notes.kro.run")
        spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"] if crd else {}
        return crd if crd and field in spec.get("properties", {}) and CLEANUP in crd["metadata"].get("finalizers", []) else None

    before = (await eventually(lambda: crd_with("text")))["metadata"]["resourceVersion"]
    await replace_spec(kapi, f"{RGDS}/notes", notes({"text": "string", "author": "string"})["spec"])
    await eventually(lambda: crd_with("author"))
    await asyncio.sleep(1.0)  # let the RGD's reconciles after the update finish
    settled = (await get(kapi, f"{CRDS}/notes.kro.run"))["metadata"]["resourceVersion"]  # type: ignore[index]
    await asyncio.sleep(1.5)
    assert (await get(kapi, f"{CRDS}/notes.kro.run"))["metadata"]["resourceVersion"] == settled  # type: ignore[index]
    # no write in between took the finalizer away
    events = await kapi.watch(
        CRDS, {"resourceVersion": before, "fieldSelector": "metadata.name=notes.kro.run", "timeoutSeconds": "1"}
    )
    assert events and all(CLEANUP in e["object"]["metadata"].get("finalizers", []) for e in events), [
        e["object"]["metadata"].get("finalizers") for e in events
    ]
