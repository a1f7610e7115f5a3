"""CustomResourceDefinitions: validation of the definition itself, and the controller that serves,
establishes and tears down the custom resources it defines.

A new CRD is served as soon as the controller sees it (well under a second), with the
``NamesAccepted`` and ``Established`` conditions set and the cleanup finalizer added. Deleting it
marks it ``Terminating``, deletes every custom resource it defines (honouring their finalizers), then
releases the finalizer so the CRD goes and its endpoints disappear.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

from kro.devcluster import errors
from kro.devcluster.celrules import compile_error
from kro.devcluster.cluster import Cluster
from kro.devcluster.crdschema import schema_causes
from kro.devcluster.errors import Cause
from kro.devcluster.metadata import timestamp
from kro.devcluster.objects import DeleteOptions, Operation
from kro.devcluster.registry import PrinterColumn, Registry, ResourceType, ScaleSpec
from kro.devcluster.storage import ConflictError, KeyNotFoundError, Object, WatchEvent
from kro.devcluster.storage.follow import follow

CRD_KEY = "customresourcedefinitions.apiextensions.k8s.io"
CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"
_ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


def _is_crd(rt: ResourceType) -> bool:
    return rt.group == "apiextensions.k8s.io" and rt.kind == "CustomResourceDefinition"


def crd_causes(crd: Mapping[str, Any]) -> list[Cause]:
    """What kube-apiserver's CRD validation would refuse, for the fields a dev cluster relies on."""
    causes: list[Cause] = []
    spec: Mapping[str, Any] = crd.get("spec") or {}
    names: Mapping[str, Any] = spec.get("names") or {}
    group, plural = spec.get("group") or "", names.get("plural") or ""
    for field, value in (("spec.group", group), ("spec.names.plural", plural), ("spec.names.kind", names.get("kind"))):
        if not value:
            causes.append(Cause(field, "FieldValueRequired", "Required value"))
    if group and "." not in str(group):
        causes.append(Cause("spec.group", "FieldValueInvalid", f'Invalid value: "{group}": should be a domain with at least one dot'))
    name = (crd.get("metadata") or {}).get("name")
    if group and plural and name != f"{plural}.{group}":
        causes.append(Cause("metadata.name", "FieldValueInvalid", f'Invalid value: "{name}": must be spec.names.plural+"."+spec.group'))
    if spec.get("scope") not in ("Namespaced", "Cluster"):
        causes.append(Cause("spec.scope", "FieldValueNotSupported", f'Unsupported value: "{spec.get("scope")}": supported values: "Cluster", "Namespaced"'))
    versions = spec.get("versions") or []
    if not versions:
        causes.append(Cause("spec.versions", "FieldValueInvalid", "Invalid value: null: must have exactly one version marked as storage version"))
        return causes
    if sum(1 for v in versions if v.get("storage")) != 1:
        causes.append(Cause("spec.versions", "FieldValueInvalid", "Invalid value: must have exactly one version marked as storage version"))
    seen: set[str] = set()
    for i, v in enumerate(versions):
        vname = v.get("name")
        if vname in seen:
            causes.append(Cause(f"spec.versions[{i}].name", "FieldValueDuplicate", f'Duplicate value: "{vname}"'))
        seen.add(str(vname))
        schema = (v.get("schema") or {}).get("openAPIV3Schema")
        if not schema:
            causes.append(Cause(f"spec.versions[{i}].schema.openAPIV3Schema", "FieldValueRequired", "Required value: schemas are required"))
        else:
            causes += schema_causes(schema, f"spec.versions[{i}].schema.openAPIV3Schema")
            causes += _rule_causes(schema, f"spec.versions[{i}].schema.openAPIV3Schema")
    return causes


def _rule_causes(schema: Any, path: str) -> list[Cause]:
    """Every ``x-kubernetes-validations`` rule in a schema must compile."""
    if not isinstance(schema, Mapping):
        return []
    causes: list[Cause] = []
    for j, rule in enumerate(schema.get("x-kubernetes-validations") or []):
        text = str((rule or {}).get("rule") or "") if isinstance(rule, Mapping) else ""
        why = compile_error(text) if text else "rule is empty"
        if why:
            causes.append(Cause(f"{path}.x-kubernetes-validations[{j}].rule", "FieldValueInvalid", f"Invalid value: {json.dumps(text)}: {why}"))
    for key, sub in (schema.get("properties") or {}).items():
        causes += _rule_causes(sub, f"{path}.properties[{key}]")
    for key in ("items", "additionalProperties"):
        causes += _rule_causes(schema.get(key), f"{path}.{key}")
    return causes


async def crd_admission(
    op: Operation, rt: ResourceType, obj: dict[str, Any], old: Mapping[str, Any] | None, /, *, name: str
) -> None:
    if not _is_crd(rt) or op == "DELETE":
        return
    causes = crd_causes(obj)
    if old is not None:
        for field in ("group", "scope"):
            if (old.get("spec") or {}).get(field) != (obj.get("spec") or {}).get(field):
                causes.append(Cause(f"spec.{field}", "FieldValueInvalid", "Invalid value: field is immutable"))
    if causes:
        raise errors.Invalid(rt.kind, rt.group, str((obj.get("metadata") or {}).get("name") or ""), causes)


def resource_types(crd: Mapping[str, Any]) -> list[ResourceType]:
    spec: Mapping[str, Any] = crd.get("spec") or {}
    names: Mapping[str, Any] = spec.get("names") or {}
    out = []
    for v in spec.get("versions") or []:
        if not v.get("served", True):
            continue
        cols = tuple(
            PrinterColumn(
                str(c.get("name")),
                str(c.get("type", "string")),
                str(c.get("jsonPath", "")),
                str(c.get("description", "")),
                str(c.get("format", "")),
                int(c.get("priority", 0)),
            )
            for c in v.get("additionalPrinterColumns") or []
        )
        out.append(
            ResourceType(
                group=str(spec.get("group")),
                version=str(v.get("name")),
                kind=str(names.get("kind")),
                plural=str(names.get("plural")),
                namespaced=spec.get("scope") == "Namespaced",
                singular=str(names.get("singular") or str(names.get("kind")).lower()),
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                has_status="status" in (v.get("subresources") or {}),
                verbs=_ALL_VERBS,
                list_kind=str(names.get("listKind") or f"{names.get('kind')}List"),
                schema=(v.get("schema") or {}).get("openAPIV3Schema"),
                printer_columns=cols,
                crd_name=str((crd.get("metadata") or {}).get("name")),
                scale=_scale_spec(v),
                storage_version=bool(v.get("storage")),
                selectable_fields=tuple(
                    str(f.get("jsonPath")) for f in v.get("selectableFields") or () if isinstance(f, Mapping)
                ),
            )
        )
    return out


def _scale_spec(version: Mapping[str, Any]) -> ScaleSpec | None:
    scale = (version.get("subresources") or {}).get("scale")
    if not isinstance(scale, Mapping):
        return None
    return ScaleSpec(
        str(scale.get("specReplicasPath") or ".spec.replicas"),
        str(scale.get("statusReplicasPath") or ".status.replicas"),
        str(scale.get("labelSelectorPath") or ""),
    )


def _conditions(crd: Mapping[str, Any], now: str, *, terminating: bool) -> list[dict[str, Any]]:
    old = {c.get("type"): c for c in ((crd.get("status") or {}).get("conditions") or [])}

    def cond(type_: str, status: str, reason: str, message: str) -> dict[str, Any]:
        prev = old.get(type_)
        since = prev.get("lastTransitionTime") if prev and prev.get("status") == status else now
        return {"type": type_, "status": status, "lastTransitionTime": since, "reason": reason, "message": message}

    out = [
        cond("NamesAccepted", "True", "NoConflicts", "no conflicts found"),
        cond("Established", "True", "InitialNamesAccepted", "the initial names have been accepted"),
    ]
    if terminating:
        out.append(cond("Terminating", "True", "InstanceDeletionInProgress", "CustomResource deletion is in progress"))
    return out


class CRDController:
    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster

    @property
    def registry(self) -> Registry:
        return self._cluster.registry

    async def load(self) -> None:
        """Serve every stored CRD (on start, before requests are accepted)."""
        for crd in (await self._cluster.store.list(CRD_KEY, None)).items:
            await self.reconcile(crd)

    async def run(self) -> None:
        await follow(self._cluster.store, self._changed)

    async def _changed(self, event: WatchEvent) -> None:
        if event.resource == CRD_KEY:
            if event.type == "DELETED":
                self.registry.remove_crd(str(event.object["metadata"]["name"]))
            else:
                await self._reconcile_latest(str(event.object["metadata"]["name"]))
        elif event.type == "DELETED":
            rt = self._cluster.type_for_key(event.resource)
            if rt is not None and rt.crd_name:
                await self._reconcile_latest(rt.crd_name)

    async def _reconcile_latest(self, name: str) -> None:
        crd = await self._cluster.store.get(CRD_KEY, "", name)
        if crd is not None:
            with contextlib.suppress(ConflictError, KeyNotFoundError):
                await self.reconcile(crd)

    async def reconcile(self, crd: Object) -> None:
        name = str(crd["metadata"]["name"])
        terminating = bool(crd["metadata"].get("deletionTimestamp"))
        self.registry.remove_crd(name)
        for rt in resource_types(crd):
            self.registry.add(rt)
        if terminating and await self._delete_instances(crd):
            return
        desired = self._desired(crd, terminating=terminating)
        if desired != crd:
            rv = int(crd["metadata"]["resourceVersion"])
            if terminating and not desired["metadata"].get("finalizers"):
                await self._cluster.store.delete(CRD_KEY, "", name, expected_rv=rv)
            else:
                await self._cluster.store.update(CRD_KEY, desired, expected_rv=rv)

    def _desired(self, crd: Object, *, terminating: bool) -> Object:
        out = {**crd, "metadata": dict(crd["metadata"]), "status": dict(crd.get("status") or {})}
        finalizers = list(out["metadata"].get("finalizers") or [])
        if terminating:
            finalizers = [f for f in finalizers if f != CLEANUP_FINALIZER]
        elif CLEANUP_FINALIZER not in finalizers:
            finalizers.append(CLEANUP_FINALIZER)
        out["metadata"]["finalizers"] = finalizers
        now = timestamp(self._cluster.objects.now())
        spec = crd.get("spec") or {}
        names = dict(spec.get("names") or {})
        names.setdefault("singular", str(names.get("kind", "")).lower())
        names.setdefault("listKind", f"{names.get('kind')}List")
        stored = list(out["status"].get("storedVersions") or [])
        for v in spec.get("versions") or []:
            if v.get("storage") and v.get("name") not in stored:
                stored.append(v.get("name"))
        out["status"].update(
            {"conditions": _conditions(crd, now, terminating=terminating), "acceptedNames": names, "storedVersions": stored}
        )
        if crd.get("status") and _same_conditions(crd["status"], out["status"]):
            out["status"]["conditions"] = crd["status"]["conditions"]
        return out

    async def _delete_instances(self, crd: Object) -> bool:
        """Delete the CRD's custom resources; True while some remain."""
        types = self.registry.crd_types(str(crd["metadata"]["name"]))
        storage = next((rt for rt in types if rt.storage_version), types[0] if types else None)
        if storage is None:
            return False
        items = (await self._cluster.store.list(storage.storage_key, None)).items
        for obj in items:
            meta = obj["metadata"]
            if not meta.get("deletionTimestamp"):
                with contextlib.suppress(errors.NotFound, errors.Conflict):
                    await self._cluster.objects.delete(storage, str(meta.get("namespace") or ""), str(meta["name"]), DeleteOptions("Background"))
        remaining = (await self._cluster.store.list(storage.storage_key, None)).items
        if remaining:
            desired = self._desired(crd, terminating=True)
            desired["metadata"]["finalizers"] = crd["metadata"].get("finalizers")
            if desired != crd:
                with contextlib.suppress(ConflictError):
                    await self._cluster.store.update(CRD_KEY, desired, expected_rv=int(crd["metadata"]["resourceVersion"]))
            return True
        return False


def _same_conditions(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    def key(s: Mapping[str, Any]) -> list[tuple[Any, Any]]:
        return [(c.get("type"), c.get("status")) for c in s.get("conditions") or []]

    return key(a) == key(b)
