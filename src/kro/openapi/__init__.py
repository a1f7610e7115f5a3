"""OpenAPI schemas and resource facts of the built-in Kubernetes kinds, available offline.

The schemas are not written here: they come from the JSON-schema definitions shipped by the
``kubernetes-validate`` package (generated from Kubernetes' own OpenAPI documents, with the
``x-kubernetes-*`` list and patch extensions kept). :mod:`kro.openapi.builtin` loads one Kubernetes
version's definitions on first use and hands out resolved, OpenAPI-v3-shaped schemas per kind.

:mod:`kro.openapi.resources` is the small table of built-in REST resources (plural, scope, short
names, verbs) the local API server serves and the compiler needs for namespace rules.

:class:`SchemaResolver` is the port through which the compiler asks for a kind's schema: offline
(built-in kinds plus CRDs given on the command line) or live (an API server's ``/openapi/v3``).
"""

from kro.openapi.builtin import BuiltinSchemas, builtin_schemas
from kro.openapi.resolver import (
    BuiltinResolver,
    ChainResolver,
    CRDResolver,
    ResolvedKind,
    SchemaResolver,
    VersionFinder,
    crd_generated_by,
    default_version,
)
from kro.openapi.resources import BUILTIN_RESOURCES, ResourceInfo, builtin_resource_for_kind

__all__ = [
    "BUILTIN_RESOURCES",
    "BuiltinResolver",
    "BuiltinSchemas",
    "CRDResolver",
    "ChainResolver",
    "ResolvedKind",
    "ResourceInfo",
    "SchemaResolver",
    "VersionFinder",
    "builtin_resource_for_kind",
    "builtin_schemas",
    "crd_generated_by",
    "default_version",
]
