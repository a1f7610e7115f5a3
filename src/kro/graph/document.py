"""The raw RGD document read into small typed records, with its structural errors reported.

Only the shape is checked here (required fields, types, exactly-one-of rules); naming rules live in
:mod:`kro.graph.validation` and everything that needs schemas or CEL in the builder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kro.api import KRO_API_VERSION, RGD_KIND
from kro.graph.model import FieldPath
from kro.graph.report import Reporter

RESOURCE_FIELDS = frozenset({"id", "template", "externalRef", "readyWhen", "includeWhen", "forEach"})
RESOURCES_PATH: FieldPath = ("spec", "resources")
SCHEMA_PATH: FieldPath = ("spec", "schema")


@dataclass(frozen=True)
class ResourceSpec:
    index: int
    id: str
    template: Mapping[str, Any] | None
    external_ref: Mapping[str, Any] | None
    ready_when: tuple[str, ...] = ()
    include_when: tuple[str, ...] = ()
    for_each: tuple[tuple[str, str], ...] = ()
    """``(iterator name, expression string)`` per dimension, in order."""
    base: FieldPath = RESOURCES_PATH
    """Where the list holding this resource is (``spec.resources``, or a ResourceGraph's ``spec.children``)."""

    @property
    def path(self) -> FieldPath:
        return (*self.base, self.index)

    @property
    def body(self) -> Mapping[str, Any]:
        """The template, or the external reference: what names the object."""
        return self.template if self.template is not None else (self.external_ref or {})

    @property
    def body_key(self) -> str:
        return "template" if self.template is not None else "externalRef"


@dataclass(frozen=True)
class RGDDocument:
    name: str
    schema: Mapping[str, Any]
    resources: tuple[ResourceSpec, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict)


def read_document(rgd: Mapping[str, Any], report: Reporter) -> RGDDocument:
    """Read ``rgd``, reporting every structural problem; returns what could be read."""
    if not isinstance(rgd, Mapping):
        report.error((), "an RGD document must be a YAML/JSON object")
        return RGDDocument("", {})
    if rgd.get("apiVersion") != KRO_API_VERSION or rgd.get("kind") != RGD_KIND:
        report.error(("kind",), f"not a {RGD_KIND} (expected apiVersion {KRO_API_VERSION}, kind {RGD_KIND})")
    metadata = rgd.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    if not isinstance(name, str) or not name:
        report.error(("metadata",), "metadata.name is required")
        name = ""
    spec = rgd.get("spec")
    if not isinstance(spec, Mapping):
        report.error(("spec",), "spec is required and must be an object")
        return RGDDocument(name, {}, raw=rgd)
    schema = spec.get("schema")
    if not isinstance(schema, Mapping):
        report.error(SCHEMA_PATH, "spec.schema is required and must be an object")
        schema = {}
    for key in spec:
        if key not in ("schema", "resources"):
            report.error(
                ("spec", key), f"unknown field {key!r}; spec has only 'schema' and 'resources'", at_key=True
            )
    raw_resources = spec.get("resources", [])
    if raw_resources is None:
        raw_resources = []
    if not isinstance(raw_resources, list):
        report.error(RESOURCES_PATH, "spec.resources must be a list")
        raw_resources = []
    resources = []
    for i, raw in enumerate(raw_resources):
        resource = read_resource(i, raw, report)
        if resource is not None:
            resources.append(resource)
    return RGDDocument(name, schema, tuple(resources), rgd)


def read_resource(
    index: int, raw: Any, report: Reporter, *, base: FieldPath = RESOURCES_PATH
) -> ResourceSpec | None:
    """One entry of a resource list (at ``base``), its structural problems reported."""
    path: FieldPath = (*base, index)
    if not isinstance(raw, Mapping):
        report.error(path, "a resource must be an object with an 'id'")
        return None
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid:
        report.error((*path, "id") if "id" in raw else path, "resource 'id' is required and must be a string")
        rid = f"#{index}"
    for key in raw:
        if key not in RESOURCE_FIELDS:
            report.error((*path, key), f"unknown field {key!r} in a resource", resource=rid, at_key=True)
    template, external = raw.get("template"), raw.get("externalRef")
    if (template is None) == (external is None):
        report.error(path, "exactly one of 'template' or 'externalRef' must be set", resource=rid)
    if template is not None and not isinstance(template, Mapping):
        report.error((*path, "template"), "template must be an object", resource=rid)
        template = None
    if external is not None and not isinstance(external, Mapping):
        report.error((*path, "externalRef"), "externalRef must be an object", resource=rid)
        external = None
    return ResourceSpec(
        index,
        rid,
        template,
        external if template is None else None,
        _read_expressions(raw, "readyWhen", path, rid, report),
        _read_expressions(raw, "includeWhen", path, rid, report),
        _read_for_each(raw.get("forEach"), (*path, "forEach"), rid, report),
        base,
    )


def _read_expressions(
    raw: Mapping[str, Any], key: str, path: FieldPath, rid: str, report: Reporter
) -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        report.error((*path, key), f"{key} must be a list of '${{...}}' expressions", resource=rid)
        return ()
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            report.error((*path, key, i), f"{key} entries must be strings", resource=rid)
            continue
        out.append(item)
    return tuple(out)


def _read_for_each(value: Any, path: FieldPath, rid: str, report: Reporter) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        report.error(path, "forEach must be a list of {iterator: '${expression}'} entries", resource=rid)
        return ()
    out: list[tuple[str, str]] = []
    for i, entry in enumerate(value):
        if not isinstance(entry, Mapping) or len(entry) != 1:
            report.error((*path, i), "each forEach entry must be a map with exactly one key", resource=rid)
            continue
        ((name, expr),) = entry.items()
        if not isinstance(name, str) or not isinstance(expr, str):
            report.error(
                (*path, i), "a forEach entry maps an iterator name to a '${...}' string", resource=rid
            )
            continue
        out.append((name, expr))
    return tuple(out)
