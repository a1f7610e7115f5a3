"""Bad requests get a Status with the right code and never hurt the server."""

from __future__ import annotations

import ssl

import aiohttp

from kro.devcluster import DevServer
from tests.integration.conftest import ApiClient
from tests.integration.devcluster.builders import configmap

CMS = "/api/v1/namespaces/default/configmaps"


async def _server_still_works(api: ApiClient) -> None:
    status, _ = await api.get(CMS)
    assert status == 200


async def test_malformed_json_is_400(api: ApiClient) -> None:
    status, body = await api.request("POST", CMS, data=b"{not json", headers={"Content-Type": "application/json"})
    assert status == 400 and body["kind"] == "Status" and body["reason"] == "BadRequest"
    status, body = await api.request("POST", CMS, data=b"[1, 2]", headers={"Content-Type": "application/json"})
    assert status == 400
    await _server_still_works(api)


async def test_yaml_body_is_accepted_and_bad_yaml_is_400(api: ApiClient) -> None:
    doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  a: b\n"
    status, body = await api.request("POST", CMS, data=doc, headers={"Content-Type": "application/yaml"})
    assert status == 201 and body["data"] == {"a": "b"}
    status, body = await api.request("POST", CMS, data="a: [b", headers={"Content-Type": "application/yaml"})
    assert status == 400


async def test_unknown_resource_and_path_are_404(api: ApiClient) -> None:
    for path in ("/api/v1/namespaces/default/widgets", "/apis/nope.io/v1/things", "/nonsense", "/apis/apps/v9"):
        status, body = await api.get(path)
        assert status == 404, path
        assert body["kind"] == "Status" and body["reason"] == "NotFound"


async def test_oversized_body_is_413(api: ApiClient) -> None:
    big = configmap("big", {"k": "x" * (3 * 1024 * 1024 + 10)})
    status, body = await api.post(CMS, big)
    assert status == 413 and body["reason"] == "RequestEntityTooLarge"
    await _server_still_works(api)


async def test_wrong_kind_or_api_version_is_400(api: ApiClient) -> None:
    wrong_kind = {**configmap("k"), "kind": "Secret"}
    status, body = await api.post(CMS, wrong_kind)
    assert status == 400 and body["reason"] == "BadRequest"
    wrong_version = {**configmap("k"), "apiVersion": "apps/v1"}
    status, body = await api.post(CMS, wrong_version)
    assert status == 400


async def test_invalid_name_is_422_with_causes(api: ApiClient) -> None:
    status, body = await api.post(CMS, configmap("Not_Valid"))
    assert status == 422 and body["reason"] == "Invalid"
    assert body["details"]["kind"] == "ConfigMap"
    assert body["details"]["causes"][0]["field"] == "metadata.name"
    assert body["details"]["causes"][0]["reason"] == "FieldValueInvalid"


async def test_type_errors_in_builtin_kinds_are_refused(api: ApiClient) -> None:
    # kube-apiserver's decoder refuses it before any validation: a 400, in Go's words
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "t"}, "data": {"a": 1}}
    status, err = await api.post(CMS, body)
    assert (status, err["reason"]) == (400, "BadRequest")
    assert err["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: '
        "json: cannot unmarshal number into Go struct field ConfigMap.data of type string"
    )


async def test_missing_or_wrong_token_is_401(devserver_tls: DevServer) -> None:
    ctx = ssl.create_default_context(cafile=str(devserver_tls.ca_file))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx)) as session:
        async with session.get(devserver_tls.url + CMS) as resp:
            assert resp.status == 401
            body = await resp.json()
            assert body["reason"] == "Unauthorized" and body["kind"] == "Status"
        async with session.get(devserver_tls.url + CMS, headers={"Authorization": "Bearer wrong"}) as resp:
            assert resp.status == 401
        async with session.get(devserver_tls.url + "/healthz") as resp:
            assert resp.status == 200


async def test_plain_http_accepts_anonymous_but_not_a_wrong_token(api: ApiClient) -> None:
    async with api.session.get(api.server.url + CMS) as resp:
        assert resp.status == 200
    async with api.session.get(api.server.url + CMS, headers={"Authorization": "Bearer wrong"}) as resp:
        assert resp.status == 401


async def test_name_mismatch_on_put_is_400(api: ApiClient) -> None:
    await api.post(CMS, configmap("a"))
    status, _body = await api.put(f"{CMS}/a", configmap("b"))
    assert status == 400
    await _server_still_works(api)


async def test_unsupported_patch_type_is_415(api: ApiClient) -> None:
    await api.post(CMS, configmap("p"))
    status, body = await api.patch(f"{CMS}/p", {"data": {"a": "b"}}, content_type="application/x-unknown")
    assert status == 415 and body["kind"] == "Status"


async def test_merge_patch(api: ApiClient) -> None:
    await api.post(CMS, configmap("p", {"a": "1"}))
    status, body = await api.patch(f"{CMS}/p", {"data": {"b": "2"}})
    assert status == 200 and body["data"] == {"a": "1", "b": "2"}
