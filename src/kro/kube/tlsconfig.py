"""Client TLS for an API server: the :class:`ssl.SSLContext` that verifies it and presents a client
certificate.

CA bundles given as data go in directly (``cadata``). A client certificate and key given as data
(``client-certificate-data``, an exec plugin's ``clientCertificateData``) can only be loaded from a
file, so they pass through a private temporary file (mode 0600) that is removed as soon as OpenSSL
has read it.
"""

from __future__ import annotations

import contextlib
import os
import ssl
import tempfile
from collections.abc import Iterator

from kro.kube.errors import ConfigError


def client_ssl_context(
    server: str,
    *,
    ca_file: str | None = None,
    ca_data: bytes | None = None,
    verify: bool = True,
) -> ssl.SSLContext | None:
    """The context for ``server`` (``None`` for plain ``http://``): trusting ``ca_file`` or
    ``ca_data`` (PEM or DER), else the system's roots; verifying nothing when ``verify`` is false."""
    if not server.startswith("https://"):
        return None
    try:
        if not verify:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        elif ca_data is not None:
            context = ssl.create_default_context(cadata=_cadata(ca_data))
        else:
            context = ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError, ValueError) as e:
        what = f"certificate authority {ca_file}" if ca_file else "certificate authority data"
        raise ConfigError(f"TLS settings for {server}: {what}: {e}") from e
    return context


def load_client_certificate(
    context: ssl.SSLContext,
    *,
    cert_file: str | None = None,
    cert_pem: bytes | None = None,
    key_file: str | None = None,
    key_pem: bytes | None = None,
    where: str,
) -> None:
    """Present this certificate and key from now on (new connections). Each comes from a file or as
    PEM data; ``where`` names their origin in errors."""
    try:
        if cert_pem is None and key_pem is None:
            context.load_cert_chain(_required(cert_file, "certificate"), _required(key_file, "key"))
            return
        cert = cert_pem if cert_pem is not None else _read(_required(cert_file, "certificate"))
        key = key_pem if key_pem is not None else _read(_required(key_file, "key"))
        with _private_file(cert.rstrip(b"\n") + b"\n" + key) as combined:
            context.load_cert_chain(combined)
    except (OSError, ssl.SSLError, ValueError) as e:
        raise ConfigError(f"client certificate of {where}: {e}") from e


def _cadata(data: bytes) -> str | bytes:
    if b"-----BEGIN" in data:
        return data.decode("ascii", errors="replace")
    return data


def _required(path: str | None, what: str) -> str:
    if not path:
        raise ValueError(f"no client {what} given")
    return path


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


@contextlib.contextmanager
def _private_file(content: bytes) -> Iterator[str]:
    fd, path = tempfile.mkstemp(prefix="kro-client-", suffix=".pem")  # created 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
