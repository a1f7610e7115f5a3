"""IP address and CIDR functions (the Kubernetes IP and CIDR libraries).

IP addresses:

- ``ip(s) -> kro.cel.IP``: an IPv4 or IPv6 address; an error for invalid text, a zone
  (``fe80::1%eth0``), leading zeros in IPv4 (``010.0.0.1``) or an IPv4-mapped IPv6 address
  (``::ffff:1.2.3.4``).  ``isIP(s) -> bool``.  ``ip.isCanonical(s) -> bool``: whether ``s`` is
  already the canonical spelling (an error when ``s`` is not an address).  ``string(ip)``.
- ``a.family() -> int`` (4 or 6); ``a.isUnspecified()``, ``a.isLoopback()``,
  ``a.isLinkLocalMulticast()``, ``a.isLinkLocalUnicast()``, ``a.isGlobalUnicast()`` -> bool, with
  Go's ``net/netip`` definitions (private ranges count as global unicast).

CIDRs:

- ``cidr(s) -> kro.cel.CIDR``: ``address/bits`` (the address bits after the prefix are kept);
  ``isCIDR(s) -> bool``.
- ``c.containsIP(ip or string)``, ``c.containsCIDR(cidr or string)`` -> bool (false across
  families); ``c.ip() -> IP``; ``c.masked() -> CIDR``; ``c.prefixLength() -> int``.

Values are messages holding the canonical spelling.  ``string(cidr)`` is not offered: the engine
allows only one message-typed overload of ``string``, and it is taken by ``string(ip)``.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from kro.cel.library import messages
from kro.cel.library.declarations import Function, Type, function, global_overload, member_overload
from kro.cel.library.errors import LibraryError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Interface = ipaddress.IPv4Interface | ipaddress.IPv6Interface

_LINK_LOCAL_MULTICAST_V4 = ipaddress.ip_network("224.0.0.0/24")


def parse_ip(text: str) -> Address:
    """Parse an IP address as the Kubernetes library does, or raise :class:`LibraryError`."""
    if "%" in text:
        raise LibraryError(f"IP address {text!r} with zone value is not allowed")
    try:
        address = ipaddress.ip_address(text)
    except ValueError as e:
        raise LibraryError(f"IP address parse error during conversion from string: {e}") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        raise LibraryError(f"IPv4-mapped IPv6 address {text!r} is not allowed")
    return address


def parse_cidr(text: str) -> Interface:
    """Parse ``address/bits`` as the Kubernetes library does, or raise :class:`LibraryError`."""
    address_text, slash, bits = text.partition("/")
    if not slash:
        raise LibraryError(f"network address parse error during conversion from string: no '/' in {text!r}")
    address = parse_ip(address_text)
    if (
        not (bits.isascii() and bits.isdigit())
        or (len(bits) > 1 and bits[0] == "0")
        or int(bits) > address.max_prefixlen
    ):
        raise LibraryError(
            f"network address parse error during conversion from string: bad bits {bits!r} in {text!r}"
        )
    return ipaddress.ip_interface(f"{address}/{bits}")


def _is_valid(parser: Any, text: str) -> bool:
    try:
        parser(text)
    except LibraryError:
        return False
    return True


def _ip_message(address: Address) -> Any:
    return messages.new(messages.IP, value=str(address))


def _cidr_message(interface: Interface | ipaddress.IPv4Network | ipaddress.IPv6Network) -> Any:
    return messages.new(messages.CIDR, value=str(interface))


def _address(message: Any) -> Address:
    return ipaddress.ip_address(message.value)


def _interface(message: Any) -> Interface:
    return ipaddress.ip_interface(message.value)


def is_global_unicast(address: Address) -> bool:
    """Go's ``netip.Addr.IsGlobalUnicast``."""
    if address.version == 4 and address in (
        ipaddress.IPv4Address(0),
        ipaddress.IPv4Address("255.255.255.255"),
    ):
        return False
    return not (
        address.is_unspecified or address.is_loopback or address.is_multicast or address.is_link_local
    )


def is_link_local_multicast(address: Address) -> bool:
    """224.0.0.0/24, or ff02::/16 with any flags (``ffX2::``)."""
    if isinstance(address, ipaddress.IPv4Address):
        return address in _LINK_LOCAL_MULTICAST_V4
    return (int(address) >> 112) & 0xFF0F == 0xFF02


def _contains_ip(cidr: Any, other: Any) -> bool:
    address = parse_ip(other) if isinstance(other, str) else _address(other)
    network = _interface(cidr).network
    return address.version == network.version and address in network


def _contains_cidr(cidr: Any, other: Any) -> bool:
    inner = (parse_cidr(other) if isinstance(other, str) else _interface(other)).network
    outer = _interface(cidr).network
    return inner.version == outer.version and inner.subnet_of(outer)  # type: ignore[arg-type]


def _ip_declarations() -> list[Function]:
    ip_type, bool_ = messages.cel_type(messages.IP), Type.BOOL

    def predicate(name: str, test: Any) -> Function:
        return function(name, member_overload(f"ip_{name}", [ip_type], bool_, lambda m: test(_address(m))))

    return [
        function(
            "ip", global_overload("string_to_ip", [Type.STRING], ip_type, lambda s: _ip_message(parse_ip(s)))
        ),
        function(
            "isIP", global_overload("is_ip_string", [Type.STRING], bool_, lambda s: _is_valid(parse_ip, s))
        ),
        function(
            "ip.isCanonical",
            global_overload("ip_is_canonical_string", [Type.STRING], bool_, lambda s: str(parse_ip(s)) == s),
        ),
        function("string", global_overload("ip_to_string", [ip_type], Type.STRING, lambda m: m.value)),
        function("family", member_overload("ip_family", [ip_type], Type.INT, lambda m: _address(m).version)),
        predicate("isUnspecified", lambda a: a.is_unspecified),
        predicate("isLoopback", lambda a: a.is_loopback),
        predicate("isLinkLocalMulticast", is_link_local_multicast),
        predicate("isLinkLocalUnicast", lambda a: a.is_link_local),
        predicate("isGlobalUnicast", is_global_unicast),
    ]


def _cidr_declarations() -> list[Function]:
    ip_type, cidr_type, bool_ = messages.cel_type(messages.IP), messages.cel_type(messages.CIDR), Type.BOOL
    return [
        function(
            "cidr",
            global_overload(
                "string_to_cidr", [Type.STRING], cidr_type, lambda s: _cidr_message(parse_cidr(s))
            ),
        ),
        function(
            "isCIDR",
            global_overload("is_cidr_string", [Type.STRING], bool_, lambda s: _is_valid(parse_cidr, s)),
        ),
        function(
            "containsIP",
            member_overload("cidr_contains_ip_string", [cidr_type, Type.STRING], bool_, _contains_ip),
            member_overload("cidr_contains_ip_ip", [cidr_type, ip_type], bool_, _contains_ip),
        ),
        function(
            "containsCIDR",
            member_overload("cidr_contains_cidr_string", [cidr_type, Type.STRING], bool_, _contains_cidr),
            member_overload("cidr_contains_cidr", [cidr_type, cidr_type], bool_, _contains_cidr),
        ),
        function(
            "ip", member_overload("cidr_ip", [cidr_type], ip_type, lambda m: _ip_message(_interface(m).ip))
        ),
        function(
            "masked",
            member_overload(
                "cidr_masked", [cidr_type], cidr_type, lambda m: _cidr_message(_interface(m).network)
            ),
        ),
        function(
            "prefixLength",
            member_overload(
                "cidr_prefix_length", [cidr_type], Type.INT, lambda m: _interface(m).network.prefixlen
            ),
        ),
    ]


def declarations() -> list[Function]:
    """The IP and CIDR functions' declarations."""
    return _ip_declarations() + _cidr_declarations()
