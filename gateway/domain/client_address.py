"""Who is calling: the address of the client, not of the proxy in front of us.

`X-Forwarded-For` is only as true as whoever added it. It is read only when the direct peer
is a configured proxy (TRUSTED_PROXIES), from the right: every hop a trusted proxy reports is
believed, and the first address not in the list is the client. Anything to its left was
written by the client itself and means nothing. With no proxies configured (the default) the
header is ignored and the peer is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"


def parse_networks(text: str) -> tuple[Network, ...]:
    """`10.0.0.0/8, 192.168.1.7` (addresses or CIDRs, comma-separated); ValueError names a
    bad entry."""
    networks = []
    for entry in (e.strip() for e in text.split(",")):
        if entry:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an address or CIDR") from None
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    ip = _address(address)
    return ip is not None and any(ip in network for network in proxies)


def client_address(
    peer: str | None, forwarded_for: Sequence[str], proxies: Sequence[Network]
) -> str:
    """The client's address, given the TCP peer and every X-Forwarded-For header's value."""
    if not peer:
        return UNKNOWN
    current = peer
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(current, proxies):
            break
        if _address(hop) is None:
            break  # garbage from a trusted proxy's left: keep the last address we could read
        current = hop
    return str(_address(current) or current)
