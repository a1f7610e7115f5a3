"""IP and CIDR functions; expected values follow Go's net/netip as the Kubernetes library does."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.cel.library.conftest import EvalError, Evaluate

CASES: list[tuple[str, Any]] = [
    ("ip('1.2.3.4')", "1.2.3.4"),
    ("ip('2001:0db8:0:0:1:0:0:1')", "2001:db8::1:0:0:1"),
    ("string(ip('::1'))", "::1"),
    ("string(1) + string(ip('10.0.0.1')) + string(1.5)", "110.0.0.11.5"),
    ("ip('10.0.0.1') == ip('10.0.0.1')", True),
    ("ip('1.2.3.4').family()", 4),
    ("ip('::1').family()", 6),
    ("ip('0.0.0.0').isUnspecified()", True),
    ("ip('::').isUnspecified()", True),
    ("ip('1.2.3.4').isUnspecified()", False),
    ("ip('127.0.0.5').isLoopback()", True),
    ("ip('::1').isLoopback()", True),
    ("ip('10.0.0.1').isLoopback()", False),
    ("ip('224.0.0.251').isLinkLocalMulticast()", True),
    ("ip('224.0.1.1').isLinkLocalMulticast()", False),
    ("ip('ff02::1').isLinkLocalMulticast()", True),
    ("ip('ff32::1').isLinkLocalMulticast()", True),
    ("ip('ff05::1').isLinkLocalMulticast()", False),
    ("ip('169.254.1.1').isLinkLocalUnicast()", True),
    ("ip('fe80::1').isLinkLocalUnicast()", True),
    ("ip('10.0.0.1').isLinkLocalUnicast()", False),
    ("ip('10.0.0.1').isGlobalUnicast()", True),
    ("ip('2001:db8::1').isGlobalUnicast()", True),
    ("ip('255.255.255.255').isGlobalUnicast()", False),
    ("ip('224.0.0.1').isGlobalUnicast()", False),
    ("ip('::1').isGlobalUnicast()", False),
    ("ip('fe80::1').isGlobalUnicast()", False),
    ("isIP('1.2.3.4')", True),
    ("isIP('2001:db8::1')", True),
    ("isIP('1.2.3')", False),
    ("isIP('010.0.0.1')", False),
    ("isIP('fe80::1%eth0')", False),
    ("isIP('::ffff:1.2.3.4')", False),
    ("isIP('')", False),
    ("ip.isCanonical('2001:db8::1')", True),
    ("ip.isCanonical('2001:DB8::1')", False),
    ("ip.isCanonical('2001:db8:0:0:0:0:0:1')", False),
    ("cidr('10.0.0.1/8')", "10.0.0.1/8"),
    ("cidr('10.0.0.1/8').ip()", "10.0.0.1"),
    ("cidr('10.0.0.1/8').masked()", "10.0.0.0/8"),
    ("cidr('2001:db8::1/64').masked()", "2001:db8::/64"),
    ("cidr('10.0.0.0/8').prefixLength()", 8),
    ("cidr('::1/128').prefixLength()", 128),
    ("cidr('10.0.0.0/8').containsIP('10.1.2.3')", True),
    ("cidr('10.0.0.0/8').containsIP(ip('11.0.0.1'))", False),
    ("cidr('10.0.0.0/8').containsIP('::1')", False),
    ("cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')", True),
    ("cidr('10.0.0.0/8').containsCIDR(cidr('10.0.0.0/8'))", True),
    ("cidr('10.1.0.0/16').containsCIDR('10.0.0.0/8')", False),
    ("cidr('10.0.0.0/8').containsCIDR('2001:db8::/64')", False),
    ("cidr('10.0.0.0/8').ip().family()", 4),
    ("isCIDR('10.0.0.0/8')", True),
    ("isCIDR('10.0.0.0')", False),
    ("isCIDR('10.0.0.0/08')", False),
    ("isCIDR('10.0.0.0/33')", False),
    ("isCIDR('10.0.0.0/+8')", False),
    ("isCIDR('::1/129')", False),
]


@pytest.mark.parametrize(("expression", "expected"), CASES)
def test_network_function(evaluate: Evaluate, expression: str, expected: Any) -> None:
    assert evaluate(expression) == expected


def test_network_functions_on_plain_data(evaluate: Evaluate) -> None:
    service = {"clusterIP": "10.96.0.10", "podCIDR": "10.244.0.0/16"}
    assert evaluate("cidr(x.podCIDR).containsIP(x.clusterIP)", x=service) is False
    assert evaluate("ip(x.clusterIP).isGlobalUnicast()", x=service) is True


ERRORS: list[tuple[str, str]] = [
    ("ip('not-an-ip')", r"IP address parse error during conversion from string"),
    ("ip('fe80::1%eth0')", r"zone value is not allowed"),
    ("ip('::ffff:1.2.3.4')", r"IPv4-mapped IPv6 address .* is not allowed"),
    ("ip.isCanonical('nope')", r"IP address parse error"),
    ("cidr('10.0.0.0')", r"no '/' in '10.0.0.0'"),
    ("cidr('10.0.0.0/33')", r"bad bits '33'"),
    ("cidr('x/8')", r"IP address parse error"),
    ("cidr('10.0.0.0/8').containsIP('bad')", r"IP address parse error"),
    ("cidr('10.0.0.0/8').containsCIDR('bad')", r"network address parse error"),
]


@pytest.mark.parametrize(("expression", "message"), ERRORS)
def test_network_errors(evaluate: Evaluate, expression: str, message: str) -> None:
    with pytest.raises(EvalError, match=message):
        evaluate(expression)
