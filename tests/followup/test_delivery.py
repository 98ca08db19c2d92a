"""Delivering a published joint letter by e-mail, and logging the addressee's response."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coalition.domain.errors import Conflict, NotFound, ValidationError
from coalition.domain.followup import check_response_file
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.followup import delivery
from coalition.models import (
    AuditEvent,
    Delivery,
    OutboxAttachment,
    OutboxMessage,
    Statement,
    User,
)
from coalition.publishing import services as publishing
from tests import factories
from tests.followup.conftest import Letter, make_letter

PDF_MAGIC = b"%PDF-"


def _mails(kind: str = delivery.KIND) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    ))


def test_the_preview_renders_the_cover_message_and_writes_nothing(letter: Letter) -> None:
    plan = delivery.plan(
        letter.lead, letter.statement, recipients="jane.doe@gov.example\nOffice@Gov.example",
        message="We would welcome a meeting.",
    )
    assert plan.recipients == ["jane.doe@gov.example", "office@gov.example"]
    assert plan.to_send == plan.recipients and plan.already == []
    assert plan.subject == "Joint letter: Withdraw the Bill"
    assert plan.body_text.startswith("Dear Home Secretary,")
    assert "signed by 2 organisations and people" in plan.body_text
    assert "We would welcome a meeting." in plan.body_text
    assert f"http://coalition.test/s/{letter.statement.slug}" in plan.body_text
    assert plan.attachment_name == f"{letter.statement.slug}.pdf"
    assert _mails() == [] and db.session.scalar(select(func.count(Delivery.id))) == 0


def test_delivery_sends_the_pdf_once_per_recipient_and_records_it(letter: Letter) -> None:
    plan, made = delivery.deliver(
        letter.lead, letter.statement, recipients=["jane.doe@gov.example", "office@gov.example"]
    )
    db.session.commit()
    assert [row.recipient for row in made] == ["jane.doe@gov.example", "office@gov.example"]
    mails = _mails()
    assert [mail.to_address for mail in mails] == ["jane.doe@gov.example", "office@gov.example"]
    for mail, row in zip(mails, made, strict=True):
        assert row.outbox_message_id == mail.id and row.edition.number == 1
        (attachment,) = mail.attachments
        assert attachment.content_type == "application/pdf"
        assert attachment.content.startswith(PDF_MAGIC)
    # The addresses are kept for the next delivery.
    assert delivery.saved_recipients(letter.statement) == plan.recipients
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "letter.delivered")
    ).one()
    assert event.detail["recipients"] == plan.recipients and event.detail["edition"] == 1


def test_nothing_is_sent_twice_by_accident(letter: Letter) -> None:
    delivery.deliver(letter.lead, letter.statement, recipients=["jane.doe@gov.example"])
    db.session.commit()
    with pytest.raises(Conflict):
        delivery.deliver(letter.lead, letter.statement)  # the saved recipients again
    db.session.rollback()
    # Adding an address sends to it alone.
    plan, made = delivery.deliver(
        letter.lead, letter.statement, recipients="jane.doe@gov.example\nclerk@gov.example"
    )
    db.session.commit()
    assert [row.recipient for row in made] == ["clerk@gov.example"]
    assert plan.already == ["jane.doe@gov.example"]
    assert len(_mails()) == 2


def test_a_later_edition_is_delivered_again_and_recorded(letter: Letter) -> None:
    delivery.deliver(letter.lead, letter.statement, recipients=["jane.doe@gov.example"])
    db.session.commit()
    drafting.change_state(letter.lead, letter.statement, "open")
    factories.signed(letter.statement, "Delta Union")
    publishing.publish(letter.lead, letter.statement, note="One more signatory")
    db.session.commit()
    plan, made = delivery.deliver(letter.lead, letter.statement)
    db.session.commit()
    assert plan.edition.number == 2 and [row.recipient for row in made] == ["jane.doe@gov.example"]
    assert "signed by 3" in _mails()[-1].body_text
    assert [(row.edition.number, row.recipient) for row in delivery.deliveries(letter.statement)] \
        == [(2, "jane.doe@gov.example"), (1, "jane.doe@gov.example")]


def test_delivery_is_refused_when_it_cannot_be_made(ctx: Flask) -> None:
    unpublished = make_letter(publish=False)
    with pytest.raises(Conflict, match="publish it first"):
        delivery.plan(unpublished.lead, unpublished.statement, recipients="a@gov.example")
    published = make_letter()
    with pytest.raises(ValidationError):
        delivery.plan(published.lead, published.statement, recipients="not an address")
    with pytest.raises(ValidationError):
        delivery.plan(published.lead, published.statement, recipients="")
    stranger = factories.user(organisation="Someone Else")
    with pytest.raises(NotFound):
        delivery.plan(stranger, published.statement, recipients="a@gov.example")
    published.statement.letter_addressee_name = ""
    with pytest.raises(Conflict, match="joint letter"):
        delivery.plan(published.lead, published.statement, recipients="a@gov.example")


def test_the_cover_message_is_in_the_statements_language(ctx: Flask) -> None:
    made = make_letter(publish=False)
    made.statement.language = "fr"
    made.statement.letter_salutation = "Madame la Ministre,"
    publishing.publish(made.lead, made.statement)
    db.session.commit()
    plan = delivery.plan(made.lead, made.statement, recipients="ministre@gouv.example")
    assert plan.subject == "Lettre commune\u202f: Withdraw the Bill"
    assert "Veuillez trouver ci-joint la lettre commune" in plan.body_text


def test_the_lead_previews_then_delivers_in_the_page(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        made = make_letter()
        statement_id, lead = made.id, made.lead
        factories.login(client, lead)
    url = f"/statements/{statement_id}/after-publication"
    assert client.get(url).status_code == 200
    form = {"recipients": "jane.doe@gov.example\nclerk@gov.example", "message": ""}
    preview = client.post(f"{url}/delivery", data={**form, "preview": "Preview"})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Dear Home Secretary," in page
    assert "Deliver the letter" in page
    sent = client.post(f"{url}/delivery", data={**form, "deliver": "Deliver"})
    assert sent.status_code == 302
    again = client.post(f"{url}/delivery", data={**form, "deliver": "Deliver"})
    assert again.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count(Delivery.id))) == 2
        assert db.session.scalar(select(func.count(OutboxAttachment.id))) == 2


# --- the response ---------------------------------------------------------------------------


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_response_is_logged_and_shown_only_when_chosen(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        made = make_letter()
        today = publishing.today(made.statement)
        response = delivery.log_response(
            made.lead, made.statement, text="The Minister *thanks* you.",
            received_on=today - dt.timedelta(days=1),
            file=check_response_file("Reply from the Minister.png", PNG),
        )
        db.session.commit()
        slug, response_id, ids = made.statement.slug, response.id, (made.lead.id, made.id)
        assert response.file_name == "Reply-from-the-Minister.png"
        assert not response.public
    page = client.get(f"/s/{slug}")
    assert "Response received on" not in page.get_data(as_text=True)
    assert client.get(f"/s/{slug}/responses/{response_id}/file").status_code == 404
    with app.app_context():
        lead, statement = db.session.get(User, ids[0]), db.session.get(Statement, ids[1])
        assert lead is not None and statement is not None
        delivery.show_response(lead, statement, response_id, True)
        db.session.commit()
    shown = client.get(f"/s/{slug}", headers={"If-None-Match": page.headers["ETag"]})
    assert shown.status_code == 200  # the page's validator moved with the response
    text = shown.get_data(as_text=True)
    day = today - dt.timedelta(days=1)
    assert f"Response received on {day.day} {day:%B %Y}" in text
    assert "<em>thanks</em>" in text
    file = client.get(f"/s/{slug}/responses/{response_id}/file")
    assert file.status_code == 200 and file.data == PNG
    assert file.headers["Content-Type"] == "image/png"


def test_a_response_is_checked(letter: Letter) -> None:
    today = publishing.today(letter.statement)
    with pytest.raises(Conflict, match="future"):  # a well-formed date still to come
        delivery.log_response(letter.lead, letter.statement, text="x",
                              received_on=today + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        delivery.log_response(letter.lead, letter.statement, text="  ", received_on=today)
    with pytest.raises(ValidationError, match="PDF, PNG or JPEG"):
        check_response_file("evil.html", b"<script>alert(1)</script>")


def test_the_lead_logs_a_response_with_a_file_in_the_page(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        made = make_letter()
        statement_id, slug = made.id, made.statement.slug
        today = publishing.today(made.statement)
        factories.login(client, made.lead)
    answer = client.post(
        f"/statements/{statement_id}/after-publication/responses",
        data={"received_on": today.isoformat(), "text": "We will consider it.", "public": "y",
              "file": (io.BytesIO(b"%PDF-1.4 reply"), "reply.pdf")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    assert "We will consider it." in client.get(f"/s/{slug}").get_data(as_text=True)
    bad = client.post(
        f"/statements/{statement_id}/after-publication/responses",
        data={"received_on": today.isoformat(), "text": "x",
              "file": (io.BytesIO(b"MZ\x90\x00"), "reply.exe")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "PDF, PNG or JPEG" in bad.get_data(as_text=True)
