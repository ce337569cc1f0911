"""Which network addresses the crawler may connect to: globally routable ones only.

A host is either a name (resolved by DNS) or an address literal. Literals are read
the way the operating system reads them (``inet_aton``), so ``2130706433``,
``0x7f.1`` and ``0177.0.0.1`` are all 127.0.0.1 and refused like it.
"""

import re
import socket
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

IPAddress = IPv4Address | IPv6Address

# IPv6 ranges that carry an IPv4 address in their low 32 bits (NAT64 well-known prefixes).
_NAT64 = (ip_network("64:ff9b::/96"), ip_network("64:ff9b:1::/48"))
# The loopback addresses the project's own tests may open (never a whole range).
_TEST_LOOPBACK = frozenset({IPv4Address("127.0.0.1"), IPv6Address("::1")})
_HOST_CHARACTERS = re.compile(r"[a-z0-9.:\-_]+")
# WHATWG URL rule: a host whose last label is a number is an IPv4 address, or invalid.
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")


class InvalidHost(ValueError):
    pass


def address_literal(host: str) -> IPAddress | None:
    """The address a host literal means, or None when ``host`` is a name to resolve.
    ``host`` is lower-case, without IPv6 brackets."""
    if not _HOST_CHARACTERS.fullmatch(host):
        raise InvalidHost(host)
    try:
        return ip_address(host)
    except ValueError:
        pass
    if ":" in host:
        raise InvalidHost(host)
    if not _NUMERIC_LABEL.fullmatch(host.rstrip(".").rsplit(".", 1)[-1]):
        return None
    try:
        return IPv4Address(socket.inet_aton(host.rstrip(".")))
    except OSError:
        raise InvalidHost(host) from None


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in network for network in _NAT64):
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast: not loopback, private, link-local (169.254.169.254),
    carrier-grade NAT (100.64.0.0/10), unspecified, multicast or reserved; an IPv6
    address that embeds an IPv4 one (mapped, 6to4, Teredo, NAT64) must embed a public one."""
    if isinstance(address, IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None and not is_public(embedded):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def is_allowed(address: IPAddress, *, allow_loopback: bool) -> bool:
    return is_public(address) or (allow_loopback and address in _TEST_LOOPBACK)
