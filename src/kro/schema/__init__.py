"""SimpleSchema → OpenAPI v3 → CustomResourceDefinition, and the breaking-change check between two
generated CRDs. Pure: data in, data out.

Modules, in pipeline order:

* :mod:`~kro.schema.typeexpr`, :mod:`~kro.schema.markers`: the two halves of a field string
  (``"[]string | minItems=1"``);
* :mod:`~kro.schema.constraints`, :mod:`~kro.schema.regex`, :mod:`~kro.schema.values`: what markers
  do, whether patterns suit Kubernetes' RE2, whether defaults fit their fields;
* :mod:`~kro.schema.simpleschema`: :func:`to_openapi`, the whole ``spec`` plus custom ``types``
  (:mod:`~kro.schema.cycles` finds type cycles);
* :mod:`~kro.schema.crd`: :func:`build_crd` / :func:`crd_from_rgd_schema`, with
  :mod:`~kro.schema.plural`, :mod:`~kro.schema.names`, :mod:`~kro.schema.columns`;
* :mod:`~kro.schema.compat`: :func:`breaking_changes` between two CRD schemas.

Every problem is a :class:`SchemaProblem` located inside the RGD's ``spec.schema``; a call reports all
of them at once in one :class:`SchemaError`.
"""

from kro.schema.compat import Change, ChangeKind, breaking_changes
from kro.schema.crd import build_crd, crd_from_rgd_schema, root_schema
from kro.schema.errors import SchemaError, SchemaPath, SchemaProblem, format_path
from kro.schema.plural import pluralize
from kro.schema.simpleschema import to_openapi

__all__ = [
    "Change",
    "ChangeKind",
    "SchemaError",
    "SchemaPath",
    "SchemaProblem",
    "breaking_changes",
    "build_crd",
    "crd_from_rgd_schema",
    "format_path",
    "pluralize",
    "root_schema",
    "to_openapi",
]
