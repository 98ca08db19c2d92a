"""The API after publication: deliveries, responses and updates under /api/v1."""

from __future__ import annotations

import base64

from flask import Flask
from flask.testing import FlaskClient

from coalition.publishing import services as publishing
from tests import factories
from tests.followup.conftest import make_letter


def _setup(app: Flask) -> tuple[int, dict[str, str], str]:
    with app.app_context():
        letter = make_letter()
        return letter.id, factories.bearer(factories.token(letter.lead)), \
            publishing.today(letter.statement).isoformat()


def test_deliver_through_the_api(app: Flask, client: FlaskClient) -> None:
    statement_id, headers, _ = _setup(app)
    url = f"/api/v1/statements/{statement_id}/deliveries"
    preview = client.post(url, headers=headers, json={
        "recipients": ["jane.doe@gov.example"], "preview": True, "message": "Kind regards.",
    })
    assert preview.status_code == 200
    body = preview.get_json()
    assert body["to_send"] == ["jane.doe@gov.example"] and "Kind regards." in body["body_text"]
    assert client.get(url, headers=headers).get_json() == {"recipients": [], "deliveries": []}
    sent = client.post(url, headers=headers, json={"recipients": ["jane.doe@gov.example"]})
    assert sent.status_code == 201
    assert sent.get_json() == {"edition": 1, "delivered": ["jane.doe@gov.example"], "already": []}
    again = client.post(url, headers=headers, json={})
    assert again.status_code == 409 and again.get_json()["already"] == ["jane.doe@gov.example"]
    listed = client.get(url, headers=headers).get_json()
    assert listed["recipients"] == ["jane.doe@gov.example"]
    (row,) = listed["deliveries"]
    assert row["edition"] == 1 and row["status"] == "queued" and row["delivered_at"].endswith("Z")
    bad = client.post(url, headers=headers, json={"recipients": ["nope"]})
    assert bad.status_code == 422 and "recipients" in bad.get_json()["fields"]
    wrong = client.post(url, headers=headers, json={"recipients": "jane.doe@gov.example"})
    assert wrong.status_code == 422


def test_log_and_show_a_response_through_the_api(app: Flask, client: FlaskClient) -> None:
    statement_id, headers, today = _setup(app)
    url = f"/api/v1/statements/{statement_id}/responses"
    pdf = base64.b64encode(b"%PDF-1.4 the reply").decode()
    made = client.post(url, headers=headers, json={
        "received_on": today, "text": "We will consider it.",
        "file": {"name": "reply.pdf", "content_base64": pdf},
    })
    assert made.status_code == 201
    response = made.get_json()
    assert response["public"] is False and response["file"] == "reply.pdf"
    shown = client.patch(f"{url}/{response['id']}", headers=headers, json={"public": True})
    assert shown.status_code == 200 and shown.get_json()["public"] is True
    assert client.get(url, headers=headers).get_json()["responses"][0]["public"] is True
    for body in (
        {"received_on": "yesterday", "text": "x"},
        {"received_on": today},
        {"received_on": today, "file": {"name": "x.pdf", "content_base64": "%%%"}},
        {"received_on": today, "file": {"name": "x.exe", "content_base64": "TVqQ"}},
    ):
        refused = client.post(url, headers=headers, json=body)
        assert refused.status_code == 422, body
    assert client.patch(f"{url}/999", headers=headers, json={"public": True}).status_code == 404


def test_post_an_update_through_the_api(app: Flask, client: FlaskClient) -> None:
    statement_id, headers, _ = _setup(app)
    url = f"/api/v1/statements/{statement_id}/updates"
    made = client.post(url, headers=headers, json={"title": "Delivered", "body": "**Done.**"})
    assert made.status_code == 201
    update = made.get_json()
    assert update["mailed"] == 4 and update["url"].endswith(f"#update-{update['id']}")
    assert client.get(url, headers=headers).get_json()["updates"][0]["title"] == "Delivered"
    assert client.post(url, headers=headers, json={"title": "", "body": "x"}).status_code == 422
    assert client.post(url, headers=headers, json={"title": "x"}).status_code == 422
    # Text is never silently altered: a control character is refused, naming the field.
    refused = client.post(url, headers=headers, json={"title": "x", "body": "a\u202eb"})
    assert refused.status_code == 422 and "body" in refused.get_json()["fields"]


def test_control_characters_are_refused_in_the_response_and_the_message(
    app: Flask, client: FlaskClient
) -> None:
    statement_id, headers, today = _setup(app)
    base = f"/api/v1/statements/{statement_id}"
    response = client.post(f"{base}/responses", headers=headers,
                           json={"received_on": today, "text": "ok\u0000"})
    assert response.status_code == 422 and "text" in response.get_json()["fields"]
    delivery = client.post(f"{base}/deliveries", headers=headers, json={
        "recipients": ["jane.doe@gov.example"], "message": "hi\u202d", "preview": True})
    assert delivery.status_code == 422 and "message" in delivery.get_json()["fields"]


def test_the_openapi_document_describes_the_new_routes(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/statements/{id}/deliveries"])
    assert {"get", "post"} <= set(paths["/statements/{id}/responses"])
    assert "patch" in paths["/statements/{id}/responses/{response_id}"]
    assert {"get", "post"} <= set(paths["/statements/{id}/updates"])
