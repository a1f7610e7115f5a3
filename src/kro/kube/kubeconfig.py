"""Reading kubeconfig files the way kubectl (client-go's ``clientcmd``) does.

- Which files: an explicit path (``--kubeconfig``; missing is an error), else each file of
  ``$KUBECONFIG`` (split on ``os.pathsep``, duplicates dropped, missing files skipped), else
  ``~/.kube/config``.
- Merging: for clusters, users and contexts the first file that defines a name wins;
  ``current-context`` comes from the first file that sets it. An empty file is an empty config; a
  malformed one is an error naming it.
- Relative paths in an entry (``certificate-authority``, ``client-certificate``, ``client-key``,
  ``tokenFile``, and an exec ``command`` containing a path separator) resolve against the directory of
  the file that defined the entry.
- Selecting: ``--context`` or the current context, then its cluster and user, parsed into
  :class:`ClusterSettings` and :class:`UserSettings` with the same consistency checks as kubectl (one
  of ``token``/basic auth, a key with a certificate, not both a file and ``-data``).
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from kro.kube.errors import ConfigError

KUBECONFIG_ENV = "KUBECONFIG"
DEFAULT_KUBECONFIG = os.path.join("~", ".kube", "config")
EXEC_EXTENSION = "client.authentication.k8s.io/exec"
_SECTIONS = (("clusters", "cluster"), ("users", "user"), ("contexts", "context"))
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Entry:
    """A named cluster, user or context, and the file that defined it."""

    name: str
    body: Mapping[str, Any]
    origin: str


@dataclass(frozen=True)
class Kubeconfig:
    """The merged view of one or more kubeconfig files."""

    files: tuple[str, ...]
    clusters: Mapping[str, Entry]
    users: Mapping[str, Entry]
    contexts: Mapping[str, Entry]
    current_context: str | None

    def describe(self) -> str:
        return "kubeconfig " + (", ".join(self.files) if self.files else "(none)")


@dataclass(frozen=True)
class ClusterSettings:
    name: str
    origin: str
    server: str
    ca_file: str | None
    ca_data: bytes | None
    insecure: bool
    tls_server_name: str | None
    proxy_url: str | None
    exec_extension: Any
    """The ``extensions`` entry ``client.authentication.k8s.io/exec``, handed to exec plugins."""
    disable_compression: bool = False
    """``disable-compression``: ask for uncompressed responses."""


@dataclass(frozen=True)
class UserSettings:
    name: str | None
    origin: str
    token: str | None = None
    token_file: str | None = None
    username: str | None = None
    password: str | None = None
    cert_file: str | None = None
    cert_data: bytes | None = None
    key_file: str | None = None
    key_data: bytes | None = None
    exec: Mapping[str, Any] | None = None
    auth_provider: Mapping[str, Any] | None = None
    # impersonation: ``as``, ``as-uid``, ``as-groups``, ``as-user-extra``
    impersonate: str | None = None
    impersonate_uid: str | None = None
    impersonate_groups: tuple[str, ...] = ()
    impersonate_extra: Mapping[str, tuple[str, ...]] | None = None

    def describe(self) -> str:
        return f'user "{self.name}" in {self.origin}' if self.name else f"no user ({self.origin})"

    @property
    def has_client_certificate(self) -> bool:
        return bool(self.cert_file or self.cert_data)


@dataclass(frozen=True)
class Selection:
    context: str
    cluster: ClusterSettings
    user: UserSettings


def kubeconfig_files(explicit: str | None = None, *, environ: Mapping[str, str] | None = None) -> list[str]:
    """The files to read, in precedence order."""
    if explicit:
        return [explicit]
    env = (os.environ if environ is None else environ).get(KUBECONFIG_ENV, "")
    listed = [p for p in env.split(os.pathsep) if p]
    if listed:
        return list(dict.fromkeys(listed))
    return [os.path.expanduser(DEFAULT_KUBECONFIG)]


def load_kubeconfig(explicit: str | None = None, *, environ: Mapping[str, str] | None = None) -> Kubeconfig:
    """Read and merge the kubeconfig files (see the module docstring)."""
    read: list[tuple[str, Mapping[str, Any]]] = []
    for path in kubeconfig_files(explicit, environ=environ):
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError as e:
            if explicit:
                raise ConfigError(f"kubeconfig {path}: no such file") from e
            continue
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"kubeconfig {path}: cannot read it: {e}") from e
        read.append((path, _parse(path, text)))
    return _merge(read)


def _parse(path: str, text: str) -> Mapping[str, Any]:
    try:
        doc = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        raise ConfigError(f"kubeconfig {path}: not valid YAML: {e}") from e
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise ConfigError(f"kubeconfig {path}: expected a mapping (kind: Config), got {type(doc).__name__}")
    return doc


def _merge(read: list[tuple[str, Mapping[str, Any]]]) -> Kubeconfig:
    maps: dict[str, dict[str, Entry]] = {section: {} for section, _ in _SECTIONS}
    current: str | None = None
    for path, doc in read:
        for section, key in _SECTIONS:
            for entry in _entries(path, doc, section, key):
                maps[section].setdefault(entry.name, entry)
        value = doc.get("current-context")
        if current is None and isinstance(value, str) and value:
            current = value
    return Kubeconfig(
        files=tuple(path for path, _ in read),
        clusters=maps["clusters"],
        users=maps["users"],
        contexts=maps["contexts"],
        current_context=current,
    )


def _entries(path: str, doc: Mapping[str, Any], section: str, key: str) -> list[Entry]:
    items = doc.get(section)
    if items is None:
        return []
    if not isinstance(items, list):
        raise ConfigError(f"kubeconfig {path}: {section} must be a list")
    entries: list[Entry] = []
    for i, item in enumerate(items):
        where = f"kubeconfig {path}: {section}[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise ConfigError(f"{where}: each entry needs a name")
        if any(e.name == item["name"] for e in entries):
            raise ConfigError(f"{where}: the name {item['name']!r} appears twice in {section}")
        body = item.get(key)
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise ConfigError(f"{where} ({item['name']}): {key} must be a mapping")
        entries.append(Entry(item["name"], body, path))
    return entries


def select(config: Kubeconfig, context: str | None = None) -> Selection:
    """The cluster and user of ``context`` (default: the current context)."""
    name = context or config.current_context
    if not name:
        raise ConfigError(
            f"{config.describe()}: no current context is set; pass --context or set current-context"
        )
    ctx = config.contexts.get(name)
    if ctx is None:
        known = ", ".join(sorted(config.contexts)) or "none"
        raise ConfigError(f'{config.describe()}: context "{name}" not found (contexts: {known})')
    cluster_name = ctx.body.get("cluster")
    if not isinstance(cluster_name, str) or not cluster_name:
        raise ConfigError(f'context "{name}" in {ctx.origin} names no cluster')
    cluster = config.clusters.get(cluster_name)
    if cluster is None:
        raise ConfigError(f'cluster "{cluster_name}" of context "{name}" not found in {config.describe()}')
    user_name = ctx.body.get("user")
    if user_name is not None and not isinstance(user_name, str):
        raise ConfigError(f'context "{name}" in {ctx.origin}: user must be a string')
    if user_name:
        user_entry = config.users.get(user_name)
        if user_entry is None:
            raise ConfigError(f'user "{user_name}" of context "{name}" not found in {config.describe()}')
        user = parse_user(user_entry)
    else:
        user = UserSettings(name=None, origin=ctx.origin)
    return Selection(name, parse_cluster(cluster), user)


def parse_cluster(entry: Entry) -> ClusterSettings:
    where = f'cluster "{entry.name}" in {entry.origin}'
    body = entry.body
    server = optional_string(body, "server", where)
    if not server:
        raise ConfigError(f"{where}: no server is set")
    ca_file = _path(entry, optional_string(body, "certificate-authority", where))
    ca_data = _data(body, "certificate-authority-data", where)
    if ca_file and ca_data is not None:
        raise ConfigError(f"{where}: certificate-authority and certificate-authority-data are both set")
    insecure = body.get("insecure-skip-tls-verify", False)
    if not isinstance(insecure, bool):
        raise ConfigError(f"{where}: insecure-skip-tls-verify must be true or false")
    uncompressed = body.get("disable-compression", False)
    if not isinstance(uncompressed, bool):
        raise ConfigError(f"{where}: disable-compression must be true or false")
    return ClusterSettings(
        name=entry.name,
        origin=entry.origin,
        server=server.rstrip("/"),
        ca_file=ca_file,
        ca_data=ca_data,
        insecure=insecure,
        tls_server_name=optional_string(body, "tls-server-name", where),
        proxy_url=optional_string(body, "proxy-url", where),
        exec_extension=_exec_extension(body, where),
        disable_compression=uncompressed,
    )


def parse_user(entry: Entry) -> UserSettings:
    where = f'user "{entry.name}" in {entry.origin}'
    body = entry.body
    exec_body = body.get("exec")
    if exec_body is not None and not isinstance(exec_body, dict):
        raise ConfigError(f"{where}: exec must be a mapping")
    provider = body.get("auth-provider")
    if provider is not None and not isinstance(provider, dict):
        raise ConfigError(f"{where}: auth-provider must be a mapping")
    if exec_body and "command" in exec_body and os.sep in str(exec_body["command"]):
        exec_body = {**exec_body, "command": _path(entry, str(exec_body["command"]))}
    user = UserSettings(
        name=entry.name,
        origin=entry.origin,
        token=optional_string(body, "token", where),
        token_file=_path(entry, optional_string(body, "tokenFile", where)),
        username=optional_string(body, "username", where),
        password=optional_string(body, "password", where),
        cert_file=_path(entry, optional_string(body, "client-certificate", where)),
        cert_data=_data(body, "client-certificate-data", where),
        key_file=_path(entry, optional_string(body, "client-key", where)),
        key_data=_data(body, "client-key-data", where),
        exec=exec_body or None,
        auth_provider=provider or None,
        impersonate=optional_string(body, "as", where),
        impersonate_uid=optional_string(body, "as-uid", where),
        impersonate_groups=_strings(body, "as-groups", where),
        impersonate_extra=_extra(body, where),
    )
    _check_user(user, where)
    return user


def _strings(body: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = body.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key} must be a list of strings")
    return tuple(value)


def _extra(body: Mapping[str, Any], where: str) -> Mapping[str, tuple[str, ...]] | None:
    value = body.get("as-user-extra")
    if not value:
        return None
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: as-user-extra must be a mapping of lists of strings")
    return {str(k): _strings(value, k, f"{where}: as-user-extra") for k in value}


def _check_user(user: UserSettings, where: str) -> None:
    if user.token and (user.username or user.password):
        raise ConfigError(f"{where}: more than one authentication method (token and username/password)")
    if user.cert_file and user.cert_data is not None:
        raise ConfigError(f"{where}: client-certificate and client-certificate-data are both set")
    if user.key_file and user.key_data is not None:
        raise ConfigError(f"{where}: client-key and client-key-data are both set")
    if user.has_client_certificate and not (user.key_file or user.key_data):
        raise ConfigError(f"{where}: a client certificate needs client-key or client-key-data")
    if user.exec and user.auth_provider:
        raise ConfigError(f"{where}: exec and auth-provider cannot both be set")
    if not user.impersonate and (user.impersonate_uid or user.impersonate_groups or user.impersonate_extra):
        raise ConfigError(f"{where}: requesting uid, groups or user-extra without impersonating a user (as)")


def optional_string(body: Mapping[str, Any], key: str, where: str, *, label: str | None = None) -> str | None:
    """``body[key]``: ``None`` when absent or empty, else a string (``label`` names it in the error)."""
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {label or key} must be a string")
    return value


def _path(entry: Entry, path: str | None) -> str | None:
    if not path or os.path.isabs(path):
        return path
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(entry.origin)), path))


def _data(body: Mapping[str, Any], key: str, where: str) -> bytes | None:
    value = optional_string(body, key, where)
    if value is None:
        return None
    try:
        # Like Go's decoder, line breaks inside the data are ignored.
        return base64.b64decode(value.replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError) as e:
        raise ConfigError(f"{where}: {key} is not valid base64: {e}") from e


def _exec_extension(body: Mapping[str, Any], where: str) -> Any:
    extensions = body.get("extensions")
    if extensions is None:
        return None
    if not isinstance(extensions, list):
        raise ConfigError(f"{where}: extensions must be a list")
    for item in extensions:
        if isinstance(item, dict) and item.get("name") == EXEC_EXTENSION:
            return item.get("extension")
    return None
