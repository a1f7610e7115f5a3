"""URL parsing with the rules of Go's ``net/url``, which the Kubernetes URL library uses.

``urllib`` is both off-limits in the pure core and more lenient than Go (it accepts bad ports and
bad percent-escapes), and ``isURL`` must agree with Kubernetes on what is valid, so the parts of
``net/url`` that the library relies on are reproduced here: scheme detection, authority
(userinfo, host, port) validation, percent-decoding, ``EscapedPath`` and ``Query``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kro.cel.library.errors import LibraryError


class Mode(enum.Enum):
    """Which URL component a string belongs to; escaping rules differ per component."""

    PATH = enum.auto()
    HOST = enum.auto()
    ZONE = enum.auto()
    USER_PASSWORD = enum.auto()
    QUERY_COMPONENT = enum.auto()
    FRAGMENT = enum.auto()


_ALNUM = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_HOST_EXTRA = frozenset(b"!$&'()*+,;=:[]<>\"")
_RESERVED = frozenset(b"$&+,/:;=?@")
_USERINFO_EXTRA = frozenset(b"-._:~!$&'()*+,;=%@")
_PATH_SAFE = frozenset(b"!$&'()*+,;=:@[]%")


def should_escape(c: int, mode: Mode) -> bool:
    """Go's ``shouldEscape``: whether byte ``c`` must be percent-encoded in ``mode``."""
    if c in _ALNUM:
        return False
    if mode in (Mode.HOST, Mode.ZONE) and c in _HOST_EXTRA:
        return False
    if c in b"-_.~":
        return False
    if c in _RESERVED:
        if mode is Mode.PATH:
            return c == ord("?")
        if mode is Mode.USER_PASSWORD:
            return c in b"@/?:"
        if mode is Mode.QUERY_COMPONENT:
            return True
        if mode is Mode.FRAGMENT:
            return False
    return not (mode is Mode.FRAGMENT and c in b"!()*")


def unescape(text: str, mode: Mode) -> str:
    """Go's ``unescape``: decode percent-escapes, rejecting malformed ones."""
    raw = text.encode()
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == ord("%"):
            if i + 2 >= len(raw) or raw[i + 1] not in _HEX or raw[i + 2] not in _HEX:
                raise LibraryError(f"invalid URL escape {raw[i : i + 3].decode(errors='replace')!r}")
            if mode is Mode.HOST and int(raw[i + 1 : i + 2], 16) < 8 and raw[i : i + 3] != b"%25":
                raise LibraryError(f"invalid URL escape {raw[i : i + 3].decode()!r}")
            out.append(int(raw[i + 1 : i + 3], 16))
            i += 3
            continue
        if mode in (Mode.HOST, Mode.ZONE) and c < 0x80 and should_escape(c, mode):
            raise LibraryError(f"invalid character {chr(c)!r} in host name")
        out.append(ord(" ") if c == ord("+") and mode is Mode.QUERY_COMPONENT else c)
        i += 1
    return out.decode(errors="replace")


def escape(text: str, mode: Mode) -> str:
    """Go's ``escape``: percent-encode every byte that ``mode`` requires (upper-case hex)."""
    return "".join(f"%{b:02X}" if should_escape(b, mode) else chr(b) for b in text.encode())


def valid_optional_port(port: str) -> bool:
    """``""`` or ``:`` followed by ASCII digits."""
    return port == "" or (port[0] == ":" and all(ch in "0123456789" for ch in port[1:]))


@dataclass(frozen=True)
class ParsedURL:
    """The parts of a URL that the Kubernetes URL library exposes."""

    scheme: str = ""
    opaque: str = ""
    host: str = ""
    path: str = ""
    raw_path: str = ""
    raw_query: str = ""

    def escaped_path(self) -> str:
        """Go's ``URL.EscapedPath``."""
        if self.raw_path and all(
            b in _PATH_SAFE or not should_escape(b, Mode.PATH) for b in self.raw_path.encode()
        ):
            return self.raw_path
        if self.path == "*":
            return "*"
        return escape(self.path, Mode.PATH)

    def hostname(self) -> str:
        """The host without port and without IPv6 brackets."""
        return _split_host_port(self.host)[0]

    def port(self) -> str:
        """The port, or ``""``."""
        return _split_host_port(self.host)[1]

    def query(self) -> dict[str, list[str]]:
        """Go's ``URL.Query``: pairs that fail to decode (or contain ``;``) are skipped."""
        values: dict[str, list[str]] = {}
        for pair in self.raw_query.split("&"):
            if not pair or ";" in pair:
                continue
            key, _, value = pair.partition("=")
            try:
                key, value = unescape(key, Mode.QUERY_COMPONENT), unescape(value, Mode.QUERY_COMPONENT)
            except LibraryError:
                continue
            values.setdefault(key, []).append(value)
        return values


def _split_host_port(host_port: str) -> tuple[str, str]:
    host, port = host_port, ""
    colon = host.rfind(":")
    if colon != -1 and valid_optional_port(host[colon:]):
        host, port = host[:colon], host[colon + 1 :]
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, port


def _split_scheme(raw: str) -> tuple[str, str]:
    for i, ch in enumerate(raw):
        if ch.isascii() and ch.isalpha():
            continue
        if ch.isascii() and (ch.isdigit() or ch in "+-."):
            if i == 0:
                return "", raw
            continue
        if ch == ":":
            if i == 0:
                raise LibraryError("missing protocol scheme")
            return raw[:i], raw[i + 1 :]
        return "", raw
    return "", raw


def _parse_host(host: str) -> str:
    if host.startswith("["):
        close = host.rfind("]")
        if close < 0:
            raise LibraryError("missing ']' in host")
        if not valid_optional_port(host[close + 1 :]):
            raise LibraryError(f"invalid port {host[close + 1 :]!r} after host")
        zone = host[:close].find("%25")
        if zone >= 0:
            return (
                unescape(host[:zone], Mode.HOST)
                + unescape(host[zone:close], Mode.ZONE)
                + unescape(host[close:], Mode.HOST)
            )
    else:
        colon = host.rfind(":")
        if colon != -1 and not valid_optional_port(host[colon:]):
            raise LibraryError(f"invalid port {host[colon:]!r} after host")
    return unescape(host, Mode.HOST)


def _parse_authority(authority: str) -> str:
    at = authority.rfind("@")
    host = _parse_host(authority[at + 1 :])
    if at >= 0:
        userinfo = authority[:at]
        if any(b not in _ALNUM and b not in _USERINFO_EXTRA for b in userinfo.encode()):
            raise LibraryError("net/url: invalid userinfo")
        user, _, password = userinfo.partition(":")
        unescape(user, Mode.USER_PASSWORD)
        unescape(password, Mode.USER_PASSWORD)
    return host


def parse(raw: str, *, via_request: bool) -> ParsedURL:
    """Go's ``url.ParseRequestURI`` (``via_request``) or ``url.Parse``; raises :class:`LibraryError`."""
    if not via_request:
        raw, _, fragment = raw.partition("#")
        unescape(fragment, Mode.FRAGMENT)
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw):
        raise LibraryError("net/url: invalid control character in URL")
    if raw == "" and via_request:
        raise LibraryError("empty url")
    if raw == "*":
        return ParsedURL(path="*")
    scheme, rest = _split_scheme(raw)
    scheme = scheme.lower()
    raw_query = ""
    if rest.endswith("?") and rest.count("?") == 1:
        rest = rest[:-1]
    else:
        rest, _, raw_query = rest.partition("?")
    if not rest.startswith("/"):
        if scheme:
            return ParsedURL(scheme=scheme, opaque=rest, raw_query=raw_query)
        if via_request:
            raise LibraryError("invalid URI for request")
        if ":" in rest.partition("/")[0]:
            raise LibraryError("first path segment in URL cannot contain colon")
    host = ""
    if (scheme or (not via_request and not rest.startswith("///"))) and rest.startswith("//"):
        authority, slash, remainder = rest[2:].partition("/")
        host, rest = _parse_authority(authority), slash + remainder
    path = unescape(rest, Mode.PATH)
    raw_path = "" if escape(path, Mode.PATH) == rest else rest
    return ParsedURL(scheme=scheme, host=host, path=path, raw_path=raw_path, raw_query=raw_query)
