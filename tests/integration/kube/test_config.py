"""Cluster configuration: kubeconfig contexts, exec credential plugins, explicit settings, bad input."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from kro.api import GVR
from kro.devcluster import DevServer
from kro.kube import ClusterConfig, ConfigError, KubeClient

NAMESPACES = GVR("", "v1", "namespaces")


def kubeconfig(server: str, user: dict[str, Any], *, ca: str | None = None) -> dict[str, Any]:
    cluster: dict[str, Any] = {"server": server}
    if ca:
        cluster["certificate-authority"] = ca
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": "c", "cluster": cluster},
            {"name": "nowhere", "cluster": {"server": "http://127.0.0.1:9"}},
        ],
        "users": [{"name": "u", "user": user}],
        "contexts": [
            {"name": "good", "context": {"cluster": "c", "user": "u"}},
            {"name": "bad", "context": {"cluster": "nowhere", "user": "u"}},
        ],
        "current-context": "bad",
    }


def exec_plugin(tmp_path: Path, token: str, *, first_token: str | None = None) -> dict[str, Any]:
    """A credential plugin that prints an ExecCredential (``first_token`` on its first run, if
    given, as a token that has since been revoked) and counts its runs in a file."""
    script = tmp_path / "plugin.py"
    counter = tmp_path / "runs"
    script.write_text(
        "import json, pathlib\n"
        f"p = pathlib.Path({str(counter)!r})\n"
        "runs = int(p.read_text()) + 1 if p.exists() else 1\n"
        "p.write_text(str(runs))\n"
        f"token = {first_token!r} if runs == 1 and {first_token!r} else {token!r}\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1', 'kind': 'ExecCredential',"
        " 'status': {'token': token}}))\n"
    )
    return {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": sys.executable,
            "args": [str(script)],
            "interactiveMode": "Never",
        }
    }


async def test_a_named_context_and_an_exec_plugin_token(devserver_tls: DevServer, tmp_path: Path) -> None:
    path = tmp_path / "config"
    doc = kubeconfig(
        devserver_tls.url, exec_plugin(tmp_path, devserver_tls.token), ca=str(devserver_tls.ca_file)
    )
    path.write_text(yaml.safe_dump(doc))
    config = ClusterConfig.from_kubeconfig(str(path), context="good", qps=5, burst=7)
    assert (config.server, config.qps, config.burst) == (devserver_tls.url, 5, 7)
    async with KubeClient(config) as c:
        ns = await c.get(NAMESPACES, "default")
    assert ns["metadata"]["name"] == "default"
    assert (tmp_path / "runs").read_text() == "1"


async def test_a_401_reruns_the_exec_plugin_once_and_retries(devserver: DevServer, tmp_path: Path) -> None:
    path = tmp_path / "config"
    doc = kubeconfig(devserver.url, exec_plugin(tmp_path, devserver.token, first_token="revoked"))
    path.write_text(yaml.safe_dump(doc))
    async with KubeClient(ClusterConfig.from_kubeconfig(str(path), context="good")) as c:
        ns = await c.get(NAMESPACES, "default")
    assert ns["metadata"]["name"] == "default"
    assert (tmp_path / "runs").read_text() == "2"
    assert c.stats.errors_by_status[401] == 1


def test_kubeconfig_env_variable_is_honoured(devserver: DevServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(devserver.kubeconfig_path))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    assert ClusterConfig.load().server == devserver.url


def test_missing_or_malformed_kubeconfig_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        ClusterConfig.from_kubeconfig(str(tmp_path / "absent"))
    broken = tmp_path / "broken"
    broken.write_text(
        json.dumps({"apiVersion": "v1", "kind": "Config", "contexts": [], "clusters": [], "users": []})
    )
    with pytest.raises(ConfigError):
        ClusterConfig.from_kubeconfig(str(broken))
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(kubeconfig("http://127.0.0.1:9", {"token": "x"})))
    with pytest.raises(ConfigError):
        ClusterConfig.from_kubeconfig(str(path), context="no-such-context")


def test_in_cluster_without_a_service_account_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(ConfigError):
        ClusterConfig.in_cluster()


def test_a_missing_ca_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        ClusterConfig.explicit("https://127.0.0.1:6443", ca_file=str(tmp_path / "nope.pem"))


async def test_insecure_skips_verification(devserver_tls: DevServer) -> None:
    async with KubeClient(
        ClusterConfig.explicit(devserver_tls.url, token=devserver_tls.token, insecure=True)
    ) as c:
        assert (await c.get(NAMESPACES, "default"))["metadata"]["name"] == "default"
