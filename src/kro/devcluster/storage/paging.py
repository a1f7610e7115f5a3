"""Consistent lists: continue tokens in kube-apiserver's format and lists served at a past
resourceVersion.

A token is the unpadded URL-safe base64 of ``{"v":"meta.k8s.io/v1","rv":<list rv>,"start":<key>}``,
where ``<key>`` is the storage key of the page's last object (``<namespace>/<name>`` across
namespaces, ``<name>`` within one namespace or for cluster-scoped kinds) followed by a NUL, exactly
as kube-apiserver writes it. Every page of a paged list is served at the first page's
resourceVersion: the :class:`History` journal undoes what changed since, as etcd's MVCC would. A
token whose version left the journal is refused (410) with a fresh token (``rv: -1``) that resumes
the list at the latest version from the same key, as kube-apiserver does after compaction.
"""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kro.devcluster.storage.errors import InvalidContinueError

TOKEN_VERSION = "meta.k8s.io/v1"
Key = tuple[str, str]


def storage_key(key: Key, namespace: str | None) -> str:
    """The key kube-apiserver's storage orders and pages by, relative to the list's prefix."""
    ns, name = key
    return f"{ns}/{name}" if ns and namespace is None else name


def encode_continue(rv: int, start: str) -> str:
    raw = json.dumps({"v": TOKEN_VERSION, "rv": rv, "start": start}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def next_page_token(rv: int, last: Key, namespace: str | None) -> str:
    """The token for the page after ``last`` (the key plus a NUL: the first key after it)."""
    return encode_continue(rv, storage_key(last, namespace) + "\x00")


@dataclass(frozen=True)
class Continue:
    rv: int  # -1: the latest version
    start: str  # the first storage key of the page (inclusive)


def decode_continue(token: str) -> Continue:
    """Parse a token; :class:`InvalidContinueError` carries kube-apiserver's message."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError) as e:
        raise InvalidContinueError(f"continue key is not valid: {e}") from e
    if not isinstance(data, dict):
        raise InvalidContinueError("continue key is not valid: not a JSON object")
    if data.get("v") != TOKEN_VERSION:
        raise InvalidContinueError(
            f"continue key is not valid: server does not recognize this encoded version {data.get('v', '')}"
        )
    rv, start = data.get("rv"), data.get("start")
    if not isinstance(rv, int) or isinstance(rv, bool) or rv == 0:
        raise InvalidContinueError(
            f"continue key is not valid: incorrect encoded start resourceVersion (version {TOKEN_VERSION})"
        )
    if not isinstance(start, str) or not start:
        raise InvalidContinueError(f"continue key is not valid: encoded start key empty (version {TOKEN_VERSION})")
    rooted = start if start.startswith("/") else "/" + start
    if posixpath.normpath(rooted) != rooted or rooted.startswith("//"):  # no climbing out of the prefix
        raise InvalidContinueError(f"continue key is not valid: {start}")
    return Continue(rv, rooted[1:])


@dataclass(frozen=True)
class Change:
    rv: int
    resource: str
    key: Key
    old: Mapping[str, Any] | None  # the object before the change (None: it was created)


class History:
    """A bounded journal of every change, recorded the moment the store's state changes (before a
    durable backend persists it), so the state at any version still inside it can be rebuilt."""

    def __init__(self, window: int) -> None:
        self._changes: deque[Change] = deque()
        self._window = window
        self._horizon = 0  # versions <= this one can no longer be rebuilt

    @property
    def horizon(self) -> int:
        return self._horizon

    def reset(self, horizon: int) -> None:
        self._changes.clear()
        self._horizon = horizon

    def record(self, rv: int, resource: str, key: Key, old: Mapping[str, Any] | None) -> None:
        self._changes.append(Change(rv, resource, key, old))
        while len(self._changes) > self._window:
            self._horizon = self._changes.popleft().rv

    def rewind(self, current: Mapping[Key, Any], resource: str, rv: int) -> dict[Key, Any]:
        """``current`` (one resource's objects now) as it was at ``rv``."""
        state = dict(current)
        for change in self._after(resource, rv):
            if change.old is None:
                state.pop(change.key, None)
            else:
                state[change.key] = change.old
        return state

    def changed_since(self, resource: str, rv: int) -> bool:
        return next(iter(self._after(resource, rv)), None) is not None

    def _after(self, resource: str, rv: int) -> Iterable[Change]:
        """Changes of ``resource`` newer than ``rv``, newest first."""
        for change in reversed(self._changes):
            if change.rv <= rv:
                return
            if change.resource == resource:
                yield change
