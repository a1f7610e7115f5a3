"""Credentials from kubeconfigs, exec plugins and the in-cluster service account, seen by a server."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import logging
import ssl
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from kro.api import GVR
from kro.devcluster import DevServer, DevServerConfig
from kro.kube import ClusterConfig, ConfigError, KubeClient, TransportError
from kro.kube.execauth import parse_exec, run_plugin
from kro.kube.kubeconfig import load_kubeconfig, parse_cluster
from kro.kube.tokens import FileToken
from tests.integration.kube.authfixtures import (
    EchoServer,
    Pki,
    make_pki,
    recorded_runs,
    write_kubeconfig,
    write_plugin,
)

NAMESPACES = GVR("", "v1", "namespaces")
V1 = "client.authentication.k8s.io/v1"
V1BETA1 = "client.authentication.k8s.io/v1beta1"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def rfc3339(delta: dt.timedelta) -> str:
    return (dt.datetime.now(dt.UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki(others=("joe",))


@pytest.fixture
async def echo(pki: Pki, tmp_path: Path) -> AsyncIterator[EchoServer]:
    (tmp_path / "server").mkdir()
    server = await EchoServer(pki, tmp_path / "server").start()
    try:
        yield server
    finally:
        await server.stop()


async def seen_by(config: ClusterConfig) -> dict[str, str]:
    async with KubeClient(config) as client:
        ns = await client.get(NAMESPACES, "x")
    annotations: dict[str, str] = ns["metadata"]["annotations"]
    return annotations


@pytest.mark.parametrize("form", ["files", "data"])
async def test_client_certificate_from_files_or_data_is_presented(
    echo: EchoServer, pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    files = pki.write(tmp_path / "pki")
    if form == "files":
        cluster = {"certificate-authority": str(files["ca"])}
        user = {"client-certificate": str(files["client_cert"]), "client-key": str(files["client_key"])}
    else:
        cluster = {"certificate-authority-data": b64(pki.ca_pem)}
        user = {
            "client-certificate-data": b64(pki.client_cert_pem),
            "client-key-data": b64(pki.client_key_pem),
        }
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    path = write_kubeconfig(tmp_path / "config", server=echo.url, cluster=cluster, user=user)
    config = ClusterConfig.from_kubeconfig(str(path))
    assert list(private_tmp.iterdir()) == []  # the key written for OpenSSL is gone
    assert (await seen_by(config)) == {"authorization": "", "client-cn": "jane"}


async def test_a_server_outside_the_ca_is_refused(echo: EchoServer, tmp_path: Path) -> None:
    other = make_pki()
    path = write_kubeconfig(
        tmp_path / "config",
        server=echo.url,
        cluster={"certificate-authority-data": b64(other.ca_pem)},
        user={"token": "t"},
    )
    with pytest.raises(TransportError, match="CERTIFICATE_VERIFY_FAILED"):
        await seen_by(ClusterConfig.from_kubeconfig(str(path)))


async def test_a_rotated_token_file_is_read_again_after_a_401(
    echo: EchoServer, pki: Pki, tmp_path: Path
) -> None:
    token = tmp_path / "token"
    token.write_text("old\n")
    path = write_kubeconfig(
        tmp_path / "config",
        server=echo.url,
        cluster={"certificate-authority-data": b64(pki.ca_pem)},
        user={"tokenFile": "token"},
    )
    config = ClusterConfig.from_kubeconfig(str(path))
    echo.accepted = {"Bearer old"}
    assert (await seen_by(config))["authorization"] == "Bearer old"
    token.write_text("new\n")
    echo.accepted = {"Bearer new"}
    assert (await seen_by(config))["authorization"] == "Bearer new"
    assert echo.seen[-2:] == ["Bearer old", "Bearer new"]


async def test_a_token_file_is_read_again_when_its_period_is_over(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("one")
    source = FileToken(str(path), cache_seconds=0)
    assert await source.authorization() == "Bearer one"
    path.write_text("two")
    assert await source.authorization() == "Bearer two"
    path.unlink()  # a failed read keeps the last token
    assert await source.authorization() == "Bearer two"
    with pytest.raises(ConfigError, match="cannot read"):
        FileToken(str(tmp_path / "absent"))


@pytest.mark.parametrize("version", [V1, V1BETA1])
async def test_exec_plugin_gets_cluster_info_env_and_args(
    echo: EchoServer, pki: Pki, tmp_path: Path, version: str
) -> None:
    script, runs = write_plugin(tmp_path / "plugin", [{"status": {"token": "from-plugin"}}])
    exec_ = {
        "apiVersion": version,
        "command": str(script),
        "args": ["--region", "eu"],
        "env": [{"name": "PLUGIN_MODE", "value": "test"}],
        "provideClusterInfo": True,
    }
    if version == V1:
        exec_["interactiveMode"] = "IfAvailable"
    cluster = {
        "certificate-authority-data": b64(pki.ca_pem),
        "tls-server-name": "127.0.0.1",
        "extensions": [{"name": "client.authentication.k8s.io/exec", "extension": {"audience": "kro"}}],
    }
    path = write_kubeconfig(tmp_path / "config", server=echo.url, cluster=cluster, user={"exec": exec_})
    assert (await seen_by(ClusterConfig.from_kubeconfig(str(path))))["authorization"] == "Bearer from-plugin"
    [run] = recorded_runs(runs)
    assert run["argv"] == ["--region", "eu"]
    assert run["env"]["PLUGIN_MODE"] == "test"
    assert run["info"] == {
        "apiVersion": version,
        "kind": "ExecCredential",
        "spec": {
            "interactive": False,
            "cluster": {
                "server": echo.url,
                "tls-server-name": "127.0.0.1",
                "certificate-authority-data": b64(pki.ca_pem),
                "config": {"audience": "kro"},
            },
        },
    }


def exec_config(tmp_path: Path, answers: list[dict[str, Any]], **extra: Any) -> tuple[Path, Path]:
    script, runs = write_plugin(tmp_path / "plugin", answers)
    exec_ = {"apiVersion": V1, "command": str(script), "interactiveMode": "Never", **extra}
    return write_kubeconfig(tmp_path / "config", server="http://127.0.0.1:9", user={"exec": exec_}), runs


async def test_exec_credentials_are_kept_until_they_expire(tmp_path: Path) -> None:
    path, runs = exec_config(
        tmp_path,
        [
            {"status": {"token": "a", "expirationTimestamp": rfc3339(-dt.timedelta(minutes=1))}},
            {"status": {"token": "b", "expirationTimestamp": rfc3339(dt.timedelta(hours=1))}},
        ],
    )
    config = ClusterConfig.from_kubeconfig(str(path))
    assert config.token is not None
    assert len(recorded_runs(runs)) == 1
    assert await config.token.authorization() == "Bearer b"  # "a" had expired: run again
    assert await config.token.authorization() == "Bearer b"
    assert len(recorded_runs(runs)) == 2
    assert await config.token.authorization(refresh=True) == "Bearer b"  # a 401 runs it again
    assert len(recorded_runs(runs)) == 3


async def test_a_401_runs_the_plugin_once_for_all_waiting_requests(tmp_path: Path) -> None:
    # The second run takes a second: every request's 401 arrives while it runs, and waits for it.
    answers = [{"status": {"token": "old"}}, {"sleep": 1, "status": {"token": "new"}}]
    script, runs = write_plugin(tmp_path / "plugin", answers)
    echo = await EchoServer(None, tmp_path, accepted={"Bearer new"}).start()
    try:
        exec_ = {"apiVersion": V1, "command": str(script), "interactiveMode": "Never"}
        path = write_kubeconfig(tmp_path / "config", server=echo.url, user={"exec": exec_})
        async with KubeClient(ClusterConfig.from_kubeconfig(str(path))) as client:
            answers = await asyncio.gather(*(client.get(NAMESPACES, "x") for _ in range(5)))
    finally:
        await echo.stop()
    assert {a["metadata"]["annotations"]["authorization"] for a in answers} == {"Bearer new"}
    assert len(recorded_runs(runs)) == 2


async def test_exec_plugin_client_certificate(echo: EchoServer, pki: Pki, tmp_path: Path) -> None:
    status = {
        "clientCertificateData": pki.client_cert_pem.decode(),
        "clientKeyData": pki.client_key_pem.decode(),
    }
    script, _ = write_plugin(tmp_path / "plugin", [{"status": status}])
    exec_ = {"apiVersion": V1, "command": str(script), "interactiveMode": "Never"}
    path = write_kubeconfig(
        tmp_path / "config",
        server=echo.url,
        cluster={"certificate-authority-data": b64(pki.ca_pem)},
        user={"exec": exec_},
    )
    assert (await seen_by(ClusterConfig.from_kubeconfig(str(path)))) == {
        "authorization": "",
        "client-cn": "jane",
    }


def test_a_missing_plugin_command_shows_the_install_hint(tmp_path: Path) -> None:
    exec_ = {
        "apiVersion": V1,
        "command": str(tmp_path / "bin" / "cloud-auth"),
        "interactiveMode": "Never",
        "installHint": "Install cloud-auth with: pip install cloud-auth",
    }
    path = write_kubeconfig(tmp_path / "config", server="http://127.0.0.1:9", user={"exec": exec_})
    with pytest.raises(ConfigError, match="cloud-auth not found") as caught:
        ClusterConfig.from_kubeconfig(str(path))
    assert "pip install cloud-auth" in str(caught.value)
    assert f'user "u" in {path}' in str(caught.value)


def test_a_failing_plugin_reports_its_exit_code_and_stderr(tmp_path: Path) -> None:
    path, _ = exec_config(tmp_path, [{"exit": 3, "stderr": "token endpoint unreachable"}])
    with pytest.raises(ConfigError, match=r"plugin.py.*exited with code 3: token endpoint unreachable"):
        ClusterConfig.from_kubeconfig(str(path))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"status": {"token": "t"}, "apiVersion": V1BETA1}, "configured for .*v1, but it returned .*v1beta1"),
        ({"status": {}}, "neither a token nor a certificate"),
        ({"status": {"clientCertificateData": "x"}}, "a certificate or a key, not both"),
        ({"status": {"token": "t", "expirationTimestamp": "tomorrow"}}, "not RFC 3339"),
    ],
)
def test_a_bad_exec_credential_is_a_clear_error(tmp_path: Path, answer: dict[str, Any], message: str) -> None:
    path, _ = exec_config(tmp_path, [answer])
    with pytest.raises(ConfigError, match=message):
        ClusterConfig.from_kubeconfig(str(path))


def test_a_plugin_that_hangs_is_stopped_after_the_timeout(tmp_path: Path) -> None:
    path, _ = exec_config(tmp_path, [{"sleep": 30, "status": {"token": "late"}}])
    config = load_kubeconfig(str(path))
    plugin = parse_exec(
        dict(config.users["u"].body["exec"]), parse_cluster(config.clusters["c"]), where="user u"
    )
    with pytest.raises(ConfigError, match=r"did not finish within 0.5 s"):
        run_plugin(plugin, timeout=0.5)


async def test_in_cluster_service_account(
    echo: EchoServer, pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = tmp_path / "serviceaccount"
    account.mkdir()
    (account / "token").write_text("sa-token-1")
    (account / "ca.crt").write_bytes(pki.ca_pem)
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", echo.url.rsplit(":", 1)[1])
    config = ClusterConfig.in_cluster(token_file=str(account / "token"), ca_file=str(account / "ca.crt"))
    assert config.server == echo.url
    assert (await seen_by(config))["authorization"] == "Bearer sa-token-1"
    (account / "token").write_text("sa-token-2")  # the kubelet rotated the projected token
    echo.accepted = {"Bearer sa-token-2"}
    assert (await seen_by(config))["authorization"] == "Bearer sa-token-2"


def test_in_cluster_ipv6_and_missing_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "token").write_text("t")
    (tmp_path / "ca.crt").write_bytes(make_pki().ca_pem)
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "fd00::1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    files = {"token_file": str(tmp_path / "token"), "ca_file": str(tmp_path / "ca.crt")}
    assert ClusterConfig.in_cluster(**files).server == "https://[fd00::1]:443"
    with pytest.raises(ConfigError, match=r"service account token.*cannot read"):
        ClusterConfig.in_cluster(token_file=str(tmp_path / "none"), ca_file=files["ca_file"])
    # as client-go: a missing CA is logged and the system's roots are trusted; TLS is still verified
    with caplog.at_level(logging.ERROR, logger="kro.kube.config"):
        config = ClusterConfig.in_cluster(token_file=files["token_file"], ca_file=str(tmp_path / "none"))
    assert config.ssl_context is not None and config.ssl_context.verify_mode == ssl.CERT_REQUIRED
    assert config.ssl_context.check_hostname
    assert any("service account CA is not usable" in r.getMessage() for r in caplog.records)
    monkeypatch.delenv("KUBERNETES_SERVICE_PORT")
    with pytest.raises(ConfigError, match="KUBERNETES_SERVICE_PORT must be set"):
        ClusterConfig.in_cluster(**files)


def unsigned_jwt(claims: dict[str, Any]) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.sig"


def oidc_token() -> str:
    # The kubernetes package rejects a payload whose base64 length leaves 3 padding characters.
    for n in range(4):
        token = unsigned_jwt({"sub": "jane" + "x" * n, "exp": 4102444800})
        if len(token.split(".")[1]) % 4 != 1:
            return token
    raise AssertionError("unreachable")


async def test_auth_provider_users_fall_back_to_the_kubernetes_package(
    devserver_factory: Any, tmp_path: Path
) -> None:
    token = oidc_token()
    server: DevServer = await devserver_factory(token=token, allow_anonymous=False)
    provider = {
        "name": "oidc",
        "config": {"client-id": "kro", "id-token": token, "idp-issuer-url": "https://idp"},
    }
    path = write_kubeconfig(tmp_path / "config", server=server.url, user={"auth-provider": provider})
    async with KubeClient(ClusterConfig.from_kubeconfig(str(path))) as client:
        assert (await client.get(NAMESPACES, "default"))["metadata"]["name"] == "default"


async def test_the_kubeconfig_kro_dev_writes_works_over_tls(tmp_path: Path) -> None:
    server = DevServer(DevServerConfig(tls=True, kubeconfig_path=tmp_path / "kubeconfig"))
    await server.start()
    try:
        config = ClusterConfig.from_kubeconfig(str(server.kubeconfig_path))
        assert config.server.startswith("https://") and config.ssl_context is not None
        async with KubeClient(config) as client:
            assert (await client.get(NAMESPACES, "default"))["metadata"]["name"] == "default"
    finally:
        await server.stop()


_IMPORTS_PROBE = """
import sys
import kro.cli.main, kro.cli.cmd_controller, kro.controller.app
from kro.kube import ClusterConfig
for context in sys.argv[2:]:
    ClusterConfig.from_kubeconfig(sys.argv[1], context=context)
print("kubernetes" in sys.modules)
"""


def test_usual_kubeconfigs_load_without_importing_the_kubernetes_package(pki: Pki, tmp_path: Path) -> None:
    files = pki.write(tmp_path / "pki")
    script, _ = write_plugin(tmp_path / "plugin", [{"status": {"token": "t"}}])
    users = {
        "token": {"token": "t"},
        "cert": {"client-certificate": str(files["client_cert"]), "client-key": str(files["client_key"])},
        "exec": {"exec": {"apiVersion": V1, "command": str(script), "interactiveMode": "Never"}},
    }
    doc = {
        "clusters": [
            {
                "name": "c",
                "cluster": {"server": "https://127.0.0.1:9", "certificate-authority": str(files["ca"])},
            }
        ],
        "users": [{"name": n, "user": u} for n, u in users.items()],
        "contexts": [{"name": n, "context": {"cluster": "c", "user": n}} for n in users],
        "current-context": "token",
    }
    path = tmp_path / "config"
    path.write_text(json.dumps(doc))
    probe = subprocess.run(
        [sys.executable, "-c", _IMPORTS_PROBE, str(path), *users],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert probe.stdout.strip() == "False", probe.stderr
    provider = {"name": "oidc", "config": {"client-id": "kro", "id-token": oidc_token()}}
    legacy = write_kubeconfig(
        tmp_path / "legacy", server="http://127.0.0.1:9", user={"auth-provider": provider}
    )
    probe = subprocess.run(
        [sys.executable, "-c", _IMPORTS_PROBE, str(legacy), "ctx"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert probe.stdout.strip() == "True", probe.stderr


async def test_a_user_that_impersonates_sends_the_impersonate_headers(echo: EchoServer, pki: Pki, tmp_path: Path) -> None:
    user = {"token": "t", "as": "jane", "as-uid": "1234", "as-groups": ["devs", "ops"],
            "as-user-extra": {"example.com/scopes": ["view", "edit"], "reason": ["audit"]}}
    path = write_kubeconfig(tmp_path / "config", server=echo.url,
                            cluster={"certificate-authority-data": b64(pki.ca_pem)}, user=user)
    await seen_by(ClusterConfig.from_kubeconfig(str(path)))
    sent = [(k, v) for k, v in echo.headers[-1] if k.lower().startswith("impersonate-")]
    assert sent == [
        ("Impersonate-User", "jane"), ("Impersonate-Uid", "1234"),
        ("Impersonate-Group", "devs"), ("Impersonate-Group", "ops"),
        # a key's '/' is %-encoded in a header name, as client-go encodes it
        ("Impersonate-Extra-example.com%2Fscopes", "view"), ("Impersonate-Extra-example.com%2Fscopes", "edit"),
        ("Impersonate-Extra-reason", "audit"),
    ]
    assert dict(echo.headers[-1])["Authorization"] == "Bearer t"  # the user's own credentials still go


def test_groups_without_a_user_to_impersonate_is_a_clear_error(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "config", server="https://127.0.0.1:1", user={"token": "t", "as-groups": ["devs"]})
    with pytest.raises(ConfigError, match="requesting uid, groups or user-extra without impersonating a user"):
        ClusterConfig.from_kubeconfig(str(path))


async def test_disable_compression_asks_for_uncompressed_answers(echo: EchoServer, pki: Pki, tmp_path: Path) -> None:
    ca = {"certificate-authority-data": b64(pki.ca_pem)}
    path = write_kubeconfig(tmp_path / "plain", server=echo.url, cluster=ca, user={"token": "t"})
    await seen_by(ClusterConfig.from_kubeconfig(str(path)))
    assert "gzip" in dict(echo.headers[-1]).get("Accept-Encoding", "")
    path = write_kubeconfig(tmp_path / "uncompressed", server=echo.url, cluster={**ca, "disable-compression": True},
                            user={"token": "t"})
    await seen_by(ClusterConfig.from_kubeconfig(str(path)))
    assert "Accept-Encoding" not in dict(echo.headers[-1])


async def test_a_rotated_exec_certificate_is_presented_on_the_next_request(echo: EchoServer, pki: Pki, tmp_path: Path) -> None:
    joe_cert, joe_key = pki.others["joe"]
    first = {"clientCertificateData": pki.client_cert_pem.decode(), "clientKeyData": pki.client_key_pem.decode(),
             "expirationTimestamp": rfc3339(dt.timedelta(seconds=2))}
    second = {"clientCertificateData": joe_cert.decode(), "clientKeyData": joe_key.decode()}
    script, _ = write_plugin(tmp_path / "plugin", [{"status": first}, {"status": second}])
    exec_ = {"apiVersion": V1, "command": str(script), "interactiveMode": "Never"}
    path = write_kubeconfig(tmp_path / "config", server=echo.url,
                            cluster={"certificate-authority-data": b64(pki.ca_pem)}, user={"exec": exec_})
    async with KubeClient(ClusterConfig.from_kubeconfig(str(path))) as client:
        before = await client.get(NAMESPACES, "x")
        await asyncio.sleep(2.5)  # the first certificate has expired: the plugin runs again
        after = await client.get(NAMESPACES, "x")
    # the kept-alive connection was made with jane's certificate: it is closed, not reused
    assert [before["metadata"]["annotations"]["client-cn"], after["metadata"]["annotations"]["client-cn"]] == ["jane", "joe"]
