"""What the controller refuses or holds back: suspended instances, CRDs it does not own, breaking
schema changes, and field drift on a child."""

from __future__ import annotations

import asyncio
from typing import Any

from kro.controller.app import Controller

from ..conftest import ApiClient
from .conftest import eventually
from .helpers import CRDS, RGDS, condition, core, create, get, instances, replace_spec, rgd_active


def rgd(spec: dict[str, Any], *, annotations: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "ResourceGraphDefinition",
        "metadata": {"name": "note", **({"annotations": annotations} if annotations else {})},
        "spec": {
            "schema": {"apiVersion": "v1alpha1", "kind": "Note", "spec": spec},
            "resources": [
                {
                    "id": "cm",
                    "template": {
                        "apiVersion": "v1",
                        "kind": "ConfigMap",
                        "metadata": {"name": "${schema.metadata.name}"},
                        "data": {"text": "${schema.spec.text}"},
                    },
                }
            ],
        },
    }


NOTE = {"apiVersion": "kro.run/v1alpha1", "kind": "Note", "metadata": {"name": "n1", "namespace": "default"}}


async def data(api: ApiClient) -> dict[str, Any] | None:
    cm = await get(api, core("configmaps", "n1"))
    return cm["data"] if cm else None


async def test_field_drift_is_repaired_and_suspension_stops_it(
    kapi: ApiClient, controller: Controller
) -> None:
    await create(kapi, RGDS, rgd({"text": "string"}))
    await eventually(lambda: rgd_active(kapi, "note"))
    await create(kapi, instances("notes"), {**NOTE, "spec": {"text": "hello"}})
    await eventually(lambda: _equals(data(kapi), {"text": "hello"}))

    # someone else changes a field the template sets (and adds one it does not): kro repairs its
    # own field from the informer's copy (no managedFields there) and leaves the other alone
    code, _ = await kapi.patch(core("configmaps", "n1"), {"data": {"text": "tampered", "extra": "mine"}})
    assert code == 200
    await eventually(lambda: _equals(data(kapi), {"text": "hello", "extra": "mine"}), timeout=2)

    code, _ = await kapi.patch(
        instances("notes", "n1"), {"metadata": {"annotations": {"kro.run/reconcile": "suspended"}}}
    )
    assert code == 200

    async def suspended() -> bool:
        obj = await get(kapi, instances("notes", "n1"))
        return condition(obj, "ResourcesReady").get("reason") == "ReconciliationSuspended"

    await eventually(suspended)
    await kapi.patch(core("configmaps", "n1"), {"data": {"text": "tampered"}})
    await asyncio.sleep(1.0)
    assert await data(kapi) == {"text": "tampered", "extra": "mine"}


async def test_a_crd_kro_does_not_own_is_left_alone(kapi: ApiClient, controller: Controller) -> None:
    foreign = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "notes.kro.run"},
        "spec": {
            "group": "kro.run",
            "names": {"kind": "Note", "plural": "notes", "singular": "note", "listKind": "NoteList"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1alpha1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                    },
                }
            ],
        },
    }
    await create(kapi, CRDS, foreign)
    await create(kapi, RGDS, rgd({"text": "string"}))

    async def refused() -> dict[str, Any] | None:
        obj = await get(kapi, f"{RGDS}/note")
        return obj if condition(obj, "KindReady").get("status") == "False" else None

    obj = await eventually(refused)
    assert "exists and is not owned by RGD note" in condition(obj, "KindReady")["message"]
    assert obj["status"]["state"] == "Inactive"
    crd = await get(kapi, f"{CRDS}/notes.kro.run")
    assert crd is not None and "labels" not in crd["metadata"]


async def test_breaking_schema_changes_need_the_annotation(kapi: ApiClient, controller: Controller) -> None:
    await create(kapi, RGDS, rgd({"text": "string", "size": "integer"}))
    await eventually(lambda: rgd_active(kapi, "note"))
    await replace_spec(kapi, f"{RGDS}/note", rgd({"text": "string"})["spec"])

    async def refused() -> dict[str, Any] | None:
        obj = await get(kapi, f"{RGDS}/note")
        return obj if condition(obj, "KindReady").get("status") == "False" else None

    obj = await eventually(refused)
    assert "breaking changes to notes.kro.run refused" in condition(obj, "KindReady")["message"]
    crd = await get(kapi, f"{CRDS}/notes.kro.run")
    assert crd is not None
    spec_props = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
    assert "size" in spec_props

    code, _ = await kapi.patch(
        f"{RGDS}/note", {"metadata": {"annotations": {"kro.run/allow-breaking-changes": "true"}}}
    )
    assert code == 200

    async def schema_updated() -> bool:
        crd = await get(kapi, f"{CRDS}/notes.kro.run")
        props = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]  # type: ignore[index]
        return "size" not in props

    await eventually(schema_updated)
    await eventually(lambda: rgd_active(kapi, "note"))


async def _equals(value: Any, expected: Any) -> bool:
    return bool(await value == expected)


async def test_a_refused_child_is_reported_and_retried(kapi: ApiClient, controller: Controller) -> None:
    named = rgd({"text": "string"})
    named["spec"]["resources"][0]["template"]["metadata"]["name"] = "${schema.spec.text}"
    await create(kapi, RGDS, named)
    await eventually(lambda: rgd_active(kapi, "note"))
    await create(kapi, instances("notes"), {**NOTE, "spec": {"text": "Not_A_Valid_Name"}})

    async def failed() -> dict[str, Any] | None:
        obj = await get(kapi, instances("notes", "n1"))
        return obj if ((obj or {}).get("status") or {}).get("state") == "ERROR" else None

    obj = await eventually(failed)
    ready = condition(obj, "ResourcesReady")
    assert ready["message"].startswith("cm failed: applying ConfigMap/default/Not_A_Valid_Name: 422")
    assert condition(obj, "Ready")["status"] == "False"
    await asyncio.sleep(1.0)  # retried with backoff meanwhile: still one Warning, not one per retry
    warnings = [e for e in await note_events(kapi) if e["reason"] == "ApplyFailed"]
    assert len(warnings) == 1 and warnings[0]["type"] == "Warning"
    assert "Not_A_Valid_Name" in warnings[0]["message"]

    await replace_spec(kapi, instances("notes", "n1"), {"text": "valid-name"})
    await eventually(lambda: get(kapi, core("configmaps", "valid-name")))

    async def recovered() -> bool:
        obj = await get(kapi, instances("notes", "n1"))
        return ((obj or {}).get("status") or {}).get("state") == "ACTIVE"

    await eventually(recovered)


async def note_events(api: ApiClient) -> list[dict[str, Any]]:
    code, body = await api.get(core("events"))
    assert code == 200
    return [
        e
        for e in body["items"]
        if e["involvedObject"]["name"] == "n1" and e["involvedObject"]["kind"] == "Note"
    ]
