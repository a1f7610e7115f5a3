"""Kubernetes object semantics on top of a :class:`~kro.devcluster.storage.Store`.

:class:`ObjectService` is the one path every write takes (REST handlers, the CRD and namespace
controllers, garbage collection): it fills in uid/creationTimestamp/generation, keeps ``status`` and
the rest of the object apart when a status subresource exists, applies the kind's schema (prune,
default, validate, CEL rules), honours ``fieldValidation`` and ``dryRun``, runs admission checks,
and implements finalizers: deleting an object that has them only sets ``deletionTimestamp``; removing
the last one from an object being deleted removes it.
"""

from __future__ import annotations

import builtins
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from kro.api.refs import GVK
from kro.devcluster import errors
from kro.devcluster.admission import Attributes, ValidatingPolicies
from kro.devcluster.builtin_validation import builtin_causes
from kro.devcluster.defaulting import apply_builtin_defaults
from kro.devcluster.defaulting.zero import ZERO_STRUCTS
from kro.devcluster.errors import BadRequest, Cause
from kro.devcluster.generation import next_generation, tracks_generation
from kro.devcluster.immutable import update_causes
from kro.devcluster.metadata import (
    check_type_meta,
    drop_empty_fields,
    drop_empty_metadata,
    generated_name,
    new_uid,
    raise_invalid,
    timestamp,
    validate_object_meta,
)
from kro.devcluster.patch import ignored_fields, record_update
from kro.devcluster.pods import bound_pod, is_pod, mark_graceful, storage_precondition
from kro.devcluster.registry import ResourceType
from kro.devcluster.schemas import SchemaSource
from kro.devcluster.storage import (
    ConflictError,
    KeyExistsError,
    KeyNotFoundError,
    ListOptions,
    ListResult,
    Object,
    Store,
    clone,
)
from kro.devcluster.storage.memory import copy_object
from kro.devcluster.validation import apply_schema, prune_metadata
from kro.devcluster.versions import served, to_storage
from kro.openapi.goencoding import (
    TYPE_AND_META,
    UndecodableQuantity,
    drop_unset,
    first_type_error,
    null_empty,
)
from kro.openapi.gofacts import go_facts

Operation = Literal["CREATE", "UPDATE", "DELETE"]
FieldValidation = Literal["Strict", "Warn", "Ignore"]


class Admission(Protocol):
    """An admission plugin: may mutate the object, raises an ApiError to refuse. ``old`` is None on
    CREATE. ``name`` is the object's name as kube-apiserver's admission sees it: on a CREATE with
    ``generateName`` the prefix, since the server generates the name after admission's mutations.
    A plugin's changes are not recorded in managedFields: admission runs after they are computed."""

    def __call__(
        self, op: Operation, rt: ResourceType, obj: dict[str, Any], old: Mapping[str, Any] | None, /, *, name: str
    ) -> Awaitable[None]: ...


ORPHAN_FINALIZER = "orphan"
FOREGROUND_FINALIZER = "foregroundDeletion"
_RULES_SKIPPED = (
    'Invalid value: "null": some validation rules were not checked because the object was invalid; '
    "correct the existing errors to complete validation"
)
# Kinds whose status strategy takes the annotations of a /status update (apps' Deployment strategy).
_STATUS_WRITES_ANNOTATIONS = frozenset({("apps", "Deployment")})
_SERVER_OWNED_META = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation")


@dataclass(frozen=True)
class _Decoded:
    """What decoding found: the kind's Go type, and the schema's causes (None: the kind has no schema)."""

    go: Any
    causes: list[Cause] | None


@dataclass
class WriteOptions:
    dry_run: bool = False
    field_validation: FieldValidation = "Warn"
    warnings: list[str] = field(default_factory=list)
    # The field manager recorded in managedFields (None: the write is not recorded).
    manager: str | None = None
    # The object's managedFields were already computed (server-side apply).
    managed_fields_set: bool = False


@dataclass(frozen=True)
class DeleteOptions:
    propagation_policy: str | None = None  # Background, Foreground, Orphan
    uid: str | None = None
    resource_version: str | None = None
    dry_run: bool = False
    # orphanDependents as sent (None: not sent); false makes a held deletion answer 202.
    orphan_dependents: bool | None = None
    # gracePeriodSeconds as sent (None: the object's own, a pod's terminationGracePeriodSeconds)
    grace_period_seconds: int | None = None


def _is_namespace(rt: ResourceType) -> bool:
    return rt.group == "" and rt.kind == "Namespace"


def _held(rt: ResourceType, obj: Mapping[str, Any]) -> bool:
    """Whether finalizers keep an object being deleted (a namespace also by ``spec.finalizers``)."""
    if _meta(obj).get("finalizers"):
        return True
    return _is_namespace(rt) and bool((obj.get("spec") or {}).get("finalizers"))


def _own_meta(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj``'s metadata as a dict (``null`` reads as empty; anything else was refused earlier)."""
    if not isinstance(obj.get("metadata"), dict):
        obj["metadata"] = {}
    meta: dict[str, Any] = obj["metadata"]
    return meta


def _template_metadata(rt: ResourceType) -> tuple[str, ...]:
    """Where a built-in kind's templates keep their ObjectMeta (dotted paths)."""
    if rt.is_custom:
        return ()
    return tuple(p for p in ZERO_STRUCTS.get((rt.group, rt.kind), ()) if p.endswith(".metadata"))


def _private_copy(body: Mapping[str, Any], subresource: str | None) -> Object:
    """The parts of a write's ``body`` the write may keep or change, copied. A /status write takes
    only the status from its body, and from the metadata what :meth:`ObjectService._merge_update`
    copies itself (the rest comes from the stored object), so the rest is neither copied nor ever
    changed: the metadata's top level is new, what is under it is only read."""
    if subresource != "status":
        return clone(dict(body))  # type: ignore[no-any-return]
    new = dict(body)
    if "status" in new:
        new["status"] = clone(new["status"])
    if isinstance(new.get("metadata"), dict):
        new["metadata"] = dict(new["metadata"])
    return new


def _unchanged(new: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
    """Whether an update leaves the object as it is (the resourceVersion sent, or not, aside)."""
    if new.keys() != old.keys():
        return False
    for key, value in new.items():
        if key != "metadata":
            if value != old[key]:
                return False
            continue
        old_meta = old[key]
        if {k for k in value if k != "resourceVersion"} != {k for k in old_meta if k != "resourceVersion"}:
            return False
        if any(v != old_meta[k] for k, v in value.items() if k != "resourceVersion"):
            return False
    return True


def _meta(obj: Mapping[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


class ObjectService:
    def __init__(
        self,
        store: Store,
        schemas: SchemaSource,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        admission: list[Admission] | None = None,
    ) -> None:
        self.store = store
        self._schemas = schemas
        self.now = now
        # Admission plugins that may change the object (run before validation) and the others.
        self.mutating: list[Admission] = []
        self.admission: list[Admission] = admission or []
        # Validating admission policies, checked after the plugins (set by the server).
        self.policies: ValidatingPolicies | None = None
        # Foreground/orphan finalizers are only added when something (garbage collection) removes them.
        self.dependents_finalizers = False

    # Reads ---------------------------------------------------------------------------------------

    async def get(self, rt: ResourceType, namespace: str, name: str) -> Object:
        obj = await self.store.get(rt.storage_key, namespace if rt.namespaced else "", name)
        if obj is None:
            raise errors.not_found(rt.plural, rt.group, name)
        return self._as_version(rt, obj)

    async def get_shared(self, rt: ResourceType, namespace: str, name: str) -> Mapping[str, Any]:
        """:meth:`get` without the copy: below its top level the answer is the stored object itself,
        which must only be read (see :meth:`Store.get_shared`)."""
        obj = await self.store.get_shared(rt.storage_key, namespace if rt.namespaced else "", name)
        if obj is None:
            raise errors.not_found(rt.plural, rt.group, name)
        return self._as_version(rt, dict(obj))

    async def list(self, rt: ResourceType, namespace: str | None, options: ListOptions | None = None) -> ListResult:
        result = await self.store.list(rt.storage_key, namespace if rt.namespaced else None, options)
        return ListResult(
            [self._as_version(rt, o) for o in result.items],
            result.resource_version,
            result.continue_token,
            result.remaining,
        )

    @staticmethod
    def _as_version(rt: ResourceType, obj: Object) -> Object:
        # Stored objects keep the version they were written in; serve the requested one (no conversion
        # beyond apiVersion, like a CRD's "None" strategy, except for resources served in two groups).
        return served(rt, obj)

    # Writes --------------------------------------------------------------------------------------

    async def create(
        self, rt: ResourceType, namespace: str, body: Mapping[str, Any], opts: WriteOptions | None = None,
        *, owned: bool = False, shared: bool = False,
    ) -> Object:
        """``owned``: ``body`` is handed over (built by the server from private copies, sharing nothing
        with a stored object, a request or itself), so it is used as is instead of copied.
        ``shared``: below its top level the answer is the stored object itself, to be only read
        (a caller that encodes it or looks at it, never one that changes it)."""
        opts = opts or WriteOptions()
        check_type_meta(rt, body)
        obj = dict(body) if owned else clone(dict(body))
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        meta = _own_meta(obj)
        self._check_namespace(rt, namespace, meta)
        if rt.namespaced:
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        admitted_as = str(meta.get("name") or "")
        if not meta.get("name") and isinstance(meta.get("generateName"), str) and meta["generateName"]:
            admitted_as = meta["generateName"]
            meta["name"] = generated_name(admitted_as)
        for key in (*_SERVER_OWNED_META, "resourceVersion", "selfLink"):
            meta.pop(key, None)
        if not opts.managed_fields_set:
            meta.pop("managedFields", None)
        drop_empty_fields(meta)
        raise_invalid(rt, str(meta.get("name") or ""), validate_object_meta(rt, meta))
        meta["uid"] = new_uid()
        meta["creationTimestamp"] = timestamp(self.now())
        if tracks_generation(rt):
            meta["generation"] = 1
        if rt.has_status:
            obj.pop("status", None)
        decoded = self._apply_schema(rt, obj, None, opts)
        drop_empty_metadata(obj, _template_metadata(rt))
        # As kube-apiserver: managedFields, then the mutating admission plugins (what they add, a
        # pod's service account or a namespace's finalizer, belongs to no manager), then validation,
        # then the validating plugins and policies.
        obj = self._record(rt, None, obj, opts, "")
        await self._mutate("CREATE", rt, obj, None, name=admitted_as)
        self._validate(rt, obj, None, decoded)
        await self._admit("CREATE", rt, obj, None, name=admitted_as, dry_run=opts.dry_run, warnings=opts.warnings)
        if opts.dry_run:
            return obj
        try:
            # ``obj`` was built here from a copy of ``body``: the store may keep it without copying.
            stored = await self.store.create(rt.storage_key, to_storage(rt, obj), owned=True, shared=shared)
            return self._as_version(rt, dict(stored) if shared else stored)
        except KeyExistsError as e:
            raise errors.already_exists(rt.plural, rt.group, str(meta["name"])) from e

    async def update(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        body: Mapping[str, Any],
        opts: WriteOptions | None = None,
        *,
        subresource: str | None = None,
        owned: bool = False,
        shared: bool = False,
    ) -> Object:
        """PUT semantics. A ``metadata.resourceVersion`` in ``body`` is a precondition (409 if stale).
        ``owned`` and ``shared`` as for :meth:`create`."""
        opts = opts or WriteOptions()
        check_type_meta(rt, body)
        new = dict(body) if owned else _private_copy(body, subresource)
        meta = _own_meta(new)
        if meta.get("name") not in (None, name):
            raise BadRequest(f"the name of the object ({meta.get('name')}) does not match the name on the URL ({name})")
        self._check_namespace(rt, namespace, meta)
        ns = namespace if rt.namespaced else ""
        # The stored object itself, read-only: every part of it ``merged`` takes is copied.
        current = await self.store.get_shared(rt.storage_key, ns, name)
        if current is None:
            raise errors.not_found(rt.plural, rt.group, name)
        old = self._as_version(rt, dict(current))
        expected = str(meta.get("resourceVersion") or "")
        if expected and expected != _meta(old).get("resourceVersion"):
            raise errors.conflict(rt.plural, rt.group, name, errors.STALE)
        merged = self._merge_update(rt, old, new, subresource)
        if opts.managed_fields_set and subresource == "status" and "managedFields" in meta:
            # A server-side apply to /status computed the managers itself (its entry: subresource status).
            merged["metadata"]["managedFields"] = clone(meta["managedFields"])
        drop_empty_fields(_own_meta(merged))
        decoded = self._apply_schema(rt, merged, old, opts)
        drop_empty_metadata(merged, _template_metadata(rt))
        merged = self._record(rt, old, merged, opts, subresource or "")
        if subresource is None:
            await self._mutate("UPDATE", rt, merged, old, name=name)
        self._validate(rt, merged, old, decoded)
        if subresource is None:
            next_generation(rt, old, merged)
        self._check_finalizers(rt, merged, old)
        await self._admit(
            "UPDATE", rt, merged, old, name=name, subresource=subresource or "", dry_run=opts.dry_run,
            warnings=opts.warnings,
        )
        if opts.dry_run:
            return copy_object(merged)  # it may share parts with the stored object
        if _meta(merged).get("deletionTimestamp") and not _held(rt, merged) and not _meta(merged).get("deletionGracePeriodSeconds"):
            # the last finalizer removed (a pod still in its grace period stays until deleted again)
            return await self._remove(rt, old)
        if _unchanged(merged, old):
            # nothing changed (managedFields' times move only with a change): kube-apiserver's
            # storage writes nothing, so there is no new resourceVersion and no watch event
            return copy_object(old)
        try:
            stored = await self.store.update(
                rt.storage_key, to_storage(rt, merged), expected_rv=int(_meta(old)["resourceVersion"]), owned=True,
                shared=shared,
            )
            return self._as_version(rt, dict(stored) if shared else stored)
        except ConflictError as e:
            raise errors.conflict(rt.plural, rt.group, name, errors.STALE) from e
        except KeyNotFoundError as e:
            raise errors.not_found(rt.plural, rt.group, name) from e

    def _merge_update(self, rt: ResourceType, old: Object, new: Object, subresource: str | None) -> Object:
        """The object to store: ``new`` with what the write may not change taken from ``old`` (the
        stored object, never mutated: what comes from it is copied)."""
        old_meta = _meta(old)
        if subresource == "finalize":
            merged = copy_object(old)
            merged.setdefault("spec", {})["finalizers"] = list((new.get("spec") or {}).get("finalizers") or [])
            return merged
        if subresource == "status":
            # Everything but the status, which is replaced (in place: the key order stays).
            merged = copy_object({k: (None if k == "status" else v) for k, v in old.items()})
            if "status" in new:
                merged["status"] = new["status"]
            else:
                merged.pop("status", None)
            if (rt.group, rt.kind) in _STATUS_WRITES_ANNOTATIONS:
                # kube-controller-manager records a Deployment's revision this way, without a new generation
                annotations = _meta(new).get("annotations")
                if annotations:
                    merged["metadata"]["annotations"] = clone(annotations)
                else:
                    merged["metadata"].pop("annotations", None)
            return merged
        merged = new
        merged["apiVersion"], merged["kind"] = rt.api_version, rt.kind
        meta = merged["metadata"]
        for key in (*_SERVER_OWNED_META, "name", "namespace"):
            if key in old_meta:
                meta[key] = old_meta[key]
            else:
                meta.pop(key, None)
        meta.pop("selfLink", None)
        if rt.has_status:
            if "status" in old:
                merged["status"] = clone(old["status"])
            else:
                merged.pop("status", None)
        return merged

    def schema_for(self, rt: ResourceType) -> Mapping[str, Any] | None:
        return self._schemas.schema_for(rt)

    def _record(self, rt: ResourceType, old: Object | None, new: Object, opts: WriteOptions, subresource: str) -> Object:
        """Track field ownership in managedFields for a write that is not a server-side apply."""
        if opts.manager is None or opts.managed_fields_set or subresource == "finalize":
            return new
        ignored = ignored_fields(subresource=subresource, has_status=rt.has_status, objects=[new])
        zero = () if rt.is_custom else ZERO_STRUCTS.get((rt.group, rt.kind), ())
        return record_update(
            old, new, schema=self._schemas.schema_for(rt), manager=opts.manager, now=timestamp(self.now()),
            ignored=ignored, subresource=subresource,
            zero_structs=[tuple(f"f:{part}" for part in path.split(".")) for path in zero],
        )

    def _check_finalizers(self, rt: ResourceType, new: Mapping[str, Any], old: Mapping[str, Any]) -> None:
        if not _meta(old).get("deletionTimestamp"):
            return
        added = set(_meta(new).get("finalizers") or []) - set(_meta(old).get("finalizers") or [])
        if added:
            name = str(_meta(old).get("name"))
            raise errors.Invalid(
                rt.kind,
                rt.group,
                name,
                [Cause("metadata.finalizers", "FieldValueForbidden", "Forbidden: no new finalizers can be added if the object is being deleted")],
            )

    def _check_namespace(self, rt: ResourceType, namespace: str, meta: Mapping[str, Any]) -> None:
        body_ns = meta.get("namespace")
        if rt.namespaced and body_ns and namespace and body_ns != namespace:
            raise BadRequest("the namespace of the provided object does not match the namespace sent on the request")
        if rt.namespaced and not namespace:
            raise errors.path_not_found()

    def _apply_schema(self, rt: ResourceType, obj: Object, old: Object | None, opts: WriteOptions) -> _Decoded:
        """Decode ``obj`` as kube-apiserver's decoder does (Go types, prune, defaults, unknown fields);
        what it finds invalid is raised by :meth:`_validate`, after admission's mutations."""
        schema = self._schemas.schema_for(rt)
        facts = go_facts()
        go = None if rt.is_custom else facts.definition_for(GVK(rt.group, rt.version, rt.kind))
        if go is not None:  # decoded into its Go type: what Go cannot tell from unset is unset
            decoding = first_type_error(facts, go, obj, skip=TYPE_AND_META)
            if decoding is not None:
                raise errors.undecodable(rt.kind, rt.version, decoding)
            try:
                drop_unset(facts, go, obj, skip=TYPE_AND_META)
            except UndecodableQuantity as e:
                raise errors.undecodable(rt.kind, rt.version, str(e)) from e
        if schema is None:
            if not rt.is_custom:
                apply_builtin_defaults(rt.group, rt.kind, obj)
            return _Decoded(go, None)
        outcome = apply_schema(schema, obj)
        outcome.unknown_fields[:0] = prune_metadata(obj)
        if not rt.is_custom:
            apply_builtin_defaults(rt.group, rt.kind, obj)
        if outcome.unknown_fields:
            listed = ", ".join(f'unknown field "{p}"' for p in outcome.unknown_fields)
            if opts.field_validation == "Strict":
                raise errors.undecodable(rt.kind, rt.version, f"strict decoding error: {listed}")
            if opts.field_validation == "Warn":
                opts.warnings.extend(f'unknown field "{p}"' for p in outcome.unknown_fields)
        return _Decoded(go, list(outcome.causes))

    def _validate(self, rt: ResourceType, obj: Object, old: Object | None, decoded: _Decoded) -> None:
        """Raise what the schema and the kind's validation find wrong with ``obj`` (422), then encode
        it as Go would."""
        facts, go = go_facts(), decoded.go
        if decoded.causes is None:  # no schema
            if go is not None:
                null_empty(facts, go, obj, skip=TYPE_AND_META)
            return
        causes = decoded.causes
        typed = not any(c.reason == "FieldValueTypeInvalid" for c in causes)
        if typed and not rt.is_custom:
            # kube-apiserver's typed validation of built-ins, on data that decoded cleanly; on an
            # update, also what the update may not change.
            first, last = ([], []) if old is None else update_causes(GVK(rt.group, rt.version, rt.kind), obj, old)
            causes += [c for c in first if c not in causes]
            causes += [c for c in builtin_causes(rt.group, rt.kind, obj) if c not in causes]
            causes += [c for c in last if c not in causes]
        if not typed:
            # Like kube-apiserver: rules cannot be evaluated on mistyped data, so they are skipped.
            if rt.is_custom and self._schemas.has_rules(rt):
                causes.append(Cause("<nil>", "FieldValueInvalid", _RULES_SKIPPED))
        else:
            causes += self._schemas.rule_causes(rt, obj, old)
        raise_invalid(rt, str(_meta(obj).get("name") or ""), causes)
        if go is not None:  # and encoded back
            null_empty(facts, go, obj, skip=TYPE_AND_META)

    async def _mutate(
        self, op: Operation, rt: ResourceType, obj: dict[str, Any], old: Mapping[str, Any] | None, *, name: str
    ) -> None:
        """The mutating admission plugins, in order (before validation)."""
        for plugin in self.mutating:
            await plugin(op, rt, obj, old, name=name)

    async def _admit(
        self,
        op: Operation,
        rt: ResourceType,
        obj: dict[str, Any],
        old: Mapping[str, Any] | None,
        *,
        name: str,
        subresource: str = "",
        dry_run: bool = False,
        warnings: builtins.list[str] | None = None,
    ) -> None:
        """Admission after validation: the validating plugins, then validating policies, last."""
        for check in self.admission:
            await check(op, rt, obj, old, name=name)
        if self.policies is not None:
            attrs = Attributes.of(op, rt, obj, old, subresource=subresource, dry_run=dry_run)
            await self.policies.admit(attrs, warnings if warnings is not None else [])

    # Binding -------------------------------------------------------------------------------------

    async def bind(self, rt: ResourceType, namespace: str, name: str, node: str, *, uid: str | None = None,
                   resource_version: str | None = None, annotations: Mapping[str, str] | None = None,
                   dry_run: bool = False) -> None:
        """``pods/binding`` (a scheduler's write): the pod's ``spec.nodeName`` set to ``node``, the
        annotations merged, condition ``PodScheduled`` True. As kube-apiserver's binding storage, a
        plain storage update: no admission, no validation, no managedFields entry."""
        stored = await self.store.get_shared(rt.storage_key, namespace, name)
        if stored is None:
            raise errors.not_found(rt.plural, rt.group, name)
        meta = _meta(stored)
        key = f"/registry/{rt.plural}/{namespace}/{name}"
        if uid and uid != meta.get("uid"):
            raise errors.conflict(rt.plural, rt.group, name, storage_precondition(key, "UID", uid, meta.get("uid")))
        if resource_version and resource_version != meta.get("resourceVersion"):
            found = meta.get("resourceVersion")
            raise errors.conflict(rt.plural, rt.group, name, storage_precondition(key, "ResourceVersion", resource_version, found))
        pod = bound_pod(stored, name, node, annotations or {}, timestamp(self.now()))
        if dry_run:
            return
        try:
            await self.store.update(rt.storage_key, pod, expected_rv=int(meta["resourceVersion"]))
        except ConflictError as e:
            raise errors.conflict(rt.plural, rt.group, name, errors.STALE) from e

    # Deletion ------------------------------------------------------------------------------------

    async def delete(self, rt: ResourceType, namespace: str, name: str, options: DeleteOptions | None = None) -> Object:
        """DELETE semantics; returns the object (with ``deletionTimestamp`` if finalizers hold it)."""
        obj, _ = await self.delete_outcome(rt, namespace, name, options)
        return obj

    async def delete_outcome(
        self, rt: ResourceType, namespace: str, name: str, options: DeleteOptions | None = None,
        *, warnings: builtins.list[str] | None = None,
    ) -> tuple[Object, bool]:  # fmt: skip
        """DELETE semantics: the object as deleted or as marked, and whether it is gone (or, for a
        dry run, would be). Admission warnings are added to ``warnings``."""
        options = options or DeleteOptions()
        ns = namespace if rt.namespaced else ""
        stored = await self.store.get_shared(rt.storage_key, ns, name)
        if stored is None:
            raise errors.not_found(rt.plural, rt.group, name)
        obj = clone(stored)
        meta = _meta(obj)
        self._check_delete_preconditions(rt, name, meta, options)
        original = stored  # read-only: copied before it is handed out
        await self._mutate("DELETE", rt, obj, original, name=name)
        await self._admit("DELETE", rt, obj, original, name=name, dry_run=options.dry_run, warnings=warnings)
        graceful = pending = False
        if is_pod(rt.group, rt.kind):
            graceful, pending = mark_graceful(obj, options.grace_period_seconds, self.now())
        if pending:  # a graceful deletion is under way: it stays as it is (finalizers included)
            return self._as_version(rt, clone(original)), False
        finalizers = list(meta.get("finalizers") or [])
        if self.dependents_finalizers:
            extra = {"Orphan": ORPHAN_FINALIZER, "Foreground": FOREGROUND_FINALIZER}.get(options.propagation_policy or "")
            if extra and extra not in finalizers:
                finalizers.append(extra)
        meta["finalizers"] = finalizers
        if not finalizers:
            meta.pop("finalizers")
        if graceful:
            return await self._mark_graceful(rt, obj, options)
        if not _held(rt, obj):
            if options.dry_run:
                return self._as_version(rt, clone(original)), True
            return self._as_version(rt, await self._remove(rt, obj)), True
        if meta.get("deletionTimestamp") and finalizers == list(_meta(original).get("finalizers") or []):
            return self._as_version(rt, obj), False
        if _is_namespace(rt):
            obj.setdefault("status", {})["phase"] = "Terminating"
        if not meta.get("deletionTimestamp") and isinstance(meta.get("generation"), int):
            meta["generation"] += 1  # kube-apiserver's markAsDeleting
        meta.setdefault("deletionTimestamp", timestamp(self.now()))
        meta.setdefault("deletionGracePeriodSeconds", 0)
        if options.dry_run:
            return self._as_version(rt, obj), False
        try:
            updated = await self.store.update(rt.storage_key, obj, expected_rv=int(meta["resourceVersion"]))
        except ConflictError as e:
            raise errors.conflict(rt.plural, rt.group, name, errors.STALE) from e
        return self._as_version(rt, updated), False

    async def _mark_graceful(self, rt: ResourceType, obj: dict[str, Any], options: DeleteOptions) -> tuple[Object, bool]:
        """Store the pod marked as deleting (a watch sees it modified); then, with a grace period of 0
        and no finalizers, delete it (and a watch sees it deleted), as kube-apiserver does."""
        meta = _meta(obj)
        now = not _held(rt, obj) and meta.get("deletionGracePeriodSeconds") == 0
        if options.dry_run:
            return self._as_version(rt, obj), now
        try:
            updated = await self.store.update(rt.storage_key, obj, expected_rv=int(meta["resourceVersion"]))
        except ConflictError as e:
            raise errors.conflict(rt.plural, rt.group, str(meta.get("name")), errors.STALE) from e
        if not now:
            return self._as_version(rt, updated), False
        return self._as_version(rt, await self._remove(rt, updated)), True

    @staticmethod
    def _check_delete_preconditions(rt: ResourceType, name: str, meta: Mapping[str, Any], options: DeleteOptions) -> None:
        """kube-apiserver's checks before a deletion: ``BeforeDelete``'s, naming the kind (a Namespace:
        its own REST's, naming the resource)."""
        if _is_namespace(rt):
            if options.uid and options.uid != meta.get("uid"):
                why = f"Precondition failed: UID in precondition: {options.uid}, UID in object meta: {meta.get('uid')}"
                raise errors.conflict(rt.plural, rt.group, name, why)
            return
        if options.uid and options.uid != meta.get("uid"):
            raise errors.conflict(rt.kind, rt.group, name, f"the UID in the precondition ({options.uid}) does not match the UID "
                                  f"in record ({meta.get('uid')}). The object might have been deleted and then recreated")
        if options.resource_version and options.resource_version != meta.get("resourceVersion"):
            raise errors.conflict(rt.kind, rt.group, name, f"the ResourceVersion in the precondition ({options.resource_version}) "
                                  f"does not match the ResourceVersion in record ({meta.get('resourceVersion')}). The object "
                                  "might have been modified")

    async def _remove(self, rt: ResourceType, obj: Mapping[str, Any]) -> Object:
        meta = _meta(obj)
        name = str(meta.get("name"))
        try:
            return await self.store.delete(
                rt.storage_key, str(meta.get("namespace") or ""), name, expected_rv=int(meta["resourceVersion"])
            )
        except KeyNotFoundError as e:
            raise errors.not_found(rt.plural, rt.group, name) from e
        except ConflictError as e:
            raise errors.conflict(rt.plural, rt.group, name, errors.STALE) from e

    async def delete_collection(
        self, rt: ResourceType, namespace: str | None, list_options: ListOptions, options: DeleteOptions
    ) -> ListResult:
        """Delete every listed object; the answer is the list as it was before (kube-apiserver's)."""
        result = await self.store.list(rt.storage_key, namespace if rt.namespaced else None, list_options)
        for obj in result.items:
            meta = _meta(obj)
            try:
                await self.delete(rt, str(meta.get("namespace") or ""), str(meta.get("name")), options)
            except errors.NotFound:
                continue
        return ListResult([self._as_version(rt, o) for o in result.items], result.resource_version, None, None)
