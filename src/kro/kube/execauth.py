"""Exec credential plugins (a kubeconfig user's ``exec``), run as client-go runs them.

The plugin (``command`` with ``args``, the process environment plus the ``env`` entries) is started
with ``KUBERNETES_EXEC_INFO`` set to an ``ExecCredential`` of the configured ``apiVersion``
(``client.authentication.k8s.io/v1`` or ``v1beta1``) whose ``spec.interactive`` is false and, with
``provideClusterInfo``, whose ``spec.cluster`` describes the cluster (server, CA data, TLS server
name, proxy URL, and the cluster's ``client.authentication.k8s.io/exec`` extension as ``config``).
It prints an ``ExecCredential`` of the same version whose ``status`` carries a bearer ``token``
and/or a client certificate and key, and optionally an ``expirationTimestamp``.

kro has no terminal to lend a plugin: ``interactiveMode: Always`` is refused, ``IfAvailable`` runs
without one. Credentials are kept until they expire; a 401 runs the plugin again (once for all the
requests that were waiting). Runs after the first happen in a worker thread, off the event loop, with
a timeout; a failure is a :class:`ConfigError` naming the command and carrying its stderr.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import logging
import os
import ssl
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kro.kube.errors import ConfigError
from kro.kube.kubeconfig import ClusterSettings, optional_string
from kro.kube.tlsconfig import load_client_certificate

log = logging.getLogger(__name__)

API_GROUP = "client.authentication.k8s.io"
API_VERSIONS = (f"{API_GROUP}/v1", f"{API_GROUP}/v1beta1")
EXEC_INFO_ENV = "KUBERNETES_EXEC_INFO"
DEFAULT_TIMEOUT = 60.0
"""Seconds a plugin may run before it is killed and the attempt fails."""
_INTERACTIVE_MODES = ("Never", "IfAvailable", "Always")
_STDERR_TAIL = 2000


@dataclass(frozen=True)
class ExecPlugin:
    """A validated ``exec`` section."""

    command: str
    args: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    api_version: str
    install_hint: str | None
    cluster: Mapping[str, Any] | None
    """``spec.cluster`` for ``KUBERNETES_EXEC_INFO``; ``None`` without ``provideClusterInfo``."""
    where: str

    def describe(self) -> str:
        return f'exec plugin "{self.command}" of {self.where}'

    def exec_info(self) -> str:
        spec: dict[str, Any] = {"interactive": False}
        if self.cluster is not None:
            spec["cluster"] = dict(self.cluster)
        return json.dumps({"apiVersion": self.api_version, "kind": "ExecCredential", "spec": spec})


@dataclass(frozen=True)
class ExecCredential:
    """What a plugin returned: a token and/or a PEM certificate and key, and when they expire."""

    token: str | None
    cert_pem: bytes | None = None
    key_pem: bytes | None = None
    expires: float | None = None
    """Seconds since the epoch; ``None``: until a 401."""

    def expired(self, now: float) -> bool:
        return self.expires is not None and now > self.expires

    @property
    def header(self) -> str | None:
        return f"Bearer {self.token}" if self.token else None


def parse_exec(body: Mapping[str, Any], cluster: ClusterSettings, *, where: str) -> ExecPlugin:
    """The ``exec`` mapping of a user, checked as kubectl checks it."""
    command = body.get("command")
    if not isinstance(command, str) or not command:
        raise ConfigError(f"{where}: exec needs a command")
    api_version = body.get("apiVersion")
    if api_version not in API_VERSIONS:
        raise ConfigError(f"{where}: exec apiVersion {api_version!r} is not one of {', '.join(API_VERSIONS)}")
    mode = body.get("interactiveMode") or ("IfAvailable" if api_version.endswith("v1beta1") else None)
    if mode not in _INTERACTIVE_MODES:
        raise ConfigError(
            f"{where}: exec interactiveMode must be one of {', '.join(_INTERACTIVE_MODES)}, got {mode!r}"
        )
    if mode == "Always":
        raise ConfigError(
            f"{where}: exec plugin {command} wants interactiveMode Always, but kro runs credential "
            "plugins without a terminal; use a plugin mode that needs no input (Never or IfAvailable)"
        )
    args = body.get("args") or []
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise ConfigError(f"{where}: exec args must be a list of strings")
    hint = body.get("installHint")
    return ExecPlugin(
        command=command,
        args=tuple(args),
        env=_env(body.get("env"), where),
        api_version=api_version,
        install_hint=hint if isinstance(hint, str) and hint else None,
        cluster=_cluster_info(cluster) if body.get("provideClusterInfo") is True else None,
        where=where,
    )


def _env(items: Any, where: str) -> tuple[tuple[str, str], ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise ConfigError(f"{where}: exec env must be a list of name/value pairs")
    pairs = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise ConfigError(f"{where}: each exec env entry needs a name")
        value = item.get("value", "")
        pairs.append((item["name"], value if isinstance(value, str) else str(value)))
    return tuple(pairs)


def _cluster_info(cluster: ClusterSettings) -> dict[str, Any]:
    info: dict[str, Any] = {"server": cluster.server}
    if cluster.tls_server_name:
        info["tls-server-name"] = cluster.tls_server_name
    if cluster.insecure:
        info["insecure-skip-tls-verify"] = True
    ca = cluster.ca_data
    if ca is None and cluster.ca_file:
        try:
            with open(cluster.ca_file, "rb") as f:
                ca = f.read()
        except OSError as e:
            raise ConfigError(
                f'cluster "{cluster.name}" in {cluster.origin}: certificate-authority: {e}'
            ) from e
    if ca:
        info["certificate-authority-data"] = base64.b64encode(ca).decode("ascii")
    if cluster.proxy_url:
        info["proxy-url"] = cluster.proxy_url
    if cluster.exec_extension is not None:
        info["config"] = cluster.exec_extension
    return info


def run_plugin(plugin: ExecPlugin, *, timeout: float = DEFAULT_TIMEOUT) -> ExecCredential:
    """Run the plugin once and return its credential (blocking; see :class:`ExecTokenSource`)."""
    env = dict(os.environ)
    env.update(plugin.env)
    env[EXEC_INFO_ENV] = plugin.exec_info()
    try:
        done = subprocess.run(
            [plugin.command, *plugin.args],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as e:
        hint = f"\n\n{plugin.install_hint}" if plugin.install_hint else ""
        raise ConfigError(f"{plugin.describe()}: executable {plugin.command} not found{hint}") from e
    except subprocess.TimeoutExpired as e:
        raise ConfigError(f"{plugin.describe()}: did not finish within {timeout:g} s") from e
    except OSError as e:
        raise ConfigError(f"{plugin.describe()}: cannot run it: {e}") from e
    stderr = done.stderr.decode("utf-8", errors="replace").strip()
    if done.returncode != 0:
        detail = f": {stderr[-_STDERR_TAIL:]}" if stderr else ""
        raise ConfigError(f"{plugin.describe()}: exited with code {done.returncode}{detail}")
    if stderr:
        log.info("%s wrote to stderr: %s", plugin.describe(), stderr[-_STDERR_TAIL:])
    return parse_credential(plugin, done.stdout)


def parse_credential(plugin: ExecPlugin, stdout: bytes) -> ExecCredential:
    """The ``ExecCredential`` a plugin printed, checked as client-go checks it."""
    try:
        doc = json.loads(stdout)
    except ValueError as e:
        raise ConfigError(f"{plugin.describe()}: its output is not an ExecCredential JSON object: {e}") from e
    if not isinstance(doc, dict) or doc.get("kind") != "ExecCredential":
        raise ConfigError(f"{plugin.describe()}: its output is not an ExecCredential")
    if doc.get("apiVersion") != plugin.api_version:
        raise ConfigError(
            f"{plugin.describe()}: configured for {plugin.api_version}, but it returned {doc.get('apiVersion')}"
        )
    status = doc.get("status")
    if not isinstance(status, dict):
        raise ConfigError(f"{plugin.describe()}: it returned no status")
    token, cert, key = (
        optional_string(status, k, plugin.describe(), label=f"status.{k}")
        for k in ("token", "clientCertificateData", "clientKeyData")
    )
    if not (token or cert or key):
        raise ConfigError(f"{plugin.describe()}: it returned neither a token nor a certificate and key")
    if bool(cert) != bool(key):
        raise ConfigError(f"{plugin.describe()}: it returned a certificate or a key, not both")
    return ExecCredential(
        token=token,
        cert_pem=cert.encode() if cert else None,
        key_pem=key.encode() if key else None,
        expires=_expiry(plugin, status.get("expirationTimestamp")),
    )


def _expiry(plugin: ExecPlugin, value: Any) -> float | None:
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError as e:
        raise ConfigError(f"{plugin.describe()}: status.expirationTimestamp {value!r} is not RFC 3339") from e
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


class ExecTokenSource:
    """Credentials from an exec plugin, kept until they expire or the server answers 401.

    ``credential`` is the result of the first run (done when the configuration was loaded). A client
    certificate returned by a later run is loaded into ``ssl_context``; when it differs from the one
    before, :attr:`certificate_generation` moves and the transport closes its connections, so every
    request after presents it (a :class:`~kro.kube.tokens.CertificateSource`)."""

    def __init__(
        self,
        plugin: ExecPlugin,
        credential: ExecCredential,
        *,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._plugin = plugin
        self._credential = credential
        self._ssl_context = ssl_context
        self._timeout = timeout
        self._runs = 0
        self._lock = asyncio.Lock()
        self._generation = 0

    @property
    def certificate_generation(self) -> int:
        return self._generation

    async def authorization(self, *, refresh: bool = False) -> str | None:
        if not refresh and not self._credential.expired(time.time()):
            return self._credential.header
        seen = self._runs
        async with self._lock:
            if self._runs == seen and (refresh or self._credential.expired(time.time())):
                credential = await asyncio.to_thread(self._run)
                self._credential = credential
                self._runs += 1
            return self._credential.header

    def _run(self) -> ExecCredential:
        credential = run_plugin(self._plugin, timeout=self._timeout)
        install_certificate(self._plugin, credential, self._ssl_context)
        if credential.cert_pem is not None and credential.cert_pem != self._credential.cert_pem:
            self._generation += 1
        return credential


def install_certificate(
    plugin: ExecPlugin, credential: ExecCredential, context: ssl.SSLContext | None
) -> None:
    """Present the credential's client certificate, if it has one, on connections made with ``context``."""
    if context is not None and credential.cert_pem is not None and credential.key_pem is not None:
        load_client_certificate(
            context, cert_pem=credential.cert_pem, key_pem=credential.key_pem, where=plugin.describe()
        )
