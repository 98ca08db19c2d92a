"""Signatures recorded on a partner's behalf (issue 22): one at a time, through the signing
path, with evidence, a receipt and the same integrity rules as a partner's own click."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select

from coalition import roster
from coalition.domain.errors import Conflict, NotFound, ValidationError
from coalition.domain.followup import check_response_file
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.invitations.access import link_token
from coalition.models import (
    AuditEvent,
    Invitation,
    OutboxMessage,
    Signature,
    SignatureRecord,
    utcnow,
)
from coalition.signing import listing, recording, services
from coalition.signing.services import SignatureInput
from tests import factories

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def _data(name: str = "Viasna", **kw: object) -> SignatureInput:
    kw.setdefault("signer_name", "Ales Bialiatski")
    kw.setdefault("signer_role", "Chair")
    kw.setdefault("signer_email", "ales@viasna.example.org")
    return SignatureInput(name=name, **kw)  # type: ignore[arg-type]


def _yesterday() -> dt.datetime:
    return utcnow() - dt.timedelta(days=1)


@pytest.fixture
def setup(ctx: Flask):
    owner = factories.user(name="Maria Lead")
    statement = factories.statement(owner, state="open")
    return owner, statement


def _mails(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def test_recording_for_a_partner_not_invited_makes_its_invitation_and_a_live_signature(setup):
    owner, statement = setup
    done = recording.record(
        owner, statement, _data(), approved_at=_yesterday(),
        evidence_text="From: ales@viasna.example.org\n\nYes, Viasna signs.",
    )
    db.session.commit()
    assert done.created and done.invited_now
    signature = done.signature
    assert signature.status == "live" and signature.invitation_id == done.invitation.id
    assert signature.signer_name == "Ales Bialiatski" and signature.signer_role == "Chair"
    assert done.invitation.email == "ales@viasna.example.org"
    record = db.session.scalar(select(SignatureRecord))
    assert record is not None and record.signature_id == signature.id
    assert record.recorded_by_id == owner.id
    assert record.evidence_text.endswith("Yes, Viasna signs.")
    # No invitation mail: the receipt carries the invitation's one link.
    assert _mails("invitation") == []
    receipts = _mails("signature_receipt")
    assert [m.to_address for m in receipts] == ["ales@viasna.example.org"]
    assert link_token(done.invitation) in receipts[0].body_text
    assert "recorded by Maria Lead" in receipts[0].body_text
    # It counts like any other signature.
    assert listing.counts(statement, 1)["list"] == 1


def test_the_audit_log_says_who_recorded_it_for_whom(setup):
    owner, statement = setup
    recording.record(owner, statement, _data(), approved_at=_yesterday(), evidence_text="ok")
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "signature.signed"))
    assert event is not None
    assert event.actor_user_id == owner.id and event.actor_label == owner.email
    assert event.detail["recorded_for"] == "Viasna"
    assert event.detail["approved_at"]


def test_recording_on_an_existing_invitation_uses_it(setup):
    owner, statement = setup
    invitation, _ = factories.partner_invitation(statement, "Viasna", "office@viasna.example.org")
    done = recording.record(owner, statement, _data(), invitation_id=invitation.id,
                            approved_at=_yesterday(), evidence_text="By phone with Ales.")
    db.session.commit()
    assert done.invitation.id == invitation.id and not done.invited_now
    assert db.session.scalar(select(func.count(Invitation.id))) == 1


def test_an_address_already_invited_is_recorded_on_that_invitation(setup):
    owner, statement = setup
    invitation, _ = factories.partner_invitation(statement, "Viasna HQ", "ales@viasna.example.org")
    done = recording.record(owner, statement, _data(), approved_at=_yesterday(),
                            evidence_text="ok")
    db.session.commit()
    assert done.invitation.id == invitation.id and not done.invited_now


def test_the_partner_can_change_and_withdraw_it_through_its_link(setup):
    owner, statement = setup
    done = recording.record(owner, statement, _data(), approved_at=_yesterday(),
                            evidence_text="ok")
    db.session.commit()
    changed, created = services.sign(done.invitation, SignatureInput(name="Viasna Centre"))
    db.session.commit()
    assert not created and changed.signer_name == "Ales Bialiatski"
    assert db.session.get(Signature, done.signature.id).status == "superseded"
    # The partner's own change is not recorded by anyone.
    assert db.session.scalar(
        select(func.count(SignatureRecord.id)).where(SignatureRecord.signature_id == changed.id)
    ) == 0
    services.withdraw(done.invitation)
    db.session.commit()
    assert roster.live_signature(done.invitation) is None


def test_an_older_revision_is_outstanding_and_its_signer_asked_to_reconfirm(setup):
    owner, statement = setup
    drafting.save_revision(owner, statement, body=factories.BODY.replace(
        "all prisoners", "every prisoner"), base_revision=1, note="Wider")
    db.session.commit()
    done = recording.record(owner, statement, _data(), revision=1, approved_at=_yesterday(),
                            evidence_text="They approved the first draft.")
    db.session.commit()
    assert done.signature.revision_number == 1
    assert not roster.covers(done.signature, statement)
    assert [s.name for s in roster.outstanding(statement)] == ["Viasna"]
    mails = _mails("reconfirm")
    assert [m.to_address for m in mails] == ["ales@viasna.example.org"]
    assert "every" in mails[0].body_html
    # Signing again through the link moves the endorsement to the current text.
    services.reconfirm(done.invitation)
    db.session.commit()
    assert roster.live_signature(done.invitation).revision_number == 2


def test_a_revision_that_does_not_exist_is_refused(setup):
    owner, statement = setup
    with pytest.raises(Conflict) as refused:
        recording.record(owner, statement, _data(), revision=7, approved_at=_yesterday(),
                         evidence_text="ok")
    assert "revision" in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(select(func.count(Signature.id))) == 0


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("evidence_text", {"evidence_text": ""}),
        ("approved_at", {"approved_at": None}),
        ("evidence_text", {"evidence_text": "yes\u202eon"}),
    ],
)
def test_missing_or_bad_evidence_and_time_are_refused(setup, field, kwargs):
    owner, statement = setup
    values: dict[str, object] = {"approved_at": _yesterday(), "evidence_text": "ok", **kwargs}
    with pytest.raises(ValidationError) as refused:
        recording.record(owner, statement, _data(), **values)  # type: ignore[arg-type]
    assert field in refused.value.fields


def test_a_time_in_the_future_is_refused(setup):
    owner, statement = setup
    with pytest.raises(Conflict) as refused:
        recording.record(owner, statement, _data(), evidence_text="ok",
                         approved_at=utcnow() + dt.timedelta(days=2))
    assert "approved_at" in refused.value.fields


def test_the_signers_name_is_kept_as_typed_and_bad_text_refused(setup):
    owner, statement = setup
    with pytest.raises(ValidationError) as refused:
        recording.record(owner, statement, _data(signer_name="Ales\u202eBialiatski"),
                         approved_at=_yesterday(), evidence_text="ok")
    assert "signer_name" in refused.value.fields
    db.session.rollback()
    done = recording.record(owner, statement, _data(signer_name="Алесь Бяляцкі\u200d"),
                            approved_at=_yesterday(), evidence_text="ok")
    assert done.signature.signer_name == "Алесь Бяляцкі\u200d"


def test_a_file_is_kept_as_evidence(setup):
    owner, statement = setup
    upload = check_response_file("Mail from Viasna.pdf", PDF, "evidence_file")
    done = recording.record(owner, statement, _data(), approved_at=_yesterday(),
                            evidence_file=upload)
    db.session.commit()
    record = db.session.scalar(select(SignatureRecord))
    assert record is not None and record.file_content == PDF
    assert record.file_name == "Mail-from-Viasna.pdf" and record.file_type == "application/pdf"
    assert done.signature.id == record.signature_id


def test_withheld_as_the_partner_chose(setup):
    owner, statement = setup
    done = recording.record(
        owner, statement, _data(public=False, public_description="a group in Belarus"),
        approved_at=_yesterday(), evidence_text="ok")
    db.session.commit()
    assert done.signature.public is False
    assert listing.published_rows(statement) == []
    assert listing.withheld_descriptions(statement) == ["a group in Belarus"]


def test_only_while_signing_is_open(ctx: Flask):
    owner = factories.user()
    statement = factories.statement(owner, state="review")
    with pytest.raises(Conflict):
        recording.record(owner, statement, _data(), approved_at=_yesterday(),
                         evidence_text="ok")


def test_another_organisation_cannot_record(setup):
    _, statement = setup
    stranger = factories.user(organisation="Elsewhere")
    with pytest.raises(NotFound):
        recording.record(stranger, statement, _data(), approved_at=_yesterday(),
                         evidence_text="ok")


def test_a_revoked_invitation_is_refused(setup):
    owner, statement = setup
    invitation, _ = factories.partner_invitation(statement, "Viasna", "ales@viasna.example.org")
    invitation.revoked_at = utcnow()
    db.session.commit()
    with pytest.raises(Conflict):
        recording.record(owner, statement, _data(), approved_at=_yesterday(),
                         evidence_text="ok")
