"""The instance CRD of a compiled RGD: :func:`kro.schema.crd_from_rgd_schema` with the status
schema the compiler inferred, its problems reported at their place in ``spec.schema``."""

from __future__ import annotations

from typing import Any

from kro.graph.document import SCHEMA_PATH, RGDDocument
from kro.graph.report import Reporter
from kro.graph.status import CompiledStatus
from kro.schema import SchemaError, crd_from_rgd_schema


def build_crd(
    doc: RGDDocument, status: CompiledStatus, *, report: Reporter, kro_version: str
) -> dict[str, Any]:
    """The CRD, or ``{}`` after reporting why it cannot be generated."""
    try:
        return crd_from_rgd_schema(
            doc.schema, rgd_name=doc.name, status_schema=status.schema, kro_version=kro_version
        )
    except SchemaError as e:
        for problem in e.problems:
            report.error((*SCHEMA_PATH, *problem.path), problem.message)
        return {}
