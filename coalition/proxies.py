"""X-Forwarded-* headers, believed only when they come from the reverse proxies we run.

With ``PROXIES`` set, Werkzeug's ProxyFix takes the client's address, scheme and host from
the headers the proxies add. Taken from anyone, those headers let a client that reaches the
app directly say it is any address it likes: a new one for every wrong password, past the
login limit (issue 21). So the headers are used only when the connection comes from an
address in ``TRUSTED_PROXIES`` (default: loopback, where a proxy on the same machine
connects from) and, with several proxies, when each inner hop listed is trusted too;
otherwise they are removed and the connection's own address counts.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_FORWARDED = (
    "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED",
)


def networks(setting: str | Iterable[str]) -> tuple[Network, ...]:
    """TRUSTED_PROXIES as networks: a list, or one string separated by commas or spaces.

    Raises ValueError naming the entry that is not an address or a network.
    """
    entries = setting.replace(",", " ").split() if isinstance(setting, str) else list(setting)
    found = []
    for entry in entries:
        try:
            found.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError as error:
            raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an address or network") from error
    return tuple(found)


def _trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in trusted)


class TrustedProxyFix:
    """ProxyFix for connections from trusted proxies; forwarded headers dropped otherwise."""

    def __init__(self, app: WSGIApplication, hops: int, trusted: tuple[Network, ...]) -> None:
        self.direct = app
        self.proxied = ProxyFix(app, x_for=hops, x_proto=hops, x_host=hops)
        self.hops = hops
        self.trusted = trusted

    def _from_proxies(self, environ: WSGIEnvironment) -> bool:
        if not _trusted(str(environ.get("REMOTE_ADDR", "")), self.trusted):
            return False
        # With n proxies, the n-1 addresses nearest the app in X-Forwarded-For are our own
        # inner proxies: each must be trusted, or a client skipped one and wrote the rest.
        chain = [hop for hop in str(environ.get("HTTP_X_FORWARDED_FOR", "")).split(",")
                 if hop.strip()]
        inner = chain[len(chain) - (self.hops - 1):] if self.hops > 1 else []
        return all(_trusted(hop, self.trusted) for hop in inner)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        if self._from_proxies(environ):
            return self.proxied(environ, start_response)
        for key in _FORWARDED:
            environ.pop(key, None)
        return self.direct(environ, start_response)
