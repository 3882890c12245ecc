"""The address a request came from, for the sign-in limits (django-axes) and the password-reset limit.

``X-Forwarded-For`` is written by the client unless a proxy overwrites it, so it is read only when
the operator names the proxies in front of the tracker (``TRUSTED_PROXIES``), and only as far as
those proxies vouch for it: from the connection's own address (``REMOTE_ADDR``) leftwards through
the header, the first address that is not a trusted proxy is the client's. With no trusted proxy,
the address is ``REMOTE_ADDR`` whatever the header says.

django-ipware (axes' default) is not used: it picks an address from the header without checking
that the connection itself comes from a trusted proxy.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.7:443
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address) -> bool:
    return any(address.version == network.version and address in network for network in settings.TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the proxies named in TRUSTED_PROXIES tell it; else REMOTE_ADDR."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    if not settings.TRUSTED_PROXIES or not _trusted(remote):
        return str(remote)
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    candidate = remote
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # garbage where a trusted proxy should have written an address: stop here
            return str(candidate)
        candidate = address
        if not _trusted(address):
            return str(address)
    return str(candidate)
