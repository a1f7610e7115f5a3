"""Object metadata rules: names, generated names, timestamps, and the checks kube-apiserver applies
to ``apiVersion``/``kind``/``metadata`` before anything else."""

from __future__ import annotations

import json
import os
import random
from collections import deque
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from kro.devcluster import errors
from kro.devcluster.builtin_validation import name_causes
from kro.devcluster.errors import BadRequest, Cause, Invalid
from kro.devcluster.registry import ResourceType

_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # metav1.Time: RFC 3339, UTC, whole seconds
# The last second :func:`timestamp` formatted (its fields, its text): every write in the same second
# carries the same text. One tuple, replaced whole, so threads never see a key with another's text.
_last_stamp: list[tuple[tuple[object, ...], str]] = [((), "")]


def timestamp(now: datetime) -> str:
    """``now`` as Kubernetes writes a metav1.Time (RFC 3339, UTC, whole seconds)."""
    key = (now.second, now.minute, now.hour, now.day, now.month, now.year, now.tzinfo, now.fold)
    last_key, text = _last_stamp[0]
    if key != last_key:
        text = now.astimezone(UTC).strftime(_TIME_FORMAT)
        _last_stamp[0] = (key, text)
    return text


def parse_timestamp(text: str) -> datetime:
    """A metav1.Time as :func:`timestamp` writes it, back as an aware UTC datetime (``ValueError``
    for anything else)."""
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)


# Random bytes for uids, read from the OS 256 uids at a time: a deque, whose ``popleft`` hands each
# chunk to exactly one caller whatever the threads; a forked child never reuses its parent's chunks.
_uid_chunks: deque[bytes] = deque()
os.register_at_fork(after_in_child=_uid_chunks.clear)


def new_uid() -> str:
    """A random (version 4) UUID in its canonical text form, as ``str(uuid.uuid4())``."""
    try:
        chunk = _uid_chunks.popleft()
    except IndexError:
        batch = os.urandom(16 * 256)
        _uid_chunks.extend(batch[i : i + 16] for i in range(16, len(batch), 16))
        chunk = batch[:16]
    raw = bytearray(chunk)
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def generated_name(prefix: str) -> str:
    return prefix + "".join(random.choices(_SUFFIX_ALPHABET, k=5))  # not a secret: kube-apiserver's suffix is math/rand's


# ObjectMeta's ``omitempty`` fields and what reads as empty for each: kube-apiserver decodes metadata
# into the typed ObjectMeta (built-in kinds by their Go types, custom resources and embedded resources
# by the apiextensions server's metadata coercion), so ``labels: {}``, ``finalizers: []`` or a
# ``null`` never reach storage nor an answer. ``creationTimestamp`` is absent only when unset.
# Each field maps to the one type whose empty value (``""``, ``0``, ``{}``, ``[]``) is also left out;
# ``null`` always is.
_OMITTED_WHEN_EMPTY: dict[str, type] = {
    **{key: str for key in ("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion")},
    "generation": int,
    **{key: type(None) for key in ("creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds")},
    **{key: dict for key in ("labels", "annotations")},
    **{key: list for key in ("ownerReferences", "finalizers", "managedFields")},
}


def drop_empty_fields(meta: dict[str, Any], *, template: bool = False) -> None:
    """Remove the ObjectMeta fields of ``meta`` that Go's ``omitempty`` leaves out when empty. A
    built-in kind's template keeps its ``creationTimestamp: null`` (v1.32 writes the zero Time)."""
    empty = [
        key for key, value in meta.items()
        # Only an empty value of the field's own type: a mistyped one is validation's to report.
        if key in _OMITTED_WHEN_EMPTY and (value is None or (type(value) is _OMITTED_WHEN_EMPTY[key] and not value))
    ]
    for key in empty:
        if not (template and key == "creationTimestamp"):
            del meta[key]


def check_type_meta(rt: ResourceType, body: Mapping[str, Any]) -> None:
    """``apiVersion`` and ``kind`` must name the endpoint's kind (kind/apiVersion may be omitted)."""
    kind = body.get("kind")
    api_version = body.get("apiVersion")
    if kind is not None and kind != rt.kind:
        raise errors.undecodable(
            rt.kind, rt.version, f"the kind in the data ({kind}) does not match the expected kind ({rt.kind})"
        )
    if api_version is not None and api_version != rt.api_version:
        raise BadRequest(
            f"the API version in the data ({api_version}) does not match the expected API version ({rt.api_version})"
        )
    meta = body.get("metadata")
    if meta is not None and not isinstance(meta, dict):
        raise errors.undecodable(rt.kind, rt.version, "metadata must be an object")


def validate_object_meta(rt: ResourceType, meta: Mapping[str, Any]) -> list[Cause]:
    causes: list[Cause] = []
    for key in ("namespace", "generateName", "resourceVersion"):
        if meta.get(key) is not None and not isinstance(meta.get(key), str):
            causes.append(Cause(f"metadata.{key}", "FieldValueInvalid", f"Invalid value: {key} must be a string"))
    name = meta.get("name")
    if not name:
        causes.append(Cause("metadata.name", "FieldValueRequired", "Required value: name or generateName is required"))
        return causes
    if not isinstance(name, str):
        return [Cause("metadata.name", "FieldValueInvalid", "Invalid value: name must be a string")]
    causes += name_causes(rt.group, rt.kind, name)
    for key in ("labels", "annotations"):
        value = meta.get(key)
        if value is None:
            continue
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            causes.append(Cause(f"metadata.{key}", "FieldValueInvalid", f"Invalid value: {key} must map strings to strings"))
    owners = meta.get("ownerReferences")
    if isinstance(owners, list):
        causes += [c for ref in owners for c in owner_reference_causes(ref)]
    elif owners is not None:
        causes.append(Cause("metadata.ownerReferences", "FieldValueInvalid", "Invalid value: ownerReferences must be a list"))
    finalizers = meta.get("finalizers")
    if finalizers is not None and (not isinstance(finalizers, list) or not all(isinstance(f, str) for f in finalizers)):
        causes.append(Cause("metadata.finalizers", "FieldValueInvalid", "Invalid value: finalizers must be a list of strings"))
    return causes


# kube-apiserver v1.32's ObjectMeta validation: each owner reference is checked under the unindexed
# path ``metadata.ownerReferences`` (its field errors name ``metadata.ownerReferences.uid``).
_OWNER_FIELDS = (("apiVersion", "version"), ("kind", "kind"), ("name", "name"), ("uid", "uid"))


def owner_reference_causes(ref: Any) -> list[Cause]:
    ref = ref if isinstance(ref, Mapping) else {}
    causes: list[Cause] = []
    for key, label in _OWNER_FIELDS:
        value = ref.get(key)
        empty = not value or (key == "apiVersion" and isinstance(value, str) and value.endswith("/"))
        if empty:
            shown = json.dumps(value if isinstance(value, str) else "")
            causes.append(Cause(f"metadata.ownerReferences.{key}", "FieldValueInvalid", f"Invalid value: {shown}: {label} must not be empty"))
    return causes


def raise_invalid(rt: ResourceType, name: str, causes: list[Cause]) -> None:
    if causes:
        raise Invalid(rt.kind, rt.group, name, causes)


def drop_empty_metadata(obj: dict[str, Any], template_paths: Iterable[str] = ()) -> None:
    """:func:`drop_empty_fields` on ``obj``'s metadata and on the template metadata found at each
    dotted path of ``template_paths`` (a built-in kind's pod or job template)."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        drop_empty_fields(meta)
    for path in template_paths:
        node: Any = obj
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            drop_empty_fields(node, template=True)
