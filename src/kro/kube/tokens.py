"""Where the ``Authorization`` header comes from: :class:`TokenSource` and its simple kinds.

- :class:`StaticToken`: a fixed bearer token (``token`` in a kubeconfig, ``--token``).
- :class:`BasicAuth`: ``username``/``password``.
- :class:`FileToken`: a bearer token read from a file and re-read at most every ``cache_seconds``
  (default one minute, as client-go does), so that rotated tokens are seen: ``tokenFile`` in a
  kubeconfig and the projected service-account token in a pod. A 401 re-reads it at once.

Exec credential plugins are in :mod:`kro.kube.execauth`.
"""

from __future__ import annotations

import base64
import logging
import time
from typing import Protocol, runtime_checkable

from kro.kube.errors import ConfigError

log = logging.getLogger(__name__)

FILE_TOKEN_PERIOD = 60.0
"""Seconds a token read from a file is used before the file is read again."""


class TokenSource(Protocol):
    async def authorization(self, *, refresh: bool = False) -> str | None:
        """The ``Authorization`` header value (``"Bearer …"``), or ``None`` for none.

        ``refresh=True`` after a 401: obtain new credentials rather than the cached ones."""
        ...


@runtime_checkable
class CertificateSource(Protocol):
    """A credential source that also hands out client certificates (an exec plugin's): when
    ``certificate_generation`` moves, connections made with the old certificate are closed, as
    client-go's rotating certificates close them, so every request after presents the new one."""

    @property
    def certificate_generation(self) -> int: ...


class StaticToken:
    """A fixed bearer token."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    async def authorization(self, *, refresh: bool = False) -> str | None:
        return self._header


class BasicAuth:
    """HTTP basic authentication (``username``/``password`` in a kubeconfig)."""

    def __init__(self, username: str, password: str) -> None:
        pair = f"{username}:{password}".encode()
        self._header = "Basic " + base64.b64encode(pair).decode("ascii")

    async def authorization(self, *, refresh: bool = False) -> str | None:
        return self._header


class FileToken:
    """A bearer token kept in a file that may be rewritten (rotated) at any time.

    Read at construction (a missing or empty file is a :class:`ConfigError` unless ``initial`` is
    given), then again when ``cache_seconds`` have passed or after a 401. If a later read fails, the
    last token read is kept and the failure logged, as client-go does."""

    def __init__(
        self,
        path: str,
        *,
        initial: str | None = None,
        cache_seconds: float = FILE_TOKEN_PERIOD,
        where: str | None = None,
    ) -> None:
        self._path = path
        self._where = where or f"token file {path}"
        self._cache_seconds = cache_seconds
        self._header: str | None = f"Bearer {initial}" if initial else None
        self._fetched = time.monotonic()
        try:
            self._header = f"Bearer {self._read()}"
        except ConfigError:
            if self._header is None:
                raise

    async def authorization(self, *, refresh: bool = False) -> str | None:
        # A small local file: read inline, so there is no await and no interleaving to guard against.
        if refresh or time.monotonic() - self._fetched >= self._cache_seconds:
            try:
                self._header = f"Bearer {self._read()}"
            except ConfigError as e:
                if self._header is None:
                    raise
                log.warning("keeping the last token: %s", e)
            self._fetched = time.monotonic()
        return self._header

    def _read(self) -> str:
        try:
            with open(self._path, encoding="utf-8") as f:
                token = f.read().strip()
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"{self._where}: cannot read {self._path}: {e}") from e
        if not token:
            raise ConfigError(f"{self._where}: {self._path} is empty")
        return token
