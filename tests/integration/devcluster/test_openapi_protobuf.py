"""``/openapi/v2`` and ``/openapi/v3/...`` in gnostic's protobuf encoding, as kube-apiserver serves
them to kubectl (which asks for v2 in protobuf only). The bytes are read back with the wire reader
and checked against the JSON document: same definitions, same vendor extensions."""

from __future__ import annotations

import json
from typing import Any

import yaml

from kro.devcluster.codec.protobuf.wire import read_fields
from tests.integration.conftest import ApiClient

V2 = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
V3 = "application/com.github.proto-openapi.spec.v3@v1.0+protobuf"


async def _raw(api: ApiClient, path: str, accept: str) -> tuple[int, str, bytes]:
    headers = {"Authorization": f"Bearer {api.server.token}", "Accept": accept}
    async with api.session.get(api.server.url + path, headers=headers) as resp:
        return resp.status, resp.headers.get("Content-Type", ""), await resp.read()


def _fields(data: bytes) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for number, _wire, value in read_fields(data):
        out.setdefault(number, []).append(value)
    return out


def _named(entries: list[bytes]) -> dict[str, bytes]:
    return {_fields(e)[1][0].decode(): _fields(e)[2][0] for e in entries}


async def test_openapi_v2_in_protobuf_carries_every_definition(api: ApiClient) -> None:
    status, content_type, body = await _raw(api, "/openapi/v2", V2)
    assert status == 200
    assert content_type == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    document = _fields(body)
    assert document[1] == [b"2.0"]  # swagger
    definitions = _named(_fields(document[9][0])[1])  # Definitions.additional_properties
    status, _, raw_json = await _raw(api, "/openapi/v2", "application/json")
    assert set(definitions) == set(json.loads(raw_json)["definitions"])
    deployment = _fields(definitions["io.k8s.api.apps.v1.Deployment"])
    extensions = _named(deployment[31])  # Schema.vendor_extension
    gvk = yaml.safe_load(_fields(extensions["x-kubernetes-group-version-kind"])[2][0])
    assert gvk == [{"group": "apps", "kind": "Deployment", "version": "v1"}]
    properties = _named(_fields(deployment[25][0])[1])  # Schema.properties
    assert _fields(properties["metadata"])[1] == [b"#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]


async def test_openapi_v3_group_in_protobuf(api: ApiClient) -> None:
    status, content_type, body = await _raw(api, "/openapi/v3/apis/apps/v1", V3)
    assert status == 200 and content_type == "application/com.github.proto-openapi.spec.v3.v1.0+protobuf"
    document = _fields(body)
    assert document[1] == [b"3.0.0"]
    schemas = _named(_fields(_fields(document[5][0])[1][0])[1])  # Components.schemas.additional_properties
    assert "io.k8s.api.apps.v1.Deployment" in schemas
    status, content_type, _ = await _raw(api, "/openapi/v3/apis/apps/v1", f"application/json, {V3}")
    assert content_type == "application/json"
