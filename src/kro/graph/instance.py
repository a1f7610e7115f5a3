"""The instance side of an RGD: ``spec.schema`` read into the instance's kind, scope and OpenAPI
``spec`` schema (through :mod:`kro.schema`), and the type the ``schema`` CEL variable has."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kro.api import KRO_GROUP
from kro.api.refs import GVK
from kro.graph.document import SCHEMA_PATH
from kro.graph.report import Reporter
from kro.schema import SchemaError, to_openapi

KIND_PATTERN = re.compile(r"^[A-Z][a-zA-Z0-9]{0,62}$")
VERSION_PATTERN = re.compile(r"^v[0-9]+(alpha[0-9]+|beta[0-9]+)?$")


@dataclass(frozen=True)
class InstanceKind:
    gvk: GVK
    namespaced: bool
    spec_schema: Mapping[str, Any]
    """OpenAPI schema of the instance's ``spec``."""

    def variable_schema(self) -> dict[str, Any]:
        """The type of ``schema`` in expressions: the instance without status, with the ObjectMeta
        fields kro exposes (no ``namespace`` for a cluster-scoped kind)."""
        meta: dict[str, Any] = {
            "name": {"type": "string"},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
            "uid": {"type": "string"},
            "generation": {"type": "integer", "format": "int64"},
        }
        if self.namespaced:
            meta["namespace"] = {"type": "string"}
        return {
            "type": "object",
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "metadata": {"type": "object", "properties": meta},
                "spec": self.spec_schema,
            },
        }


def read_instance_kind(schema: Mapping[str, Any], report: Reporter) -> InstanceKind | None:
    """Convert ``spec.schema``'s SimpleSchema ``spec`` (reporting its problems); ``None`` when the
    kind or version is unusable. The naming rules themselves are reported by the CRD step
    (:mod:`kro.graph.crd`), which checks the whole block."""
    try:
        spec_schema = to_openapi(schema.get("spec") or {}, schema.get("types"))
    except SchemaError as e:
        for problem in e.problems:
            report.error((*SCHEMA_PATH, *problem.path), problem.message)
        spec_schema = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    kind, version = schema.get("kind"), schema.get("apiVersion")
    if not isinstance(kind, str) or not KIND_PATTERN.match(kind):
        return None
    if not isinstance(version, str) or not VERSION_PATTERN.match(version):
        return None
    group = schema.get("group") or KRO_GROUP
    return InstanceKind(
        GVK(str(group), version, kind), schema.get("scope", "Namespaced") != "Cluster", spec_schema
    )
