"""The network side of webhooks: resolve a host, check it, POST to the address checked.

Python's standard library is enough here (http.client, ssl, socket): one POST, no
redirects, no cookies, no connection pool. The connection is opened to the IP address the
policy approved, not to the name (which could resolve elsewhere a moment later: DNS
rebinding); for https the certificate is still checked against the host name (SNI).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from flask import current_app

from coalition.domain.webhooks import AddressPolicy, IPAddress, Target, check, parse_address
from coalition.domain.webhooks import parse_networks as _networks

# How much of an answer is read: the status is what counts; a huge body is not waited for.
ANSWER_READ_MAX = 4096
USER_AGENT = "Coalition-Webhooks/1"

Resolver = Callable[[str, int], list[IPAddress]]


def policy() -> AddressPolicy:
    """The application's address policy (WEBHOOK_ALLOW_LOOPBACK, WEBHOOK_ALLOWED_NETWORKS)."""
    config = current_app.config
    return AddressPolicy(
        allow_loopback=bool(config.get("WEBHOOK_ALLOW_LOOPBACK")),
        allowed_networks=_networks(config.get("WEBHOOK_ALLOWED_NETWORKS")),
    )


def system_resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal is itself); [] when it does not."""
    literal = parse_address(host)
    if literal is not None:
        return [literal]
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    addresses: list[IPAddress] = []
    for *_, sockaddr in found:
        address = parse_address(str(sockaddr[0]).split("%")[0])
        if address is not None and address not in addresses:
            addresses.append(address)
    return addresses


def resolver() -> Resolver:
    """The resolver in use: the system's, or the one a test put in app.extensions."""
    found = current_app.extensions.get("coalition.webhook_resolver")
    return found if callable(found) else system_resolve


def checked_addresses(target: Target) -> list[IPAddress]:
    """Resolve the target's host and refuse (422) unless every address may be called."""
    addresses = resolver()(target.host, target.port)
    check(target, addresses, policy())
    return addresses


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to one checked address, whatever the Host header says."""

    def __init__(self, host: str, address: IPAddress, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self._address), self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection to one checked address; the certificate must name the host."""

    def __init__(self, host: str, address: IPAddress, port: int, timeout: float,
                 context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._context = context

    def connect(self) -> None:
        raw = socket.create_connection((str(self._address), self.port), self.timeout)
        try:
            self.sock = self._context.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


@dataclass(frozen=True)
class Answer:
    """What one try got: the status code, or the error that stopped it."""

    status: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(target: Target, addresses: Sequence[IPAddress], body: bytes,
         headers: Mapping[str, str], timeout: float) -> Answer:
    """POST `body` to the first of `addresses` that accepts a connection; never follows a
    redirect (a 3xx is an answer like any other, and not a success)."""
    started = time.monotonic()

    def answer(status: int | None, error: str) -> Answer:
        return Answer(status, error[:500], int((time.monotonic() - started) * 1000))

    last_error = "no address"
    for address in addresses:
        connection: http.client.HTTPConnection
        if target.scheme == "https":
            connection = _PinnedHTTPS(target.host, address, target.port, timeout,
                                      ssl.create_default_context())
        else:
            connection = _PinnedHTTP(target.host, address, target.port, timeout)
        try:
            try:
                connection.connect()
            except OSError as error:
                last_error = f"{type(error).__name__}: {error}"
                continue  # try the next address of the name
            connection.request("POST", target.path, body=body, headers={
                **headers, "Content-Type": "application/json", "User-Agent": USER_AGENT,
            })
            response = connection.getresponse()
            response.read(ANSWER_READ_MAX)
            return answer(response.status, "")
        except (OSError, http.client.HTTPException) as error:
            return answer(None, f"{type(error).__name__}: {error}")
        finally:
            connection.close()
    return answer(None, last_error)
