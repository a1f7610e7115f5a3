"""kro's static rules on an RGD's resources that need no schema and no CEL type information:
ids, reserved words, template and externalRef shape, kro-owned labels, forEach shape.

The rules that need the child's scope or the expressions' references (namespace rules, what
readyWhen may reference, iterators in names) are applied by the builder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from kro.api.keys import Labels
from kro.graph.document import ResourceSpec
from kro.graph.model import FieldPath
from kro.graph.report import Reporter

ID_PATTERN = re.compile(r"^[a-z][a-zA-Z0-9]*$")
ITERATOR_PATTERN = re.compile(r"^[a-z][a-zA-Z0-9]*$")
MAX_FOR_EACH_DIMENSIONS = 10

CEL_KEYWORDS = frozenset(
    {
        "true",
        "false",
        "null",
        "in",
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "package",
        "namespace",
        "return",
        "var",
        "void",
        "while",
    }
)
KRO_RESERVED = frozenset(
    {
        "apiVersion",
        "context",
        "dependency",
        "dependencies",
        "each",
        "externalRef",
        "externalReference",
        "externalRefs",
        "externalReferences",
        "graph",
        "instance",
        "item",
        "items",
        "kind",
        "kro",
        "metadata",
        "namespace",
        "object",
        "resource",
        "resourcegraphdefinition",
        "resourceGraphDefinition",
        "resources",
        "root",
        "runtime",
        "schema",
        "self",
        "serviceAccountName",
        "spec",
        "status",
        "this",
        "variables",
        "vars",
        "version",
    }
)
RESERVED_WORDS = CEL_KEYWORDS | KRO_RESERVED


def valid_id(rid: str) -> bool:
    return bool(ID_PATTERN.match(rid)) and rid not in RESERVED_WORDS


def check_ids(resources: Sequence[ResourceSpec], report: Reporter) -> None:
    seen: dict[str, int] = {}
    for r in resources:
        path = (*r.path, "id")
        if r.id.startswith("#"):
            continue  # missing id, already reported
        if r.id in RESERVED_WORDS:
            report.error(path, f"resource id {r.id!r} is a reserved word", resource=r.id)
        elif not ID_PATTERN.match(r.id):
            report.error(
                path,
                f"resource id {r.id!r} must match ^[a-z][a-zA-Z0-9]*$ (lowerCamelCase, no '-' or '_')",
                resource=r.id,
            )
        if r.id in seen:
            report.error(
                path,
                f"duplicate resource id {r.id!r} (first used by spec.resources[{seen[r.id]}])",
                resource=r.id,
            )
        else:
            seen[r.id] = r.index


def check_template_shape(r: ResourceSpec, report: Reporter) -> None:
    """apiVersion, kind and metadata with a name (or generateName); no kro-owned labels."""
    if r.template is None:
        return
    path: FieldPath = (*r.path, "template")
    t = r.template
    for key in ("apiVersion", "kind"):
        if not isinstance(t.get(key), str) or not t.get(key):
            report.error((*path, key) if key in t else path, f"template.{key} is required", resource=r.id)
    metadata = t.get("metadata")
    if not isinstance(metadata, Mapping):
        report.error(
            (*path, "metadata") if "metadata" in t else path, "template.metadata is required", resource=r.id
        )
        return
    if not metadata.get("name") and not metadata.get("generateName"):
        report.error(
            (*path, "metadata"), "template.metadata.name (or generateName) is required", resource=r.id
        )
    _check_reserved_keys(metadata, (*path, "metadata"), r.id, report)


def _check_reserved_keys(metadata: Mapping[str, Any], path: FieldPath, rid: str, report: Reporter) -> None:
    for field in ("labels", "annotations"):
        values = metadata.get(field)
        if not isinstance(values, Mapping):
            continue
        for key in values:
            if isinstance(key, str) and key.startswith(Labels.RESERVED_PREFIXES):
                report.error(
                    (*path, field, key),
                    f"{field[:-1]} {key!r} uses a prefix kro owns ({', '.join(Labels.RESERVED_PREFIXES)})",
                    resource=rid,
                )


def check_external_ref_shape(r: ResourceSpec, report: Reporter) -> None:
    if r.external_ref is None:
        return
    path: FieldPath = (*r.path, "externalRef")
    ref = r.external_ref
    for key in ("apiVersion", "kind"):
        if not isinstance(ref.get(key), str) or not ref.get(key):
            report.error(path, f"externalRef.{key} is required", resource=r.id)
    metadata = ref.get("metadata")
    if not isinstance(metadata, Mapping):
        report.error(path, "externalRef.metadata is required (with a name or a selector)", resource=r.id)
        return
    if ("name" in metadata) == ("selector" in metadata):
        report.error(
            (*path, "metadata"),
            "externalRef.metadata needs exactly one of 'name' or 'selector'",
            resource=r.id,
        )
    for key in metadata:
        if key not in ("name", "namespace", "selector"):
            report.error(
                (*path, "metadata", key),
                f"unknown field {key!r} in externalRef.metadata",
                resource=r.id,
                at_key=True,
            )
    if "selector" in metadata and not isinstance(metadata["selector"], Mapping):
        report.error(
            (*path, "metadata", "selector"), "externalRef selector must be a LabelSelector", resource=r.id
        )
    if r.for_each:
        report.error((*r.path, "forEach"), "externalRef cannot be combined with forEach", resource=r.id)


def check_for_each_shape(r: ResourceSpec, resource_ids: frozenset[str], report: Reporter) -> None:
    path: FieldPath = (*r.path, "forEach")
    if len(r.for_each) > MAX_FOR_EACH_DIMENSIONS:
        report.error(
            path,
            f"forEach has {len(r.for_each)} dimensions; at most {MAX_FOR_EACH_DIMENSIONS} are allowed",
            resource=r.id,
        )
    names: set[str] = set()
    for i, (name, _) in enumerate(r.for_each):
        where = (*path, i, name)
        if name in RESERVED_WORDS:
            report.error(where, f"forEach iterator {name!r} is a reserved word", resource=r.id)
        elif not ITERATOR_PATTERN.match(name):
            report.error(where, f"forEach iterator {name!r} must match ^[a-z][a-zA-Z0-9]*$", resource=r.id)
        elif name in resource_ids:
            report.error(where, f"forEach iterator {name!r} shadows the resource id {name!r}", resource=r.id)
        if name in names:
            report.error(where, f"duplicate forEach iterator {name!r}", resource=r.id)
        names.add(name)
