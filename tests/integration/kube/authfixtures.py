"""Test material for credentials: certificates, a recording HTTPS server, an exec plugin, kubeconfigs.

- :func:`make_pki`: a CA with a serving certificate for 127.0.0.1 and a client certificate (PEM).
- :class:`EchoServer`: an HTTPS (or HTTP) server that answers every GET with a Namespace-shaped object
  naming the ``Authorization`` header and the client certificate's common name it saw, and 401 to
  headers outside ``accepted`` (when set).
- :func:`write_plugin`: an exec credential plugin (a Python script) that plays a list of answers,
  one per run (the last repeats), and records each run's ``KUBERNETES_EXEC_INFO`` and environment.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class Pki:
    ca_pem: bytes
    server_cert_pem: bytes
    server_key_pem: bytes
    client_cert_pem: bytes
    client_key_pem: bytes
    others: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)
    """More client certificates of the same CA, by common name: (certificate, key)."""

    def write(self, directory: Path) -> dict[str, Path]:
        directory.mkdir(parents=True, exist_ok=True)
        files = {
            "ca": directory / "ca.crt",
            "client_cert": directory / "client.crt",
            "client_key": directory / "client.key",
        }
        files["ca"].write_bytes(self.ca_pem)
        files["client_cert"].write_bytes(self.client_cert_pem)
        files["client_key"].write_bytes(self.client_key_pem)
        return files


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _issue(
    ca_key: ec.EllipticCurvePrivateKey, ca_name: x509.Name, cn: str, *, server: bool
) -> tuple[bytes, bytes]:
    now = dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    else:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
    cert = builder.sign(ca_key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.PEM), _pem_key(key)


def make_pki(client_cn: str = "jane", *, others: tuple[str, ...] = ()) -> Pki:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-ca")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    server_cert, server_key = _issue(ca_key, ca_name, "server", server=True)
    client_cert, client_key = _issue(ca_key, ca_name, client_cn, server=False)
    extra = {cn: _issue(ca_key, ca_name, cn, server=False) for cn in others}
    return Pki(ca.public_bytes(serialization.Encoding.PEM), server_cert, server_key, client_cert, client_key, extra)


@dataclass
class EchoServer:
    """Answers ``GET`` with ``{"metadata": {"name": …, "annotations": {"authorization": …, "client-cn": …}}}``."""

    pki: Pki | None
    directory: Path
    accepted: set[str] | None = None
    seen: list[str | None] = field(default_factory=list)
    headers: list[list[tuple[str, str]]] = field(default_factory=list)
    """Every request's headers, in the order sent (repeated names kept)."""
    url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> EchoServer:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self._ssl_context())
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"{'https' if self.pki else 'http'}://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _ssl_context(self) -> ssl.SSLContext | None:
        if self.pki is None:
            return None
        (self.directory / "server.crt").write_bytes(self.pki.server_cert_pem)
        (self.directory / "server.key").write_bytes(self.pki.server_key_pem)
        (self.directory / "server-ca.crt").write_bytes(self.pki.ca_pem)
        context = ssl.create_default_context(
            ssl.Purpose.CLIENT_AUTH, cafile=str(self.directory / "server-ca.crt")
        )
        context.load_cert_chain(self.directory / "server.crt", self.directory / "server.key")
        context.verify_mode = ssl.CERT_OPTIONAL
        return context

    async def _handle(self, request: web.Request) -> web.Response:
        header = request.headers.get("Authorization")
        self.seen.append(header)
        self.headers.append(list(request.headers.items()))
        if self.accepted is not None and header not in self.accepted:
            status = {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Failure",
                "reason": "Unauthorized",
                "code": 401,
            }
            return web.json_response(status, status=401)
        peer = request.transport.get_extra_info("peercert") if request.transport else None
        cn = None
        for rdn in (peer or {}).get("subject", ()):
            for key, value in rdn:
                if key == "commonName":
                    cn = value
        annotations = {"authorization": header or "", "client-cn": cn or ""}
        return web.json_response({"kind": "Namespace", "metadata": {"name": "x", "annotations": annotations}})


def write_plugin(directory: Path, answers: list[dict[str, Any]]) -> tuple[Path, Path]:
    """The plugin script and the JSON-lines file where it records each run.

    Each answer: ``{"status": {...}}`` (printed as an ExecCredential of the version it was asked for;
    ``"apiVersion"`` overrides that), ``{"exit": N, "stderr": "..."}``, or ``{"sleep": seconds}``."""
    directory.mkdir(parents=True, exist_ok=True)
    script, runs, plan = directory / "plugin.py", directory / "runs.jsonl", directory / "answers.json"
    plan.write_text(json.dumps(answers))
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, os, pathlib, sys, time\n"
        f"runs = pathlib.Path({str(runs)!r})\n"
        f"answers = json.loads(pathlib.Path({str(plan)!r}).read_text())\n"
        "n = len(runs.read_text().splitlines()) if runs.exists() else 0\n"
        "info = json.loads(os.environ['KUBERNETES_EXEC_INFO'])\n"
        "with runs.open('a') as f:\n"
        "    f.write(json.dumps({'info': info, 'env': dict(os.environ), 'argv': sys.argv[1:]}) + '\\n')\n"
        "answer = answers[min(n, len(answers) - 1)]\n"
        "time.sleep(answer.get('sleep', 0))\n"
        "if 'exit' in answer:\n"
        "    sys.stderr.write(answer.get('stderr', ''))\n"
        "    sys.exit(answer['exit'])\n"
        "print(json.dumps({'apiVersion': answer.get('apiVersion', info['apiVersion']),"
        " 'kind': 'ExecCredential', 'status': answer['status']}))\n"
    )
    script.chmod(0o755)
    return script, runs


def recorded_runs(runs: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in runs.read_text().splitlines()] if runs.exists() else []


def write_kubeconfig(
    path: Path,
    *,
    server: str,
    user: dict[str, Any],
    cluster: dict[str, Any] | None = None,
) -> Path:
    """A one-context kubeconfig (cluster "c", user "u", context "ctx", current)."""
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": server, **(cluster or {})}}],
        "users": [{"name": "u", "user": user}],
        "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "ctx",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc))
    return path
