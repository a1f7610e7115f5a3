"""Making sure an RGD's CustomResourceDefinition exists, matches the compiled graph and is served.

kro only touches CRDs it owns (labelled ``kro.run/owned=true`` and with this RGD's name), refuses
schema changes that would break stored instances unless the RGD carries
``kro.run/allow-breaking-changes: "true"``, and writes nothing when the CRD already matches."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kro.api.crdgen import rgd_crd
from kro.api.keys import Annotations, Labels
from kro.api.refs import GVK, GVR
from kro.controller.ports import Writer
from kro.kube.errors import KubeError, NotFound
from kro.openapi.goencoding import as_written_back
from kro.runtime.drift import holds_object
from kro.schema import breaking_changes

log = logging.getLogger(__name__)
CRDS = GVR("apiextensions.k8s.io", "v1", "customresourcedefinitions")
CRD_GVK = GVK("apiextensions.k8s.io", "v1", "CustomResourceDefinition")


@dataclass(frozen=True)
class CRDOutcome:
    established: bool
    error: str = ""
    action: str = "unchanged"
    """``created``, ``updated`` or ``unchanged`` (nothing was written)."""


def owned_by(crd: Mapping[str, Any], rgd_name: str) -> bool:
    labels = (crd.get("metadata") or {}).get("labels") or {}
    return labels.get(Labels.OWNED) == "true" and labels.get(Labels.RGD_NAME) == rgd_name


def desired_crd(rgd: Mapping[str, Any], crd: Mapping[str, Any]) -> dict[str, Any]:
    meta = dict(crd.get("metadata") or {})
    uid = (rgd.get("metadata") or {}).get("uid")
    if uid:
        meta["labels"] = {**(meta.get("labels") or {}), Labels.RGD_ID: str(uid)}
    return {**crd, "metadata": meta}


async def ensure_crd(writer: Writer, rgd: Mapping[str, Any], crd: Mapping[str, Any]) -> CRDOutcome:
    rgd_meta = rgd.get("metadata") or {}
    rgd_name = str(rgd_meta.get("name", ""))
    want = desired_crd(rgd, crd)
    name = str(want["metadata"]["name"])
    try:
        current = await writer.get(CRDS, name)
    except NotFound:
        created = await writer.create(CRDS, want)
        log.info("CustomResourceDefinition %s created for RGD %s", name, rgd_name, extra={"rgd": rgd_name})
        return CRDOutcome(established(created), action="created")
    if not owned_by(current, rgd_name):
        return CRDOutcome(False, f"CustomResourceDefinition {name} exists and is not owned by RGD {rgd_name}")
    allow = (rgd_meta.get("annotations") or {}).get(Annotations.ALLOW_BREAKING_CHANGES) == "true"
    if not allow:
        changes = [str(c) for c in _breaking(current, want)]
        if changes:
            return CRDOutcome(
                False,
                f"breaking changes to {name} refused (set annotation {Annotations.ALLOW_BREAKING_CHANGES}"
                f'="true" to allow): ' + "; ".join(changes),
            )
    # as the API server writes a CRD back (a printer column's `priority: 0` is dropped); the schemas
    # must be equal, since a removed field must go too
    if holds_object(CRD_GVK, current, want) and _schemas(current) == _schemas(as_written_back(CRD_GVK, want)):
        log.debug("CustomResourceDefinition %s unchanged", name, extra={"rgd": rgd_name})
        return CRDOutcome(established(current))
    meta = {**want["metadata"], "resourceVersion": current["metadata"].get("resourceVersion")}
    finalizers = current["metadata"].get("finalizers")
    if finalizers:  # the API server's own (customresourcecleanup...): a replace must not drop them
        meta["finalizers"] = list(finalizers)
    body = {**want, "metadata": meta}
    replaced = await writer.replace(CRDS, body)
    log.info("CustomResourceDefinition %s updated for RGD %s", name, rgd_name, extra={"rgd": rgd_name})
    return CRDOutcome(established(replaced), action="updated")


def _schemas(crd: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {
        str(v.get("name")): (v.get("schema") or {}).get("openAPIV3Schema") or {}
        for v in (crd.get("spec") or {}).get("versions") or []
    }


def _breaking(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Any]:
    before, after = _schemas(old), _schemas(new)
    return [
        c
        for version, schema in after.items()
        if version in before
        for c in breaking_changes(before[version], schema)
    ]


def established(crd: Mapping[str, Any]) -> bool:
    return any(
        c.get("type") == "Established" and c.get("status") == "True"
        for c in (crd.get("status") or {}).get("conditions") or []
    )


async def delete_crd_if_owned(writer: Writer, crd_name: str, rgd_name: str) -> bool:
    try:
        current = await writer.get(CRDS, crd_name)
    except NotFound:
        return False
    if not owned_by(current, rgd_name):
        return False
    await writer.delete(CRDS, crd_name, uid=str(current["metadata"].get("uid", "")))
    return True


async def install_rgd_crd(writer: Writer, *, attempts: int = 100, interval: float = 0.1) -> bool:
    """Create the ResourceGraphDefinition CRD when the cluster lacks it (``kro dev``, a fresh
    cluster), and wait until it is established. An existing one is left as it is: installing and
    upgrading it is the install manifests' job. False (and a log line) when it cannot be created,
    e.g. RBAC forbids it: the controller then waits for the install manifests to create it."""
    return await install_crd(writer, rgd_crd(), attempts=attempts, interval=interval)


async def install_crd(
    writer: Writer, body: Mapping[str, Any], *, attempts: int = 100, interval: float = 0.1
) -> bool:
    """:func:`install_rgd_crd` for any of kro's own CRDs (``body``)."""
    name = str(body["metadata"]["name"])
    try:
        current = await writer.get(CRDS, name)
    except NotFound:
        try:
            current = await writer.create(CRDS, body)
        except KubeError as e:
            log.error("the %s CRD is missing and could not be created: %s", name, e)
            return False
    for _ in range(attempts):
        if established(current):
            return True
        await asyncio.sleep(interval)
        current = await writer.get(CRDS, name)
    log.error("CustomResourceDefinition %s was not established", name)
    return False
