"""Reading kubeconfig files as kubectl does: merged KUBECONFIG lists, relative paths, clear errors."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from kro.kube import ClusterConfig, ConfigError
from kro.kube.kubeconfig import load_kubeconfig, select


def doc(
    *,
    clusters: dict[str, dict[str, Any]] | None = None,
    users: dict[str, dict[str, Any]] | None = None,
    contexts: dict[str, dict[str, Any]] | None = None,
    current: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"apiVersion": "v1", "kind": "Config"}
    for section, key, items in (
        ("clusters", "cluster", clusters),
        ("users", "user", users),
        ("contexts", "context", contexts),
    ):
        if items is not None:
            out[section] = [{"name": name, key: body} for name, body in items.items()]
    if current is not None:
        out["current-context"] = current
    return out


def write(path: Path, content: dict[str, Any] | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content))
    return path


def test_kubeconfig_list_merges_first_definition_wins_and_skips_missing_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write(
        tmp_path / "one",
        doc(
            clusters={"shared": {"server": "https://first:6443"}},
            users={"shared": {"token": "first-token"}},
            contexts={"dev": {"cluster": "shared", "user": "shared"}},
        ),
    )
    second = write(
        tmp_path / "two",
        doc(
            clusters={"shared": {"server": "https://second:6443"}, "other": {"server": "http://other:8080"}},
            users={"shared": {"token": "second-token"}, "bob": {"token": "bob-token"}},
            contexts={
                "dev": {"cluster": "other", "user": "bob"},
                "prod": {"cluster": "other", "user": "bob"},
            },
            current="dev",
        ),
    )
    third = write(tmp_path / "three", doc(current="prod"))
    missing = tmp_path / "absent"
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join(map(str, [first, missing, second, first, third])))
    config = load_kubeconfig()
    assert config.files == (str(first), str(second), str(third))
    assert config.current_context == "dev"  # the first file that sets it
    chosen = select(config)
    assert chosen.context == "dev"
    assert chosen.cluster.server == "https://first:6443"
    assert chosen.user.token == "first-token"
    assert select(config, "prod").cluster.server == "http://other:8080"


async def test_relative_paths_resolve_against_the_file_that_defines_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a" / "secrets").mkdir(parents=True)
    (tmp_path / "a" / "secrets" / "token").write_text("from-a\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "token").write_text("from-b\n")
    a = write(
        tmp_path / "a" / "config",
        doc(
            clusters={"c": {"server": "http://127.0.0.1:9", "certificate-authority": "secrets/ca.crt"}},
            users={"ua": {"tokenFile": "secrets/token", "exec": {"command": "bin/plugin"}}},
            contexts={"ctx": {"cluster": "c", "user": "ub"}},
            current="ctx",
        ),
    )
    b = write(
        tmp_path / "b" / "config",
        doc(users={"ub": {"tokenFile": "token", "client-certificate": "/abs/crt", "client-key": "key.pem"}}),
    )
    monkeypatch.chdir(tmp_path / "b")
    monkeypatch.setenv("KUBECONFIG", f"{a}{os.pathsep}{b}")
    chosen = select(load_kubeconfig(), "ctx")
    assert chosen.cluster.ca_file == str(tmp_path / "a" / "secrets" / "ca.crt")
    assert chosen.user.token_file == str(tmp_path / "b" / "token")
    assert chosen.user.cert_file == "/abs/crt"
    assert chosen.user.key_file == str(tmp_path / "b" / "key.pem")
    ua = load_kubeconfig().users["ua"]
    assert ua.origin == str(a)
    config = ClusterConfig.from_kubeconfig(None, context="ctx")
    assert config.token is not None
    assert await config.token.authorization() == "Bearer from-b"


def test_exec_command_with_a_separator_is_relative_to_its_file_and_a_bare_name_is_looked_up(
    tmp_path: Path,
) -> None:
    from kro.kube.kubeconfig import parse_user

    path = write(
        tmp_path / "k" / "config",
        doc(
            users={
                "rel": {"exec": {"command": "./bin/plugin", "apiVersion": "client.authentication.k8s.io/v1"}},
                "bare": {"exec": {"command": "gke-gcloud-auth-plugin"}},
            }
        ),
    )
    config = load_kubeconfig(str(path))
    rel = parse_user(config.users["rel"])
    bare = parse_user(config.users["bare"])
    assert rel.exec is not None and bare.exec is not None
    assert rel.exec["command"] == str(tmp_path / "k" / "bin" / "plugin")
    assert bare.exec["command"] == "gke-gcloud-auth-plugin"


def test_an_explicit_kubeconfig_that_is_missing_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="absent: no such file"):
        ClusterConfig.from_kubeconfig(str(tmp_path / "absent"))


def test_no_kubeconfig_at_all_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "nothing-here"))
    with pytest.raises(ConfigError, match=r"no kubeconfig found .*nothing-here"):
        ClusterConfig.from_kubeconfig()


@pytest.mark.parametrize(
    ("content", "context", "message"),
    [
        (doc(clusters={"c": {"server": "http://x"}}), None, "no current context is set"),
        (doc(contexts={"a": {"cluster": "c"}}, current="a"), "b", 'context "b" not found .*contexts: a'),
        (doc(contexts={"a": {"cluster": "c"}}, current="a"), None, 'cluster "c" of context "a" not found'),
        (doc(contexts={"a": {}}, current="a"), None, 'context "a" in .* names no cluster'),
        (
            doc(
                clusters={"c": {"server": "http://x"}},
                contexts={"a": {"cluster": "c", "user": "u"}},
                current="a",
            ),
            None,
            'user "u" of context "a" not found',
        ),
        (
            doc(clusters={"c": {}}, contexts={"a": {"cluster": "c"}}, current="a"),
            None,
            'cluster "c" in .*: no server',
        ),
        ("clusters: [unterminated", None, "not valid YAML"),
        ("- a list", None, "expected a mapping"),
        ({"clusters": {"c": "not a list"}}, None, "clusters must be a list"),
        ({"users": [{"user": {}}]}, None, r"users\[0\]: each entry needs a name"),
        (
            {"contexts": [{"name": "a", "context": {}}, {"name": "a", "context": {}}]},
            None,
            r"contexts\[1\]: the name 'a' appears twice in contexts",
        ),
    ],
)
def test_what_is_missing_or_malformed_is_named_with_the_file(
    tmp_path: Path, content: dict[str, Any] | str, context: str | None, message: str
) -> None:
    path = write(tmp_path / "config", content)
    with pytest.raises(ConfigError, match=message) as caught:
        ClusterConfig.from_kubeconfig(str(path), context=context)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ({"token": "t", "username": "u", "password": "p"}, "more than one authentication method"),
        ({"client-certificate": "c.crt"}, "needs client-key or client-key-data"),
        (
            {"client-certificate": "c.crt", "client-certificate-data": "YQ==", "client-key": "k"},
            "client-certificate and client-certificate-data are both set",
        ),
        ({"client-certificate-data": "not base64!", "client-key-data": "YQ=="}, "not valid base64"),
        ({"exec": {"apiVersion": "client.authentication.k8s.io/v1"}}, "exec needs a command"),
        ({"exec": {"command": "x", "apiVersion": "client.authentication.k8s.io/v1alpha1"}}, "apiVersion"),
        (
            {"exec": {"command": "x", "apiVersion": "client.authentication.k8s.io/v1"}},
            "interactiveMode must be one of",
        ),
        (
            {
                "exec": {
                    "command": "x",
                    "apiVersion": "client.authentication.k8s.io/v1",
                    "interactiveMode": "Always",
                }
            },
            "without a terminal",
        ),
        (
            {"exec": {"command": "x"}, "auth-provider": {"name": "oidc"}},
            "exec and auth-provider cannot both be set",
        ),
    ],
)
def test_inconsistent_users_are_refused_as_kubectl_refuses_them(
    tmp_path: Path, user: dict[str, Any], message: str
) -> None:
    path = write(
        tmp_path / "config",
        doc(
            clusters={"c": {"server": "https://127.0.0.1:9"}},
            users={"u": user},
            contexts={"a": {"cluster": "c", "user": "u"}},
            current="a",
        ),
    )
    with pytest.raises(ConfigError, match=message) as caught:
        ClusterConfig.from_kubeconfig(str(path))
    assert f'user "u" in {path}' in str(caught.value)


def test_both_a_ca_file_and_ca_data_is_refused(tmp_path: Path) -> None:
    cluster = {"server": "https://x", "certificate-authority": "ca.crt", "certificate-authority-data": "YQ=="}
    path = write(
        tmp_path / "config", doc(clusters={"c": cluster}, contexts={"a": {"cluster": "c"}}, current="a")
    )
    with pytest.raises(
        ConfigError, match="certificate-authority and certificate-authority-data are both set"
    ):
        ClusterConfig.from_kubeconfig(str(path))


async def test_basic_auth_and_static_token_headers(tmp_path: Path) -> None:
    users = {"basic": {"username": "admin", "password": "s3cret:x"}, "tok": {"token": "abc"}}
    contexts = {
        "basic": {"cluster": "c", "user": "basic"},
        "tok": {"cluster": "c", "user": "tok"},
        "anon": {"cluster": "c"},
    }
    path = write(
        tmp_path / "config",
        doc(clusters={"c": {"server": "http://127.0.0.1:9/"}}, users=users, contexts=contexts),
    )
    basic = ClusterConfig.from_kubeconfig(str(path), context="basic")
    assert basic.server == "http://127.0.0.1:9"
    assert basic.token is not None
    assert await basic.token.authorization() == "Basic " + base64.b64encode(b"admin:s3cret:x").decode()
    tok = ClusterConfig.from_kubeconfig(str(path), context="tok")
    assert tok.token is not None and await tok.token.authorization() == "Bearer abc"
    assert ClusterConfig.from_kubeconfig(str(path), context="anon").token is None


def test_cluster_tls_server_name_and_proxy_url_are_carried(tmp_path: Path) -> None:
    cluster = {
        "server": "https://10.0.0.1:6443",
        "tls-server-name": "api.internal",
        "proxy-url": "http://proxy:3128",
        "insecure-skip-tls-verify": True,
    }
    path = write(
        tmp_path / "config", doc(clusters={"c": cluster}, contexts={"a": {"cluster": "c"}}, current="a")
    )
    config = ClusterConfig.from_kubeconfig(str(path))
    assert (config.tls_server_name, config.proxy) == ("api.internal", "http://proxy:3128")
    assert config.ssl_context is not None and config.ssl_context.check_hostname is False
    assert config.with_options(proxy=None).proxy is None


def test_an_empty_file_in_the_list_is_an_empty_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = write(tmp_path / "empty", "")
    real = write(
        tmp_path / "real",
        doc(clusters={"c": {"server": "http://h"}}, contexts={"a": {"cluster": "c"}}, current="a"),
    )
    monkeypatch.setenv("KUBECONFIG", f"{empty}{os.pathsep}{real}")
    assert ClusterConfig.from_kubeconfig().server == "http://h"
