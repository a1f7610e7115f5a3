"""Where an object's schema comes from: a CRD version's ``openAPIV3Schema`` for custom resources,
the shipped built-in definitions (:mod:`kro.openapi`) for built-in kinds."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from kro.api.refs import GVK
from kro.devcluster.errors import Cause
from kro.devcluster.registry import ResourceType
from kro.openapi import builtin_schemas

# Kinds whose built-in schema is recursive (JSONSchemaProps): inlining it is unbounded in practice,
# and their own validation (kro.devcluster.crds) covers what matters.
_NOT_INLINED = frozenset({GVK("apiextensions.k8s.io", "v1", "CustomResourceDefinition")})


class SchemaSource:
    def __init__(self) -> None:
        self._builtin: dict[GVK, Mapping[str, Any] | None] = {}
        # Each built-in ResourceType's schema, by identity (the entry holds the type).
        self._by_type: dict[int, tuple[ResourceType, Mapping[str, Any] | None]] = {}

    def schema_for(self, rt: ResourceType) -> Mapping[str, Any] | None:
        if rt.is_custom:
            return rt.schema
        known = self._by_type.get(id(rt))
        if known is not None and known[0] is rt:
            return known[1]
        gvk = rt.gvk
        if gvk in _NOT_INLINED:
            schema = None
        else:
            if gvk not in self._builtin:
                self._builtin[gvk] = builtin_schemas().schema_for(gvk)
            schema = self._builtin[gvk]
        self._by_type[id(rt)] = (rt, schema)
        return schema

    @staticmethod
    @functools.lru_cache(maxsize=256)
    def _mentions_rules(schema_json: str) -> bool:
        return "x-kubernetes-validations" in schema_json

    def has_rules(self, rt: ResourceType) -> bool:
        return rt.schema is not None and self._mentions_rules(json.dumps(rt.schema, sort_keys=True))

    def rule_causes(self, rt: ResourceType, obj: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[Cause]:
        """Field errors from the schema's ``x-kubernetes-validations`` CEL rules (custom resources)."""
        if not rt.is_custom or rt.schema is None:
            return []
        from kro.devcluster.celrules import evaluate_rules

        return evaluate_rules(rt.schema, obj, old)
