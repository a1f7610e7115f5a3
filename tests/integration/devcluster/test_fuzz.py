"""Arbitrary request bodies never make the server fail (5xx) or lose its state."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kro.devcluster import DevServer, DevServerConfig
from tests.integration.conftest import ApiClient

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=12,
)
field_names = st.sampled_from(["metadata", "spec", "status", "data", "kind", "apiVersion", "items", "x"])
bodies = st.dictionaries(field_names, json_values, max_size=5)
meta_values = st.dictionaries(
    st.sampled_from(["name", "namespace", "labels", "finalizers", "ownerReferences", "resourceVersion", "generateName"]),
    json_values,
    max_size=4,
)

PATHS = [
    ("POST", "/api/v1/namespaces/default/configmaps"),
    ("POST", "/apis/apps/v1/namespaces/default/deployments"),
    ("PUT", "/api/v1/namespaces/default/configmaps/fixed"),
    ("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, meta=meta_values, which=st.integers(0, len(PATHS) - 1))
async def test_random_bodies_never_cause_server_errors(body: dict[str, Any], meta: dict[str, Any], which: int) -> None:
    method, path = PATHS[which]
    if meta:
        body["metadata"] = meta
    async with DevServer(DevServerConfig(tls=False)) as server, aiohttp.ClientSession() as session:
        api = ApiClient(server, session)
        await api.post("/api/v1/namespaces/default/configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fixed"}})
        status, answer = await api.request(method, path, data=json.dumps(body), headers={"Content-Type": "application/json"})
        assert status < 500, (status, answer)
        if status >= 400:
            assert answer["kind"] == "Status" and answer["code"] == status
        status, _ = await api.get("/api/v1/namespaces/default/configmaps/fixed")
        assert status == 200
