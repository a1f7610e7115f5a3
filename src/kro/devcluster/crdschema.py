"""kube-apiserver's checks of a CRD version's ``openAPIV3Schema`` before the CRD is accepted:
supported ``type`` values and ``x-kubernetes-*`` use (apiextensions' API validation) and the
structural-schema invariants (``ValidateStructural``): every specified field and array item has a
type, arrays have ``items``, the root is an object without ``additionalProperties``, ``metadata``
restricts only ``name``/``generateName``, embedded resources are objects. Errors carry
kube-apiserver v1.32's field paths and wording; the structural ones are sorted by their text, as
upstream sorts them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kro.devcluster.errors import Cause

_TYPES = ("array", "boolean", "integer", "number", "object", "string")
_ROOT, _FIELD, _ITEM = "root", "field", "item"
_EMPTY_TYPE = {
    _ROOT: "must not be empty at the root",
    _ITEM: "must not be empty for specified array items",
    _FIELD: "must not be empty for specified object fields",
}
_METADATA_ONLY = "must not specify anything other than name and generateName, but metadata is implicitly specified"


def _go(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def _invalid(path: str, value: Any, detail: str) -> Cause:
    return Cause(path, "FieldValueInvalid", f"Invalid value: {_go(value)}: {detail}")


def _required(path: str, detail: str) -> Cause:
    return Cause(path, "FieldValueRequired", f"Required value: {detail}")


def _forbidden(path: str, detail: str) -> Cause:
    return Cause(path, "FieldValueForbidden", f"Forbidden: {detail}")


def schema_causes(schema: Any, path: str) -> list[Cause]:
    """Every refusal of ``schema`` (a version's ``openAPIV3Schema`` at ``path``)."""
    if not isinstance(schema, Mapping):
        return [_required(path, "must not be empty")] if schema is None else []
    api: list[Cause] = []
    structural: list[Cause] = []
    _walk(schema, _ROOT, path, api, structural)
    structural.sort(key=lambda c: c.render())
    return api + structural


def _children(schema: Mapping[str, Any], path: str) -> list[tuple[Mapping[str, Any], str, str]]:
    out: list[tuple[Mapping[str, Any], str, str]] = []
    props = schema.get("properties")
    for key, sub in (props.items() if isinstance(props, Mapping) else ()):
        if isinstance(sub, Mapping):
            out.append((sub, _FIELD, f"{path}.properties[{key}]"))
    items = schema.get("items")
    if isinstance(items, Mapping):
        out.append((items, _ITEM, f"{path}.items"))
    extra = schema.get("additionalProperties")
    if isinstance(extra, Mapping):
        out.append((extra, _FIELD, f"{path}.additionalProperties"))
    return out


def _walk(schema: Mapping[str, Any], level: str, path: str, api: list[Cause], structural: list[Cause]) -> None:
    api.extend(_api_causes(schema, path))
    structural.extend(_structural_causes(schema, level, path))
    for sub, sub_level, sub_path in _children(schema, path):
        _walk(sub, sub_level, sub_path, api, structural)


def _api_causes(schema: Mapping[str, Any], path: str) -> list[Cause]:
    causes: list[Cause] = []
    kind = schema.get("type")
    if kind not in (None, "") and kind not in _TYPES:
        supported = ", ".join(json.dumps(t) for t in _TYPES)
        causes.append(Cause(f"{path}.type", "FieldValueNotSupported", f"Unsupported value: {_go(kind)}: supported values: {supported}"))
    if schema.get("properties") and schema.get("additionalProperties") not in (None, False):
        causes.append(_forbidden(f"{path}.additionalProperties", "additionalProperties and properties are mutual exclusive"))
    if schema.get("x-kubernetes-preserve-unknown-fields") is False:
        causes.append(_invalid(f"{path}.x-kubernetes-preserve-unknown-fields", False, "must be true or undefined"))
    if schema.get("x-kubernetes-int-or-string") and kind:
        causes.append(_invalid(f"{path}.type", kind, "must be empty if x-kubernetes-int-or-string is true"))
    if schema.get("x-kubernetes-embedded-resource") is False:
        causes.append(_invalid(f"{path}.x-kubernetes-embedded-resource", False, "must be true or undefined"))
    list_type = schema.get("x-kubernetes-list-type")
    if list_type is not None and list_type not in ("atomic", "map", "set"):
        causes.append(Cause(f"{path}.x-kubernetes-list-type", "FieldValueNotSupported",
                            f'Unsupported value: {_go(list_type)}: supported values: "atomic", "set", "map"'))
    return causes


def _structural_causes(schema: Mapping[str, Any], level: str, path: str) -> list[Cause]:
    causes: list[Cause] = []
    kind = schema.get("type") or ""
    embedded = bool(schema.get("x-kubernetes-embedded-resource"))
    if kind == "array" and schema.get("items") is None:
        causes.append(_required(f"{path}.items", "must be specified"))
    if level == _ROOT and schema.get("additionalProperties") is not None:
        causes.append(_forbidden(f"{path}.additionalProperties", "must not be used at the root"))
    if embedded and kind != "object":
        if not kind:
            causes.append(_required(f"{path}.type", "must be object if x-kubernetes-embedded-resource is true"))
        else:
            causes.append(_invalid(f"{path}.type", kind, "must be object if x-kubernetes-embedded-resource is true"))
    elif not kind and not schema.get("x-kubernetes-int-or-string") and not schema.get("x-kubernetes-preserve-unknown-fields"):
        causes.append(_required(f"{path}.type", _EMPTY_TYPE[level]))
    if level == _ROOT and kind and kind != "object":
        causes.append(_invalid(f"{path}.type", kind, "must be object at the root"))
    given = schema.get("properties")
    props: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
    if level == _ROOT or embedded:
        for name in ("kind", "apiVersion"):
            sub = props.get(name)
            if isinstance(sub, Mapping) and sub.get("type") != "string":
                causes.append(_invalid(f"{path}.properties[{name}].type", sub.get("type") or "", "must be string"))
    metadata = props.get("metadata")
    if isinstance(metadata, Mapping):
        causes += _metadata_causes(metadata, level, embedded, f"{path}.properties[metadata]")
    if embedded and not schema.get("x-kubernetes-preserve-unknown-fields") and not props:
        causes.append(_required(f"{path}.properties", "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"))
    return causes


def _metadata_causes(metadata: Mapping[str, Any], level: str, embedded: bool, path: str) -> list[Cause]:
    causes: list[Cause] = []
    if (level == _ROOT or embedded) and metadata.get("type") != "object":
        causes.append(_invalid(f"{path}.type", metadata.get("type") or "", "must be object"))
    if level == _ROOT:
        given = metadata.get("properties")
        props: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
        extra = {k for k in metadata if k not in ("type", "properties", "default", "description")}
        if set(props) - {"name", "generateName"} or extra:
            causes.append(_forbidden(path, _METADATA_ONLY))
    return causes
