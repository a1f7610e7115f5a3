"""Legacy ``auth-provider`` users (``oidc`` and the like), through the official ``kubernetes`` package.

kro reads kubeconfigs itself (:mod:`kro.kube.kubeconfig`), except for a user with an
``auth-provider``: those deprecated in-tree providers (client-go itself still keeps only ``oidc``) are
left to the ``kubernetes`` package's loader, imported here and only here, on first use, so that every
other configuration starts without it (it costs about 20 MiB of memory and half a second). The loader
fills a ``kubernetes.client.Configuration``; kro takes from it the server URL, TLS material and the
``Authorization`` header, refreshed through the loader's hook in a worker thread at most every
``cache_seconds``, and at once after a 401.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import time
from dataclasses import dataclass
from typing import Any

from kro.kube.errors import ConfigError


@dataclass(frozen=True)
class LegacySettings:
    server: str
    ca_file: str | None
    cert_file: str | None
    key_file: str | None
    verify: bool
    tls_server_name: str | None
    proxy: str | None
    token: LoaderTokenSource | None


class LoaderTokenSource:
    """Credentials from a ``kubernetes`` config loader, refreshed through its hook."""

    def __init__(self, loader: Any, configuration: Any, *, cache_seconds: float = 10.0) -> None:
        self._loader = loader
        self._configuration = configuration
        self._cache_seconds = cache_seconds
        self._header: str | None = configuration.api_key.get("BearerToken")
        self._fetched = time.monotonic()
        self._lock = asyncio.Lock()

    async def authorization(self, *, refresh: bool = False) -> str | None:
        if not refresh and time.monotonic() - self._fetched < self._cache_seconds:
            return self._header
        async with self._lock:
            if refresh:
                await asyncio.to_thread(self._loader.load_and_set, self._configuration)
            self._header = await asyncio.to_thread(self._configuration.get_api_key_with_prefix, "BearerToken")
            self._fetched = time.monotonic()
            return self._header


def load_with_kubernetes_package(files: tuple[str, ...], *, context: str) -> LegacySettings:
    """``context`` of the merged ``files``, as the ``kubernetes`` package loads it."""
    kube_config = importlib.import_module("kubernetes.config.kube_config")
    configuration_module = importlib.import_module("kubernetes.client.configuration")
    config_exception: type[Exception] = importlib.import_module(
        "kubernetes.config.config_exception"
    ).ConfigException
    where = os.pathsep.join(files)
    try:
        merger = kube_config.KubeConfigMerger(where)
        loader = kube_config.KubeConfigLoader(
            config_dict=merger.config, active_context=context, config_base_path=None
        )
        configuration = configuration_module.Configuration()
        loader.load_and_set(configuration)
    except (config_exception, OSError, ValueError, KeyError) as e:
        raise ConfigError(f"kubeconfig {where}, context {context} (auth-provider): {e}") from e
    has_token = bool(configuration.api_key.get("BearerToken")) or configuration.refresh_api_key_hook
    return LegacySettings(
        server=str(configuration.host or "").rstrip("/"),
        ca_file=configuration.ssl_ca_cert,
        cert_file=configuration.cert_file,
        key_file=configuration.key_file,
        verify=bool(configuration.verify_ssl),
        tls_server_name=getattr(configuration, "tls_server_name", None) or None,
        proxy=configuration.proxy or None,
        token=LoaderTokenSource(loader, configuration) if has_token else None,
    )
