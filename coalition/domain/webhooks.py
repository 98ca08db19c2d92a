"""Webhooks without I/O: which addresses may be called, endpoint URLs, signing a delivery.

A webhook makes the server send requests to an address a lead typed. Without a rule it
could be pointed at the server's own network (a database port, a cloud metadata service at
169.254.169.254): only globally routable addresses are called, unless the operator allows
loopback (tests, a trial) or named private networks (an intranet CRM). The rule is applied
to every address a name resolves to, at registration and again just before each delivery,
and the delivery connects to the very address that was checked.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from coalition.domain.errors import ValidationError, say

URL_MAX = 2000
DESCRIPTION_MAX = 200
# Header names of a delivery (docs/api.md, "Webhooks").
ID_HEADER = "Coalition-Webhook-Id"
EVENT_HEADER = "Coalition-Webhook-Event"
TIMESTAMP_HEADER = "Coalition-Webhook-Timestamp"
SIGNATURE_HEADER = "Coalition-Webhook-Signature"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class AddressPolicy:
    """What the operator allows beyond the public internet."""

    allow_loopback: bool = False
    allowed_networks: tuple[Network, ...] = field(default_factory=tuple)


def parse_networks(value: str | Iterable[str] | None) -> tuple[Network, ...]:
    """WEBHOOK_ALLOWED_NETWORKS as networks: a list, or one string of comma-separated CIDRs."""
    if not value:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items
                 if item.strip())


def _plain(address: IPAddress) -> IPAddress:
    """An IPv4 address hidden in IPv6 (::ffff:10.0.0.1, 6to4, NAT64 well-known) as itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in ipaddress.ip_network("64:ff9b::/96"):
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if address.sixtofour is not None:
            return address.sixtofour
    return address


# Why an address is refused: the field's short reason and the sentence a person reads.
REFUSALS = {
    "loopback": ("a loopback address",
                 say("Webhooks are not sent to a loopback address (%(address)s).")),
    "unspecified": ("an unspecified address",
                    say("Webhooks are not sent to an unspecified address (%(address)s).")),
    "link-local": ("a link-local address",
                   say("Webhooks are not sent to a link-local address (%(address)s).")),
    "multicast": ("a multicast address",
                  say("Webhooks are not sent to a multicast address (%(address)s).")),
    "private": ("a private or reserved address",
                say("Webhooks are not sent to a private or reserved address (%(address)s).")),
}


def refusal(address: IPAddress, policy: AddressPolicy) -> str | None:
    """Why `address` may not be called under `policy` (a key of REFUSALS), or None."""
    address = _plain(address)
    if any(address in network for network in policy.allowed_networks):
        return None
    if address.is_loopback:
        return None if policy.allow_loopback else "loopback"
    if address.is_unspecified:
        return "unspecified"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_private or not address.is_global:
        return "private"
    return None


def parse_address(host: str) -> IPAddress | None:
    """The host as an IP address when it is one (brackets of an IPv6 literal removed)."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


@dataclass(frozen=True)
class Target:
    """An endpoint URL taken apart: where to connect and what to ask for."""

    url: str
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line


def parse_url(value: object) -> Target:
    """An endpoint URL checked for shape (http or https, a host, no credentials), or a 422.

    Whether plain http is allowed depends on the address (loopback only): see `check`.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("Give the endpoint's address.", fields={"url": "required"})
    url = value.strip()
    if len(url) > URL_MAX:
        raise ValidationError(say("The address is longer than %(limit)s characters.",
                                  limit=URL_MAX),
                              fields={"url": f"at most {URL_MAX} characters"})
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise ValidationError("The address may not contain spaces or control characters.",
                              fields={"url": "contains spaces or control characters"})
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname or ""
    except ValueError as error:
        raise ValidationError("This is not a valid address.", fields={"url": "not a valid URL"}
                              ) from error
    if parts.scheme.lower() not in ("https", "http") or not host:
        raise ValidationError("The address must start with https:// and name a host.",
                              fields={"url": "must be an https:// URL"})
    if parts.username is not None or parts.password is not None:
        raise ValidationError("The address may not carry a user name or password.",
                              fields={"url": "no credentials in the URL"})
    if parts.fragment:
        raise ValidationError("The address may not have a #fragment.",
                              fields={"url": "no fragment"})
    try:
        host = host.encode("idna").decode("ascii") if not parse_address(host) else host
    except UnicodeError as error:
        raise ValidationError("The host name is not valid.", fields={"url": "invalid host name"}
                              ) from error
    scheme = parts.scheme.lower()
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(url=url, scheme=scheme, host=host,
                  port=port or (443 if scheme == "https" else 80), path=path)


def check(target: Target, addresses: Sequence[IPAddress], policy: AddressPolicy) -> None:
    """Refuse (422) unless every address the host resolved to may be called, and plain http
    goes to loopback only (allowed for tests and trials)."""
    if not addresses:
        raise ValidationError("The host name does not resolve to any address.",
                              fields={"url": "host does not resolve"})
    for address in addresses:
        reason = refusal(address, policy)
        if reason is not None:
            short, sentence = REFUSALS[reason]
            raise ValidationError(
                replace(sentence, values={"address": str(address)}),
                fields={"url": f"resolves to {short}"},
            )
    if target.scheme == "http" and not (
        policy.allow_loopback and all(_plain(a).is_loopback for a in addresses)
    ):
        raise ValidationError("The address must use https://.",
                              fields={"url": "must be an https:// URL"})


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: v1= and the HMAC-SHA256, in hex, of "timestamp.body"."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body,
                   hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def clean_events(chosen: Iterable[object], known: Sequence[str]) -> list[str]:
    """The chosen event types in the known order; a 422 naming any unknown one, or none."""
    picked = [str(item) for item in chosen]
    unknown = [item for item in picked if item not in known]
    if unknown:
        raise ValidationError(say("Unknown event: %(events)s.", events=", ".join(unknown)),
                              fields={"events": f"unknown: {', '.join(unknown)}"})
    if not picked:
        raise ValidationError("Choose at least one event.", fields={"events": "choose one"})
    return [item for item in known if item in picked]
