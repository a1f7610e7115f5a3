"""Server-side apply (``application/apply-patch+yaml``), as kube-apiserver does it.

:func:`server_side_apply` merges an applied configuration into the live object (or creates it) and
updates ``managedFields``:

1. the configuration is merged into the live object by schema (:mod:`.structured`);
2. the applier's ``Apply`` entry becomes exactly the field set of the configuration;
3. fields the applier set last time, no longer applies, and nobody else owns are removed;
4. every field the result adds or changes that another manager owns is a conflict, refused with
   :class:`~.errors.ApplyConflictError` unless ``force`` (then the applier takes those fields).
   Another manager owning a field with the same value is not a conflict: ownership is shared.

Two kubectl-specific behaviours of kube-apiserver are kept so ``kubectl apply --server-side`` works
the same: conflicts that only concern fields recorded in ``kubectl.kubernetes.io/last-applied-
configuration`` do not stop manager ``kubectl`` (the upgrade from client-side apply), and that
annotation is kept up to date when ``kubectl`` applies an object that has it.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from kro.devcluster import jsoncodec
from kro.devcluster.patch import structure as st
from kro.devcluster.patch.errors import ApplyConflictError, FieldConflict, MalformedPatchError
from kro.devcluster.patch.fielddiff import diff_fields
from kro.devcluster.patch.fieldpath import FieldSet, Path, render, under
from kro.devcluster.patch.fieldset import field_set, object_schema
from kro.devcluster.patch.managedfields import (
    APPLY,
    ManagedEntry,
    Managers,
    check_manager,
    entries_of,
    set_fields,
    with_entries,
)
from kro.devcluster.patch.structured import clone, locate, merge, remove

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
KUBECTL_MANAGER = "kubectl"
# Set by the server, never taken from an applied configuration.
_SERVER_META = ("resourceVersion", "uid", "creationTimestamp", "generation", "selfLink",
                "deletionTimestamp", "deletionGracePeriodSeconds")


@dataclass(frozen=True)
class ApplyResult:
    """The object to store. ``created``: there was no live object; ``changed``: it differs from the
    live object (an unchanged apply must not be written, so its resourceVersion stays)."""

    object: dict[str, Any]
    created: bool
    changed: bool


def server_side_apply(
    live: Mapping[str, Any] | None,
    applied: Mapping[str, Any],
    *,
    schema: st.Schema | None,
    manager: str,
    now: str,
    force: bool = False,
    ignored: Collection[str] = (),
    subresource: str = "",
) -> ApplyResult:
    """Apply ``applied`` (the request body, already parsed) as ``manager`` at time ``now`` (RFC 3339)."""
    check_manager(manager)
    config = _configuration(applied, live, ignored)
    full_schema = object_schema(schema)
    base: dict[str, Any] = jsoncodec.clone(live) if live is not None else {}
    managers = entries_of(base)
    base.get("metadata", {}).pop("managedFields", None)
    merged: dict[str, Any] = merge(base, config, full_schema)

    me = ManagedEntry(manager, APPLY, str(config["apiVersion"]), now, frozenset(), subresource)
    last = managers[me.identity].fields if me.identity in managers else frozenset()
    applied_set = field_set(config, schema, ignored=ignored, strict=True)
    set_fields(managers, me, applied_set, now=now)
    owned = frozenset().union(*(e.fields for e in managers.values()))
    _prune(merged, last - owned, owned, full_schema)

    diff = diff_fields(base, merged, schema, ignored=ignored).comparison
    conflicts = _conflicts(managers, me, diff.changed)
    if conflicts and not force and not _upgrading_from_client_side(live, manager, conflicts, schema, ignored):
        raise ApplyConflictError(_describe(conflicts))
    for identity, taken in conflicts.items():
        managers[identity] = replace(managers[identity], fields=managers[identity].fields - taken)
    for identity, entry in list(managers.items()):
        if identity != me.identity and entry.fields & diff.removed:
            managers[identity] = replace(entry, fields=entry.fields - diff.removed)

    if manager == KUBECTL_MANAGER:
        _refresh_last_applied(merged, config)
    result = with_entries(merged, managers)
    return ApplyResult(result, created=live is None, changed=live is None or result != live)


def _configuration(
    applied: Mapping[str, Any], live: Mapping[str, Any] | None, ignored: Collection[str]
) -> dict[str, Any]:
    if not isinstance(applied, Mapping):
        raise MalformedPatchError("the applied configuration must be an object")
    for key in ("apiVersion", "kind"):
        if not isinstance(applied.get(key), str) or not applied[key]:
            raise MalformedPatchError(f"the applied configuration must set {key}")
    if live is not None and live.get("kind") and applied["kind"] != live.get("kind"):
        raise MalformedPatchError(f"applied kind {applied['kind']!r} does not match the object's kind "
                                  f"{live.get('kind')!r}")
    meta = applied.get("metadata") or {}
    if not isinstance(meta, Mapping):
        raise MalformedPatchError("metadata must be an object")
    if meta.get("managedFields") is not None:
        raise MalformedPatchError("metadata.managedFields must be nil")
    config = {k: clone(v) for k, v in applied.items() if k not in ignored}
    # With metadata ignored (a /status apply) only the object's identity is taken from it.
    keep = ("name", "namespace") if "metadata" in ignored else None
    config["metadata"] = {k: clone(v) for k, v in meta.items()
                          if k not in _SERVER_META and (keep is None or k in keep)}
    return config


def _prune(obj: dict[str, Any], stale: FieldSet, owned: FieldSet, schema: st.Schema) -> None:
    """Remove the fields of ``stale`` nobody owns, deepest first, keeping any node that still holds
    something owned or something no manager ever set; a keyed item's key fields go with the item."""
    candidates = set(stale)
    for path in stale:
        for n in range(1, len(path)):
            if path[n - 1].startswith("f:") and path[:n] not in owned:
                candidates.add(path[:n])
    for path in sorted(candidates, key=len, reverse=True):
        if under(owned, path) or _is_item_key(path):
            continue
        found = locate(obj, path, schema)
        if found is None or _still_holds_content(*found, path):
            continue
        remove(obj, path, schema)


def _is_item_key(path: Path) -> bool:
    if len(path) < 2 or not path[-2].startswith("k:") or not path[-1].startswith("f:"):
        return False
    return path[-1][2:] in json.loads(path[-2][2:])


def _still_holds_content(node: Any, schema: st.Schema | None, path: Path) -> bool:
    if isinstance(node, dict) and not st.map_is_atomic(schema):
        if path[-1].startswith("k:"):
            return bool(set(node) - set(json.loads(path[-1][2:])))
        return bool(node)
    if isinstance(node, list) and st.list_shape(schema).kind != "atomic":
        return bool(node)
    return False


def _conflicts(managers: Managers, me: ManagedEntry, changed: FieldSet) -> dict[tuple[str, str, str, str], FieldSet]:
    out: dict[tuple[str, str, str, str], FieldSet] = {}
    for identity, entry in managers.items():
        if identity == me.identity:
            continue
        clash = entry.fields & changed
        if clash:
            out[identity] = clash
    return out


def _describe(conflicts: Mapping[tuple[str, str, str, str], FieldSet]) -> tuple[FieldConflict, ...]:
    out: list[FieldConflict] = []
    for identity in sorted(conflicts):
        manager, operation, version, subresource = identity
        entry = ManagedEntry(manager, operation, version, None, frozenset(), subresource)
        out.extend(FieldConflict(entry.describe(), render(p)) for p in sorted(conflicts[identity]))
    return tuple(out)


def _upgrading_from_client_side(
    live: Mapping[str, Any] | None,
    manager: str,
    conflicts: Mapping[Any, FieldSet],
    schema: st.Schema | None,
    ignored: Collection[str],
) -> bool:
    """kube-apiserver lets ``kubectl apply --server-side`` take over fields the client-side apply
    annotation records, so switching to server-side apply does not conflict with oneself."""
    if manager != KUBECTL_MANAGER or live is None:
        return False
    raw = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    if not isinstance(raw, str):
        return False
    try:
        last_applied = json.loads(raw)
    except json.JSONDecodeError:
        return False
    if not isinstance(last_applied, dict):
        return False
    allowed = field_set(last_applied, schema, ignored=ignored)
    return all(paths <= allowed for paths in conflicts.values())


def _refresh_last_applied(merged: dict[str, Any], config: Mapping[str, Any]) -> None:
    annotations = (merged.get("metadata") or {}).get("annotations")
    if not isinstance(annotations, dict) or LAST_APPLIED not in annotations:
        return
    recorded = clone(dict(config))
    recorded_annotations = (recorded.get("metadata") or {}).get("annotations")
    if isinstance(recorded_annotations, dict):
        recorded_annotations.pop(LAST_APPLIED, None)
        if not recorded_annotations:
            recorded["metadata"].pop("annotations")
    annotations[LAST_APPLIED] = json.dumps(recorded, separators=(",", ":"), sort_keys=True) + "\n"
