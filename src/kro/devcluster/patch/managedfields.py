"""``metadata.managedFields``: who owns which fields, and how a non-apply write changes that.

Entries are identified as kube-apiserver identifies them: an ``Apply`` entry by manager name and
subresource (it keeps its identity whatever apiVersion it applies with); an ``Update`` entry by
manager, apiVersion and subresource. Entries are written sorted as kube-apiserver sorts them
(``Apply`` before ``Update``, then by time, manager, apiVersion, subresource), entries owning nothing
are dropped, and an entry's ``time`` moves only when its field set changes.

:func:`record_update` is what every create, update (PUT) and non-apply patch calls: the writer takes
the fields it added or changed away from every other manager (updates are never refused for
conflicts) and adds them to its own ``Update`` entry, so a later apply by someone else conflicts
with them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kro.devcluster.patch import fieldpath
from kro.devcluster.patch.errors import MalformedPatchError
from kro.devcluster.patch.fielddiff import diff_fields, is_container
from kro.devcluster.patch.fieldpath import FieldSet, Path
from kro.devcluster.patch.fieldset import Comparison, values_and_containers
from kro.devcluster.patch.structure import Schema

APPLY = "Apply"
UPDATE = "Update"
_MANAGER_MAX = 128


@dataclass(frozen=True)
class ManagedEntry:
    """One ``managedFields`` entry, its fields decoded."""

    manager: str
    operation: str
    api_version: str
    time: str | None
    fields: FieldSet
    subresource: str = ""
    # The stored ``fieldsV1`` document this entry was read from, when it is exactly the encoding of
    # ``fields`` (then it is written back as it is while the entry keeps that very set).
    stored: tuple[FieldSet, Mapping[str, Any]] | None = field(default=None, compare=False, repr=False)

    @property
    def identity(self) -> tuple[str, str, str, str]:
        version = "" if self.operation == APPLY else self.api_version
        return (self.manager, self.operation, version, self.subresource)

    def describe(self) -> str:
        """The manager as kube-apiserver names it in a conflict: ``"kubectl" using apps/v1``."""
        text = f'"{self.manager}"'
        if self.subresource:
            text += f' with subresource "{self.subresource}"'
        if self.operation == UPDATE:
            text += f" using {self.api_version}"
        return text

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"manager": self.manager, "operation": self.operation,
                               "apiVersion": self.api_version}
        if self.time is not None:
            out["time"] = self.time
        out["fieldsType"] = "FieldsV1"
        if self.stored is not None and self.stored[0] is self.fields:
            out["fieldsV1"] = self.stored[1]  # shared with the previous version, as patches share
        else:
            out["fieldsV1"] = fieldpath.encode(self.fields)
        if self.subresource:
            out["subresource"] = self.subresource
        return out


Managers = dict[tuple[str, str, str, str], ManagedEntry]


def decode_entries(raw: Any) -> Managers:
    """The entries of a ``metadata.managedFields`` value, keyed by identity."""
    out: Managers = {}
    if raw is None:
        return out
    if not isinstance(raw, list):
        raise MalformedPatchError("metadata.managedFields must be a list")
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise MalformedPatchError(f"metadata.managedFields[{index}] must be an object")
        if not item:
            continue  # a lone `{}` is how clients ask to clear managedFields
        if item.get("fieldsType", "FieldsV1") != "FieldsV1":
            raise MalformedPatchError(f"metadata.managedFields[{index}].fieldsType must be FieldsV1")
        raw = item.get("fieldsV1")
        fields, exact = fieldpath.decode_exact(raw)
        entry = ManagedEntry(
            manager=str(item.get("manager", "")),
            operation=str(item.get("operation", UPDATE)),
            api_version=str(item.get("apiVersion", "")),
            time=item.get("time"),
            fields=fields,
            subresource=str(item.get("subresource", "")),
            stored=(fields, raw) if exact else None,
        )
        out[entry.identity] = entry
    return out


def encode_entries(managers: Iterable[ManagedEntry]) -> list[dict[str, Any]]:
    kept = [e for e in managers if e.fields]
    kept.sort(key=lambda e: (e.operation, e.time or "", e.manager, e.api_version, e.subresource))
    return [e.to_json() for e in kept]


def entries_of(obj: Mapping[str, Any] | None) -> Managers:
    if not obj:
        return {}
    return decode_entries((obj.get("metadata") or {}).get("managedFields"))


def with_entries(obj: Mapping[str, Any], managers: Managers) -> dict[str, Any]:
    """A copy of ``obj`` whose ``metadata.managedFields`` holds ``managers`` (omitted when empty)."""
    out = dict(obj)
    meta = dict(out.get("metadata") or {})
    encoded = encode_entries(managers.values())
    if encoded:
        meta["managedFields"] = encoded
    else:
        meta.pop("managedFields", None)
    out["metadata"] = meta
    return out


def set_fields(managers: Managers, entry: ManagedEntry, fields: FieldSet, *, now: str) -> None:
    """Give ``entry`` the set ``fields`` in place, moving its time only when the set changed."""
    previous = managers.get(entry.identity)
    if previous is not None and previous.fields == fields:
        managers[entry.identity] = replace(previous, api_version=entry.api_version)
        return
    managers[entry.identity] = replace(entry, fields=fields, time=now)


def record_update(
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any],
    *,
    schema: Schema | None,
    manager: str,
    now: str,
    ignored: Collection[str] = (),
    subresource: str = "",
    zero_structs: Collection[Path] = (),
) -> dict[str, Any]:
    """``new`` with ``managedFields`` updated for a non-apply write by ``manager``.

    ``zero_structs``: the struct paths the kind's zero value always has (never "added").

    ``old`` is the stored object (``None`` on create). If ``new`` carries ``managedFields`` different
    from ``old``'s, the client is setting them and they are taken as given (``[{}]`` clears them).
    """
    check_manager(manager)
    managers = _incoming(old, new)
    old_content, new_content = _strip_managed(old or {}), _strip_managed(new)
    if old is not None and old_content == new_content:
        return with_entries(new, managers)  # nothing changed: nobody's ownership moves
    diff = _changes(old_content if old is not None else None, new_content, schema=schema, ignored=ignored,
                    zero_structs=frozenset(zero_structs))
    taken = diff.changed | diff.removed
    for identity, entry in list(managers.items()):
        if entry.fields & taken:
            managers[identity] = replace(entry, fields=entry.fields - taken)
    mine = ManagedEntry(manager, UPDATE, str(new.get("apiVersion", "")), now, frozenset(), subresource)
    current = managers.get(mine.identity)
    own = (current.fields if current else frozenset()) - diff.removed | diff.changed
    set_fields(managers, mine, own, now=now)
    return with_entries(new, {k: v for k, v in managers.items() if v.fields})


def _changes(
    old: Mapping[str, Any] | None, new: Mapping[str, Any], *, schema: Schema | None, ignored: Collection[str],
    zero_structs: frozenset[Path],
) -> Comparison:
    """What a write changed. Structs and maps it added are the writer's too ("." entries); what the
    kind's zero value always holds (Go's non-pointer structs) counts as there before."""
    if old is None:
        after, has = values_and_containers(new, schema, ignored=ignored)
        # Nulls are what the kind's zero value holds (a template's creationTimestamp): not added.
        added = frozenset(p for p, v in after.items() if v is not None)
        return Comparison(added | (has - zero_structs), frozenset(), frozenset())
    diff = diff_fields(old, new, schema, ignored=ignored, containers=True)
    gone = frozenset(p for p in zero_structs if not is_container(new, schema, p, ignored=ignored))
    return Comparison(
        diff.comparison.added | (diff.containers_new - zero_structs),
        diff.comparison.removed | diff.containers_gone | gone,
        diff.comparison.modified,
    )


def _incoming(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> Managers:
    new_raw = (new.get("metadata") or {}).get("managedFields")
    old_raw = ((old or {}).get("metadata") or {}).get("managedFields")
    if new_raw and new_raw != old_raw:
        return decode_entries(new_raw)
    return entries_of(old)


def _strip_managed(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    if isinstance(meta, Mapping) and "managedFields" in meta:
        return {**obj, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}
    return obj


def check_manager(manager: str) -> None:
    if not manager:
        raise MalformedPatchError("fieldManager must be set")
    if len(manager) > _MANAGER_MAX:
        raise MalformedPatchError(f"fieldManager: may not be more than {_MANAGER_MAX} characters")
    if not manager.isprintable():
        raise MalformedPatchError("fieldManager: must contain only printable characters")


def field_manager_for(field_manager: str | None, user_agent: str | None) -> str:
    """The manager of a non-apply write: the ``fieldManager`` query parameter, else the User-Agent's
    product (``kubectl/v1.32.0 (linux/amd64) …`` → ``kubectl``), as kube-apiserver derives it."""
    if field_manager:
        return field_manager
    product = (user_agent or "").split("/", 1)[0].strip()
    return product[:_MANAGER_MAX] or "unknown"


def ignored_fields(*, subresource: str, has_status: bool, objects: Iterable[Mapping[str, Any]] = ()) -> frozenset[str]:
    """Top-level fields a write to this endpoint does not own: ``status`` on the main resource of a
    kind with a status subresource; everything but ``status`` on ``/status`` (whose writes change
    nothing else)."""
    if subresource == "status":
        names = {k for obj in objects for k in obj} | {"metadata"}
        return frozenset(names - {"status", "apiVersion", "kind"})
    return frozenset({"status"}) if has_status else frozenset()
