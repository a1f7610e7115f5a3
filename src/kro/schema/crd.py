"""The CustomResourceDefinition kro generates for an RGD's instances (``apiextensions.k8s.io/v1``).

Shape, kept identical to upstream kro so existing CRDs are adopted unchanged: name
``<plural>.<group>``; singular ``lower(kind)``; listKind ``<Kind>List``; one version, served and
stored, with the status subresource; a root schema of ``apiVersion``, ``kind``,
``metadata: {type: object}``, ``spec`` and ``status``; ``status.state`` and ``status.conditions``
added unless the status schema defines them; State / Ready / Age printer columns unless custom ones
are given; and kro's ownership labels.

:func:`build_crd` takes already-converted schemas; :func:`crd_from_rgd_schema` takes the RGD's
``spec.schema`` block as written and reports every problem in it at once.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from kro.api import Labels
from kro.schema import names
from kro.schema.columns import DEFAULT_PRINTER_COLUMNS, printer_column_problems
from kro.schema.errors import SchemaError, SchemaProblem, did_you_mean
from kro.schema.plural import pluralize
from kro.schema.simpleschema import to_openapi

CRD_API_VERSION = "apiextensions.k8s.io/v1"
DEFAULT_GROUP = "kro.run"

STATE_SCHEMA: dict[str, Any] = {"type": "string"}
CONDITIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "type": {"type": "string"},
            "status": {"type": "string"},
            "reason": {"type": "string"},
            "message": {"type": "string"},
            "lastTransitionTime": {"type": "string", "format": "date-time"},
            "observedGeneration": {"type": "integer", "format": "int64"},
        },
    },
}

# The fields of an RGD's spec.schema (kro.run/v1alpha1 Schema).
SCHEMA_FIELDS = (
    "kind",
    "apiVersion",
    "group",
    "scope",
    "spec",
    "types",
    "status",
    "additionalPrinterColumns",
    "shortNames",
    "categories",
    "metadata",
)


def build_crd(
    *,
    kind: str,
    api_version: str,
    group: str = DEFAULT_GROUP,
    scope: str = "Namespaced",
    spec_schema: dict[str, Any],
    status_schema: dict[str, Any] | None,
    rgd_name: str,
    rgd_uid: str = "",
    kro_version: str,
    printer_columns: Iterable[Mapping[str, Any]] | None = None,
    short_names: Iterable[str] = (),
    categories: Iterable[str] = (),
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The CRD for ``kind``; raises :class:`SchemaError` listing every invalid input."""
    columns = None if printer_columns is None else list(printer_columns)
    problems = _naming_problems(kind, api_version, group, scope)
    problems += names.name_list_problems("shortNames", short_names)
    problems += names.name_list_problems("categories", categories)
    problems += printer_column_problems(columns or [])
    problems += names.metadata_problems(labels, annotations)
    if problems:
        raise SchemaError(problems)
    plural = pluralize(kind)
    metadata: dict[str, Any] = {
        "name": f"{plural}.{group}",
        "labels": {**(labels or {}), **_kro_labels(rgd_name, rgd_uid, kro_version)},
    }
    if annotations:
        metadata["annotations"] = dict(annotations)
    return {
        "apiVersion": CRD_API_VERSION,
        "kind": "CustomResourceDefinition",
        "metadata": metadata,
        "spec": {
            "group": group,
            "names": _names(kind, plural, list(short_names), list(categories)),
            "scope": scope,
            "versions": [_version(api_version, root_schema(spec_schema, status_schema), columns)],
        },
    }


def _names(kind: str, plural: str, short_names: list[str], categories: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": kind,
        "listKind": f"{kind}List",
        "plural": plural,
        "singular": kind.lower(),
    }
    if short_names:
        out["shortNames"] = short_names
    if categories:
        out["categories"] = categories
    return out


def _version(name: str, schema: dict[str, Any], columns: list[Mapping[str, Any]] | None) -> dict[str, Any]:
    return {
        "name": name,
        "served": True,
        "storage": True,
        "schema": {"openAPIV3Schema": schema},
        "subresources": {"status": {}},
        "additionalPrinterColumns": copy.deepcopy(columns or DEFAULT_PRINTER_COLUMNS),
    }


def root_schema(spec_schema: Mapping[str, Any], status_schema: Mapping[str, Any] | None) -> dict[str, Any]:
    """The instance's whole-object schema, with kro's reserved status fields added."""
    status = copy.deepcopy(dict(status_schema)) if status_schema else {}
    status.setdefault("type", "object")
    props = status.setdefault("properties", {})
    props.setdefault("state", copy.deepcopy(STATE_SCHEMA))
    props.setdefault("conditions", copy.deepcopy(CONDITIONS_SCHEMA))
    return {
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": copy.deepcopy(dict(spec_schema)),
            "status": status,
        },
    }


def crd_from_rgd_schema(
    schema_block: Mapping[str, Any],
    *,
    rgd_name: str,
    status_schema: dict[str, Any] | None,
    kro_version: str,
    rgd_uid: str = "",
) -> dict[str, Any]:
    """The CRD for an RGD's ``spec.schema`` as written (SimpleSchema ``spec`` and ``types``).
    ``status_schema`` is the OpenAPI schema the compiler inferred from the status expressions."""
    if not isinstance(schema_block, Mapping):
        raise SchemaError([SchemaProblem((), f"spec.schema must be a map, found {schema_block!r}")])
    problems = _unknown_field_problems(schema_block)
    spec_schema: dict[str, Any] = {"type": "object"}
    try:
        spec_schema = to_openapi(schema_block.get("spec") or {}, schema_block.get("types"))
    except SchemaError as e:
        problems += e.problems
    metadata, columns = _metadata_and_columns(schema_block, problems)
    try:
        crd = build_crd(
            kind=schema_block.get("kind"),  # type: ignore[arg-type]  # checked by build_crd
            api_version=schema_block.get("apiVersion"),  # type: ignore[arg-type]
            group=schema_block.get("group") or DEFAULT_GROUP,
            scope=schema_block.get("scope") or "Namespaced",
            spec_schema=spec_schema,
            status_schema=status_schema,
            rgd_name=rgd_name,
            rgd_uid=rgd_uid,
            kro_version=kro_version,
            printer_columns=columns,
            short_names=schema_block.get("shortNames") or (),
            categories=schema_block.get("categories") or (),
            labels=metadata.get("labels"),
            annotations=metadata.get("annotations"),
        )
    except SchemaError as e:
        problems += e.problems
    if problems:
        raise SchemaError(problems)
    return crd


def _metadata_and_columns(
    block: Mapping[str, Any], problems: list[SchemaProblem]
) -> tuple[Mapping[str, Any], list[Any] | None]:
    """The block's ``metadata`` and ``additionalPrinterColumns``, or empty ones (with a problem
    added) when they have the wrong shape."""
    metadata = block.get("metadata") or {}
    if not isinstance(metadata, Mapping):
        message = f"metadata must be a map of labels and annotations, found {metadata!r}"
        problems.append(SchemaProblem(("metadata",), message))
        metadata = {}
    columns = block.get("additionalPrinterColumns")
    if columns is not None and not isinstance(columns, list):
        message = f"additionalPrinterColumns must be a list of columns, found {columns!r}"
        problems.append(SchemaProblem(("additionalPrinterColumns",), message))
        columns = None
    return metadata, columns or None


def _naming_problems(kind: Any, api_version: Any, group: Any, scope: Any) -> list[SchemaProblem]:
    problems = names.kind_problems(kind) + names.api_version_problems(api_version)
    problems += names.group_problems(group) + names.scope_problems(scope)
    if not problems:
        plural = pluralize(kind)
        if len(plural) > 63:
            problems.append(
                SchemaProblem(
                    ("kind",), f"the plural {plural!r} is longer than 63 characters; shorten the kind"
                )
            )
        elif len(plural) + 1 + len(group) > 253:
            problems.append(
                SchemaProblem(("group",), "the CRD name <plural>.<group> is longer than 253 characters")
            )
    return problems


def _unknown_field_problems(block: Mapping[str, Any]) -> list[SchemaProblem]:
    problems = []
    for key in block:
        if key == "validation":
            problems.append(
                SchemaProblem(
                    (key,),
                    "spec.schema has no 'validation' field: put validation=<CEL> markers on the spec fields "
                    "they constrain, e.g. replicas: 'integer | validation=\"self <= 10\"'",
                )
            )
        elif key not in SCHEMA_FIELDS:
            hint = did_you_mean(str(key), SCHEMA_FIELDS)
            problems.append(
                SchemaProblem(
                    (str(key),),
                    f"unknown field {key!r} in spec.schema{hint}; fields: {', '.join(SCHEMA_FIELDS)}",
                )
            )
    return problems


def _kro_labels(rgd_name: str, rgd_uid: str, kro_version: str) -> dict[str, str]:
    out = {Labels.OWNED: "true", Labels.KRO_VERSION: kro_version, Labels.RGD_NAME: rgd_name}
    if rgd_uid:
        out[Labels.RGD_ID] = rgd_uid
    return out
