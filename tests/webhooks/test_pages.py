"""The lead's webhook pages: add, edit events, rotate the secret, read the log, re-send,
delete; in English and French; another organisation gets 404."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from coalition.extensions import db
from coalition.models import User, WebhookDelivery, WebhookEndpoint, utcnow
from coalition.webhooks import sender
from tests import factories
from tests.webhooks.conftest import Receiver


def _login(app, client, organisation="Rights Watch"):
    with app.app_context():
        owner = factories.user(organisation)
        factories.login(client, owner)
        return owner.id


def _add(client, url, events=("signature.created",), **extra):
    return client.post("/webhooks", data={"url": url, "events": list(events), **extra})


def test_add_shows_the_secret_once_and_lists_the_endpoint(app, client, receiver: Receiver):
    _login(app, client)
    page = client.get("/webhooks")
    assert page.status_code == 200 and b"Add an endpoint" in page.data
    answer = _add(client, receiver.url, ("signature.created", "edition.published"),
                  description="Our CRM")
    assert answer.status_code == 200
    secret = re.search(rb'value="(whsec_[^"]+)"', answer.data)
    assert secret is not None
    with app.app_context():
        endpoint = db.session.scalars(select(WebhookEndpoint)).one()
        assert endpoint.secret == secret.group(1).decode()
        assert endpoint.events == ["signature.created", "edition.published"]
        endpoint_id = endpoint.id
    listing = client.get("/webhooks")
    assert receiver.url.encode() in listing.data and b"Our CRM" in listing.data
    shown = client.get(f"/webhooks/{endpoint_id}")
    assert shown.status_code == 200 and secret.group(1) not in shown.data


def test_private_addresses_and_no_events_are_refused_with_the_reason(app, client):
    _login(app, client)
    answer = _add(client, "https://10.1.2.3/hook")
    assert answer.status_code == 422 and b"private or reserved address" in answer.data
    answer = _add(client, "https://169.254.169.254/latest/meta-data/")
    assert answer.status_code == 422 and b"link-local" in answer.data
    answer = _add(client, "http://127.0.0.1:5252/hook", events=())
    assert answer.status_code == 422 and b"Choose at least one event" in answer.data
    with app.app_context():
        assert db.session.scalars(select(WebhookEndpoint)).all() == []


def test_edit_rotate_log_resend_delete(app, client, receiver: Receiver):
    owner_id = _login(app, client)
    _add(client, receiver.url)
    with app.app_context():
        endpoint = db.session.scalars(select(WebhookEndpoint)).one()
        endpoint_id, old_secret = endpoint.id, endpoint.secret
    answer = client.post(f"/webhooks/{endpoint_id}", data={
        "url": receiver.url, "events": ["signature.created", "signature.withdrawn"],
        "withheld_names": "y",
    })
    assert answer.status_code == 302
    rotated = client.post(f"/webhooks/{endpoint_id}/secret", data={})
    assert rotated.status_code == 200
    with app.app_context():
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        assert endpoint.events == ["signature.created", "signature.withdrawn"]
        assert endpoint.withheld_names is True
        assert endpoint.secret != old_secret and endpoint.secret.encode() in rotated.data
        owner = db.session.get(User, owner_id)
        statement = factories.statement(owner, state="open")
        factories.signed(statement, "Partner Org")
        receiver.status = 503
        sender.send_due()
        receiver.status = 200
        sender.send_due(now=utcnow() + dt.timedelta(hours=1))
        delivery = db.session.scalars(select(WebhookDelivery)).one()
        event_id = delivery.event_id
    log = client.get(f"/webhooks/{endpoint_id}")
    assert event_id.encode() in log.data
    assert b"answer 503" in log.data and b"answer 200" in log.data and b"Delivered" in log.data
    resent = client.post(f"/webhooks/{endpoint_id}/deliveries/{delivery.id}/resend", data={})
    assert resent.status_code == 302
    with app.app_context():
        sender.send_due()
    assert len(receiver.received) == 3
    assert len({r.headers["Coalition-Webhook-Id"] for r in receiver.received}) == 1
    deleted = client.post(f"/webhooks/{endpoint_id}/delete", data={})
    assert deleted.status_code == 302
    assert receiver.url.encode() not in client.get("/webhooks").data
    kept = client.get(f"/webhooks/{endpoint_id}")
    assert kept.status_code == 200 and b"Deleted" in kept.data and event_id.encode() in kept.data
    assert client.post(f"/webhooks/{endpoint_id}/secret", data={}).status_code == 302


def test_another_organisation_gets_404(app, client, receiver: Receiver):
    _login(app, client)
    _add(client, receiver.url)
    with app.app_context():
        endpoint_id = db.session.scalars(select(WebhookEndpoint.id)).one()
    other = app.test_client()
    _login(app, other, "Other Org")
    assert other.get(f"/webhooks/{endpoint_id}").status_code == 404
    assert other.post(f"/webhooks/{endpoint_id}/delete", data={}).status_code == 404
    assert other.post(f"/webhooks/{endpoint_id}/secret", data={}).status_code == 404
    assert receiver.url.encode() not in other.get("/webhooks").data


def test_pages_in_french(app, client, receiver: Receiver):
    _login(app, client)
    client.post("/account/language", data={"language": "fr"})
    page = client.get("/webhooks")
    assert "Ajouter un point de réception".encode() in page.data
    answer = _add(client, "https://10.1.2.3/hook")
    assert answer.status_code == 422
    assert "adresse privée".encode() in answer.data
