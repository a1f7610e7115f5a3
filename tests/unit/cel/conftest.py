"""Environments over real built-in Kubernetes schemas, shared by the CEL tests (building one takes
a few milliseconds; compiling in it is what the tests exercise)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from kro.api.refs import GVK
from kro.cel import DYN, CELEnvironment, CelType, engine_extensions, from_openapi
from kro.openapi import BuiltinResolver

INSTANCE_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "properties": {
        "metadata": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "namespace": {"type": "string"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "spec": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "replicas": {"type": "integer", "default": 1},
                "ratio": {"type": "number"},
                "enabled": {"type": "boolean"},
                "regions": {"type": "array", "items": {"type": "string"}},
                "values": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            },
        },
    },
}


def builtin(group: str, version: str, kind: str) -> Mapping[str, Any]:
    resolved = BuiltinResolver().resolve(GVK(group, version, kind))
    assert resolved is not None
    return resolved.schema


@pytest.fixture(scope="session")
def sts_schema() -> Mapping[str, Any]:
    return builtin("apps", "v1", "StatefulSet")


@pytest.fixture(scope="session")
def env(sts_schema: Mapping[str, Any]) -> CELEnvironment:
    """``schema`` (an RGD instance), a StatefulSet, a Service, a ConfigMap, a collection of Pods
    (as lists), and an untyped variable."""
    return CELEnvironment(
        {
            "schema": INSTANCE_SCHEMA,
            "statefulset": sts_schema,
            "service": builtin("", "v1", "Service"),
            "config": builtin("", "v1", "ConfigMap"),
            "pods": CelType.list_of(from_openapi(builtin("", "v1", "Pod"))),
            "blob": DYN,
        },
        extensions=engine_extensions(),
    )
