"""The webhook API: bearer token, the API's errors, another organisation gets 404."""

from __future__ import annotations

import datetime as dt

from coalition.extensions import db
from coalition.models import utcnow
from coalition.webhooks import sender
from tests import factories
from tests.webhooks.conftest import Receiver


def _lead(app, organisation="Rights Watch"):
    with app.app_context():
        owner = factories.user(organisation)
        statement = factories.statement(owner, state="open")
        return factories.bearer(factories.token(owner)), statement.id


def test_register_list_change_rotate_log_resend_delete(app, client, receiver: Receiver):
    headers, statement_id = _lead(app)
    made = client.post("/api/v1/webhooks", headers=headers, json={
        "url": receiver.url, "events": ["signature.created", "statement.state_changed"],
        "description": "CRM",
    })
    assert made.status_code == 201, made.json
    endpoint = made.json
    assert endpoint["secret"].startswith("whsec_") and endpoint["withheld_names"] is False
    listed = client.get("/api/v1/webhooks", headers=headers).json["endpoints"]
    assert [e["id"] for e in listed] == [endpoint["id"]] and "secret" not in listed[0]
    changed = client.patch(f"/api/v1/webhooks/{endpoint['id']}", headers=headers,
                           json={"events": ["statement.state_changed"], "withheld_names": True})
    assert changed.status_code == 200
    assert changed.json["events"] == ["statement.state_changed"]
    assert changed.json["url"] == receiver.url and changed.json["description"] == "CRM"
    rotated = client.post(f"/api/v1/webhooks/{endpoint['id']}/secret", headers=headers)
    assert rotated.status_code == 200 and rotated.json["secret"] != endpoint["secret"]
    client.post(f"/api/v1/statements/{statement_id}/state", headers=headers,
                json={"state": "closed"})
    receiver.status = 500
    with app.app_context():
        sender.send_due()
    receiver.status = 200
    with app.app_context():
        sender.send_due(now=utcnow() + dt.timedelta(hours=1))
    log = client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries", headers=headers)
    assert log.status_code == 200
    (delivery,) = log.json["deliveries"]
    assert delivery["event"] == "statement.state_changed" and delivery["status"] == "delivered"
    assert [t["status_code"] for t in delivery["tries"]] == [500, 200]
    again = client.post(
        f"/api/v1/webhooks/{endpoint['id']}/deliveries/{delivery['id']}/resend",
        headers=headers)
    assert again.status_code == 200 and again.json["status"] == "waiting"
    with app.app_context():
        sender.send_due()
    assert len({r.headers["Coalition-Webhook-Id"] for r in receiver.received}) == 1
    assert len(receiver.received) == 3
    deleted = client.delete(f"/api/v1/webhooks/{endpoint['id']}", headers=headers)
    assert deleted.status_code == 200 and deleted.json["deleted_at"]
    assert client.delete(f"/api/v1/webhooks/{endpoint['id']}", headers=headers
                         ).status_code == 409
    assert client.get(f"/api/v1/webhooks/{endpoint['id']}", headers=headers).status_code == 200
    assert client.get("/api/v1/webhooks", headers=headers).json["endpoints"] == []


def test_refusals(app, client):
    headers, _ = _lead(app)
    for body, field in [
        ({"url": "https://10.0.0.1/", "events": ["update.posted"]}, "url"),
        ({"url": "https://[fe80::1]/", "events": ["update.posted"]}, "url"),
        ({"url": "ftp://example.org/", "events": ["update.posted"]}, "url"),
        ({"url": "https://93.184.216.34/", "events": []}, "events"),
        ({"url": "https://93.184.216.34/", "events": ["signature.deleted"]}, "events.0"),
        ({"url": "https://93.184.216.34/"}, "events"),
    ]:
        answer = client.post("/api/v1/webhooks", headers=headers, json=body)
        assert answer.status_code == 422, (body, answer.json)
        assert field in answer.json["fields"], (body, answer.json)
    assert client.post("/api/v1/webhooks", json={
        "url": "https://93.184.216.34/", "events": ["update.posted"]}).status_code == 401


def test_another_organisation_gets_404(app, client):
    headers, _ = _lead(app)
    other, _ = _lead(app, "Other Org")
    made = client.post("/api/v1/webhooks", headers=headers, json={
        "url": "https://93.184.216.34/hook", "events": ["update.posted"]}).json
    for method, path in [("get", ""), ("patch", ""), ("delete", ""), ("post", "/secret"),
                         ("get", "/deliveries")]:
        answer = getattr(client, method)(f"/api/v1/webhooks/{made['id']}{path}",
                                         headers=other, json={} if method == "patch" else None)
        assert answer.status_code == 404, (method, path)
    with app.app_context():
        db.session.remove()
