"""Where the cluster is and how to authenticate: :class:`ClusterConfig`.

Kubeconfig files are read by :mod:`kro.kube.kubeconfig` (merged ``KUBECONFIG`` paths, contexts,
relative paths, embedded or file certificates, as kubectl reads them); credentials come from
:mod:`kro.kube.tokens` (``token``, ``tokenFile`` re-read as it rotates, basic auth) and
:mod:`kro.kube.execauth` (exec credential plugins); TLS from :mod:`kro.kube.tlsconfig`. The in-cluster
service account (``KUBERNETES_SERVICE_HOST``/``PORT``, the mounted token re-read every minute, the
mounted CA) is read here. Only a user with a legacy ``auth-provider`` (e.g. ``oidc``) is handed to the
official ``kubernetes`` package (:mod:`kro.kube.authprovider`), imported for that case alone. The HTTP
itself is done by :class:`kro.kube.client.KubeClient`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kro.kube.errors import ConfigError
from kro.kube.execauth import ExecTokenSource, install_certificate, parse_exec, run_plugin
from kro.kube.kubeconfig import ClusterSettings, UserSettings, kubeconfig_files, load_kubeconfig, select
from kro.kube.tlsconfig import client_ssl_context, load_client_certificate
from kro.kube.tokens import BasicAuth, FileToken, StaticToken, TokenSource

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_BURST",
    "DEFAULT_QPS",
    "DEFAULT_USER_AGENT",
    "ClusterConfig",
    "Impersonation",
    "StaticToken",
    "TokenSource",
]

DEFAULT_USER_AGENT = "kro-python/0.1.0"
DEFAULT_QPS = 0.0
"""No client-side limit: the API server's priority and fairness answers 429 with ``Retry-After`` when
it is saturated, and the client honours it (as controller-runtime's clients do since 0.21)."""
DEFAULT_BURST = 150
"""Only used with a positive ``qps``."""
_IN_CLUSTER_HOST_ENV = "KUBERNETES_SERVICE_HOST"
_IN_CLUSTER_PORT_ENV = "KUBERNETES_SERVICE_PORT"
SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
SERVICE_TOKEN_FILE = f"{SERVICE_ACCOUNT_DIR}/token"
SERVICE_CA_FILE = f"{SERVICE_ACCOUNT_DIR}/ca.crt"


_LEGAL_IN_HEADER_NAME = frozenset(b"!#$&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True)
class Impersonation:
    """Acting as another user (kubeconfig ``as``, ``as-uid``, ``as-groups``, ``as-user-extra``): the
    ``Impersonate-*`` headers client-go sends on every request."""

    user: str
    uid: str | None = None
    groups: tuple[str, ...] = ()
    extra: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    def headers(self) -> list[tuple[str, str]]:
        out = [("Impersonate-User", self.user)]
        if self.uid:
            out.append(("Impersonate-Uid", self.uid))
        out += [("Impersonate-Group", group) for group in self.groups]
        out += [("Impersonate-Extra-" + _header_key(key), value) for key, values in sorted(self.extra.items())
                for value in values]
        return out


def _header_key(key: str) -> str:
    """An extra's key in a header name, %-encoded where a header name may not hold it (and ``%``)."""
    return "".join(chr(b) if b in _LEGAL_IN_HEADER_NAME else f"%{b:02X}" for b in key.encode())


@dataclass(frozen=True, eq=False)
class ClusterConfig:
    """An API server's URL, TLS settings and credentials, plus client-side rate limits."""

    server: str
    ssl_context: ssl.SSLContext | None = None
    token: TokenSource | None = None
    tls_server_name: str | None = None
    proxy: str | None = None
    user_agent: str = DEFAULT_USER_AGENT
    qps: float = DEFAULT_QPS
    burst: int = DEFAULT_BURST
    timeout: float = 60.0
    impersonation: Impersonation | None = None
    disable_compression: bool = False

    def with_options(self, **changes: Any) -> ClusterConfig:
        """A copy with some fields changed (``qps``, ``burst``, ``user_agent``, ``timeout``, …)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def explicit(
        cls,
        server: str,
        *,
        token: str | None = None,
        ca_file: str | None = None,
        client_cert: str | None = None,
        client_key: str | None = None,
        insecure: bool = False,
        **options: Any,
    ) -> ClusterConfig:
        """A server given directly: URL, optional bearer token, CA bundle and client certificate."""
        context = client_ssl_context(server, ca_file=ca_file, verify=not insecure)
        if context is not None and client_cert:
            load_client_certificate(
                context, cert_file=client_cert, key_file=client_key or client_cert, where=server
            )
        return cls(server.rstrip("/"), context, StaticToken(token) if token else None, **options)

    @classmethod
    def from_kubeconfig(
        cls, path: str | None = None, *, context: str | None = None, **options: Any
    ) -> ClusterConfig:
        """From a kubeconfig file (default: the files of ``$KUBECONFIG``, merged, or
        ``~/.kube/config``) and a context (default: the current context)."""
        kubeconfig = load_kubeconfig(path)
        if not kubeconfig.files:
            tried = ", ".join(kubeconfig_files(path))
            raise ConfigError(f"no kubeconfig found ({tried}); set KUBECONFIG or pass --kubeconfig")
        selection = select(kubeconfig, context)
        if selection.user.auth_provider is not None:
            return cls._from_auth_provider(kubeconfig.files, selection.context, options)
        cluster = selection.cluster
        ssl_context = client_ssl_context(
            cluster.server, ca_file=cluster.ca_file, ca_data=cluster.ca_data, verify=not cluster.insecure
        )
        token = _credentials(selection.user, cluster, ssl_context)
        user = selection.user
        extra: dict[str, Any] = {
            "tls_server_name": cluster.tls_server_name, "proxy": cluster.proxy_url,
            "disable_compression": cluster.disable_compression,
            "impersonation": Impersonation(user.impersonate, user.impersonate_uid, user.impersonate_groups,
                                           dict(user.impersonate_extra or {})) if user.impersonate else None,
        }
        extra.update(options)
        return cls(cluster.server, ssl_context, token, **extra)

    @classmethod
    def in_cluster(
        cls,
        *,
        token_file: str = SERVICE_TOKEN_FILE,
        ca_file: str = SERVICE_CA_FILE,
        **options: Any,
    ) -> ClusterConfig:
        """From the pod's service account: ``KUBERNETES_SERVICE_HOST``/``KUBERNETES_SERVICE_PORT``,
        the mounted token (re-read every minute, as projected tokens rotate) and CA."""
        host, port = os.environ.get(_IN_CLUSTER_HOST_ENV), os.environ.get(_IN_CLUSTER_PORT_ENV)
        if not host or not port:
            raise ConfigError(
                f"in-cluster configuration: {_IN_CLUSTER_HOST_ENV} and {_IN_CLUSTER_PORT_ENV} must be set "
                "(not running in a pod?)"
            )
        server = f"https://[{host}]:{port}" if ":" in host else f"https://{host}:{port}"
        token = FileToken(token_file, where="in-cluster service account token")
        try:
            context = client_ssl_context(server, ca_file=ca_file)
        except ConfigError as e:
            # as client-go's in-cluster config: a CA that cannot be loaded is logged, and the system's
            # roots are trusted instead (the API server's certificate is still verified)
            log.error("in-cluster configuration: the service account CA is not usable, trusting the system's roots: %s", e)
            context = client_ssl_context(server)
        return cls(server, context, token, **options)

    @classmethod
    def load(
        cls, kubeconfig: str | None = None, *, context: str | None = None, **options: Any
    ) -> ClusterConfig:
        """The usual search order: an explicit kubeconfig, then ``$KUBECONFIG``, then the in-cluster
        service account, then ``~/.kube/config``."""
        if kubeconfig or os.environ.get("KUBECONFIG") or not os.environ.get(_IN_CLUSTER_HOST_ENV):
            return cls.from_kubeconfig(kubeconfig, context=context, **options)
        return cls.in_cluster(**options)

    @classmethod
    def _from_auth_provider(
        cls, files: tuple[str, ...], context: str, options: dict[str, Any]
    ) -> ClusterConfig:
        from kro.kube.authprovider import load_with_kubernetes_package

        legacy = load_with_kubernetes_package(files, context=context)
        if not legacy.server:
            raise ConfigError(f"kubeconfig {', '.join(files)}: context {context} names no server")
        ssl_context = client_ssl_context(legacy.server, ca_file=legacy.ca_file, verify=legacy.verify)
        if ssl_context is not None and legacy.cert_file:
            load_client_certificate(
                ssl_context, cert_file=legacy.cert_file, key_file=legacy.key_file, where=f"context {context}"
            )
        extra: dict[str, Any] = {"tls_server_name": legacy.tls_server_name, "proxy": legacy.proxy}
        extra.update(options)
        return cls(legacy.server, ssl_context, legacy.token, **extra)


def _credentials(
    user: UserSettings, cluster: ClusterSettings, ssl_context: ssl.SSLContext | None
) -> TokenSource | None:
    """The user's ``Authorization`` source; a client certificate goes into ``ssl_context``. As in
    client-go, an exec plugin is used only when no token, basic auth or certificate is set."""
    if user.has_client_certificate and ssl_context is not None:
        load_client_certificate(
            ssl_context,
            cert_file=user.cert_file,
            cert_pem=user.cert_data,
            key_file=user.key_file,
            key_pem=user.key_data,
            where=user.describe(),
        )
    if user.token_file:
        return FileToken(user.token_file, initial=user.token, where=user.describe())
    if user.token:
        return StaticToken(user.token)
    if user.username or user.password:
        return BasicAuth(user.username or "", user.password or "")
    if user.exec is not None and not user.has_client_certificate:
        plugin = parse_exec(user.exec, cluster, where=user.describe())
        credential = run_plugin(plugin)
        install_certificate(plugin, credential, ssl_context)
        return ExecTokenSource(plugin, credential, ssl_context=ssl_context)
    return None
