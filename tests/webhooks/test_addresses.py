"""SSRF: non-global addresses are refused at registration and again before each try,
after resolving the name, and the try connects to the address it checked."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
from typing import Any

import pytest
from sqlalchemy import select

from coalition.domain.errors import ValidationError
from coalition.domain.webhooks import AddressPolicy, parse_networks, parse_url, refusal
from coalition.extensions import db
from coalition.models import WebhookAttempt, WebhookDelivery, utcnow
from coalition.webhooks import sender, services
from tests import factories
from tests.webhooks.conftest import Receiver

STRICT = AddressPolicy()


@pytest.mark.parametrize("address", [
    "10.0.0.1", "10.255.255.254", "172.16.0.1", "192.168.1.1", "127.0.0.1", "127.1.2.3",
    "169.254.169.254", "0.0.0.0", "100.64.0.1", "224.0.0.1", "255.255.255.255", "::1",  # noqa: S104
    "fe80::1", "fc00::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "64:ff9b::a00:1",
    "2002:a00:1::1", "::", "192.0.2.1", "198.18.0.1",
])
def test_non_global_addresses_are_refused(address):
    assert refusal(ipaddress.ip_address(address), STRICT) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_global_addresses_are_allowed(address):
    assert refusal(ipaddress.ip_address(address), STRICT) is None


def test_loopback_setting_allows_loopback_only():
    policy = AddressPolicy(allow_loopback=True)
    assert refusal(ipaddress.ip_address("127.0.0.1"), policy) is None
    assert refusal(ipaddress.ip_address("::1"), policy) is None
    assert refusal(ipaddress.ip_address("10.0.0.1"), policy) is not None
    assert refusal(ipaddress.ip_address("169.254.169.254"), policy) is not None


def test_allowed_networks_open_only_themselves():
    policy = AddressPolicy(allowed_networks=parse_networks("10.1.2.0/24, fd00::/64"))
    assert refusal(ipaddress.ip_address("10.1.2.9"), policy) is None
    assert refusal(ipaddress.ip_address("10.1.3.9"), policy) is not None


@pytest.mark.parametrize("url", [
    "", "ftp://example.org/", "example.org/hook", "https://", "https://user:pw@example.org/",
    "https://example.org/a b", "https://example.org/#frag", "https://example.org:99999/",
    "javascript:alert(1)", "https://exa\x00mple.org/",
])
def test_malformed_urls_are_refused(url):
    with pytest.raises(ValidationError):
        parse_url(url)


def _no_connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    made: list[Any] = []

    def refuse(address: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(address)
        raise AssertionError(f"connected to {address}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    return made


@pytest.mark.parametrize("url", [
    "https://10.0.0.1/hook", "http://10.20.30.40:8080/hook", "https://169.254.169.254/",
    "https://[::ffff:10.0.0.1]/", "https://[fe80::1]/", "http://0.0.0.0:5250/",
])
def test_registration_refuses_private_targets_without_connecting(app, monkeypatch, url):
    made = _no_connections(monkeypatch)
    with app.app_context():
        owner = factories.user()
        with pytest.raises(ValidationError) as refused:
            services.create_endpoint(owner, url=url, events=["signature.created"])
        assert "url" in refused.value.fields
    assert made == []


def test_loopback_refused_without_the_setting(app):
    app.config["WEBHOOK_ALLOW_LOOPBACK"] = False
    with app.app_context():
        owner = factories.user()
        for url in ("http://127.0.0.1:5251/", "https://127.0.0.1:5251/", "https://[::1]/"):
            with pytest.raises(ValidationError):
                services.create_endpoint(owner, url=url, events=["signature.created"])


def test_plain_http_only_to_loopback(app):
    app.extensions["coalition.webhook_resolver"] = lambda host, port: [
        ipaddress.ip_address("93.184.216.34")
    ]
    with app.app_context():
        owner = factories.user()
        with pytest.raises(ValidationError) as refused:
            services.create_endpoint(owner, url="http://hooks.example.org/",
                                     events=["signature.created"])
        assert "https" in refused.value.message
        endpoint, _ = services.create_endpoint(owner, url="https://hooks.example.org/x",
                                               events=["signature.created"])
        assert endpoint.url == "https://hooks.example.org/x"


def test_a_name_resolving_to_a_private_address_is_refused(app):
    app.extensions["coalition.webhook_resolver"] = lambda host, port: [
        ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("10.0.0.7"),
    ]
    with app.app_context():
        owner = factories.user()
        with pytest.raises(ValidationError):
            services.create_endpoint(owner, url="https://mixed.example.org/",
                                     events=["signature.created"])


def test_unresolvable_name_is_refused(app):
    app.extensions["coalition.webhook_resolver"] = lambda host, port: []
    with app.app_context():
        owner = factories.user()
        with pytest.raises(ValidationError):
            services.create_endpoint(owner, url="https://nowhere.invalid/",
                                     events=["signature.created"])


def test_rebinding_to_a_private_address_is_refused_at_delivery_before_connecting(
    app, monkeypatch, receiver: Receiver
):
    """Registered while the name pointed at an allowed address; at delivery it resolves to
    10.0.0.0/8: the try is refused and logged, and no connection is opened."""
    answers = {"now": "127.0.0.1"}
    app.extensions["coalition.webhook_resolver"] = lambda host, port: [
        ipaddress.ip_address(answers["now"])
    ]
    with app.app_context():
        owner = factories.user()
        url = f"http://rebind.example.test:{receiver.port}/hook"
        services.create_endpoint(owner, url=url, events=["signature.created"])
        statement = factories.statement(owner, state="open")
        factories.signed(statement, "Partner Org")
    answers["now"] = "10.0.0.5"
    made = _no_connections(monkeypatch)
    with app.app_context():
        sender.send_due()
        attempt = db.session.scalars(select(WebhookAttempt)).one()
        assert attempt.status_code is None and "10.0.0.5" in attempt.error
        assert attempt.error.startswith("Refused")
        delivery = db.session.scalars(select(WebhookDelivery)).one()
        assert delivery.delivered_at is None and delivery.failed_at is None
    assert made == [] and receiver.received == []
    # Pointing back at the allowed address, the next try goes to the checked address.
    answers["now"] = "127.0.0.1"
    monkeypatch.undo()
    with app.app_context():
        sender.send_due(now=utcnow() + dt.timedelta(hours=1))
    assert len(receiver.received) == 1
    assert receiver.received[0].headers["Host"] == f"rebind.example.test:{receiver.port}"


def test_no_redirect_is_followed(app, receiver: Receiver):
    receiver.status = 302
    with app.app_context():
        owner = factories.user()
        services.create_endpoint(owner, url=receiver.url, events=["signature.created"])
        statement = factories.statement(owner, state="open")
        factories.signed(statement, "Partner Org")
        sender.send_due()
        delivery = db.session.scalars(select(WebhookDelivery)).one()
        assert delivery.delivered_at is None and delivery.last_status == 302
    assert len(receiver.received) == 1
