"""Importing signatures from a CSV (issue 22): a preview that writes nothing, duplicates
flagged, bad lines with their reason, and a confirmation that checks the list again."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select

from coalition.domain.errors import Conflict, ValidationError
from coalition.extensions import db
from coalition.models import (
    AuditEvent,
    Invitation,
    OutboxMessage,
    Signature,
    SignatureImport,
    SignatureRecord,
    utcnow,
)
from coalition.signing import recording
from tests import factories

HEADER = "name,kind,country,signer_name,signer_role,signer_email,endorsed_revision,signed_at\r\n"


def _line(n: int, **kw: str) -> str:
    values = {"name": f"Group {n:02d}", "kind": "organisation", "country": "FR",
              "signer_name": f"Signer {n}", "signer_role": "Director",
              "signer_email": f"s{n}@group{n}.example.org", "endorsed_revision": "1",
              "signed_at": (utcnow() - dt.timedelta(days=2)).date().isoformat()}
    values.update(kw)
    return ",".join(values.values()) + "\r\n"


def _rows() -> dict[str, int]:
    return {
        "signatures": db.session.scalar(select(func.count(Signature.id))) or 0,
        "invitations": db.session.scalar(select(func.count(Invitation.id))) or 0,
        "mail": db.session.scalar(select(func.count(OutboxMessage.id))) or 0,
        "records": db.session.scalar(select(func.count(SignatureRecord.id))) or 0,
    }


@pytest.fixture
def setup(ctx: Flask):
    owner = factories.user()
    statement = factories.statement(owner, state="open")
    # Already there: a live signature and an invitation without one.
    factories.signed(statement, "Viasna", signer_email="ales@viasna.example.org")
    invited, _ = factories.partner_invitation(statement, "Libereco", "press@libereco.example.org")
    return owner, statement, invited


def _fifty_five() -> str:
    """50 good lines (one of them an invited partner), 3 bad ones and 2 duplicates."""
    text = HEADER + "".join(_line(n) for n in range(1, 50))
    text += _line(50, name="Libereco", signer_email="press@libereco.example.org")
    text += _line(51, signer_email="not an address")
    text += _line(52, name="Bad\u202eName")
    text += _line(53, endorsed_revision="9")
    text += _line(54, name="Viasna", signer_email="someone@viasna.example.org")
    text += _line(55, name="Group 07", signer_email="other@group7.example.org")
    return text


def test_preview_writes_nothing_but_the_held_file(setup):
    owner, statement, invited = setup
    before = _rows()
    preview = recording.hold(owner, statement, content=_fifty_five(), file_name="list.csv")
    db.session.commit()
    assert _rows() == before
    assert db.session.scalar(select(func.count(SignatureImport.id))) == 1
    assert preview.count(recording.NEW) == 49 and preview.count(recording.INVITED) == 1
    assert preview.to_write == 50
    assert [p.line.line for p in preview.lines if p.action == recording.DUPLICATE] == [55, 56]
    assert [r.line for r in preview.refused] == [52, 53, 54]
    reasons = {r.line: r.reason_text for r in preview.refused}
    assert "e-mail" in reasons[52] and "U+202E" in reasons[53] and "Revision 9" in reasons[54]
    duplicates = [str(p.why) for p in preview.lines if p.action == recording.DUPLICATE]
    assert "Viasna has already signed" in duplicates[0]
    assert "line 8" in duplicates[1]


def test_confirm_writes_the_fifty_with_receipts_and_no_invitation_mail(setup):
    owner, statement, invited = setup
    preview = recording.hold(owner, statement, content=_fifty_five(), file_name="list.csv")
    db.session.commit()
    before = _rows()
    assert preview.held is not None
    done, made = recording.confirm(owner, statement, preview.held.id,
                                   fingerprint=preview.fingerprint)
    db.session.commit()
    assert len(made) == 50
    after = _rows()
    assert after["signatures"] - before["signatures"] == 50
    assert after["records"] == 50
    assert after["invitations"] - before["invitations"] == 49  # Libereco's is reused
    kinds = db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.id > 0)).all()
    assert kinds.count("signature_receipt") == 51 and "invitation" not in kinds
    libereco = db.session.scalar(select(Signature).where(Signature.name == "Libereco"))
    assert libereco.invitation_id == invited.id
    record = db.session.scalar(
        select(SignatureRecord).where(SignatureRecord.signature_id == libereco.id))
    assert record.import_id == preview.held.id and record.import_line == 51
    assert record.approved_at is not None
    held = db.session.get(SignatureImport, preview.held.id)
    assert held.confirmed_at is not None and held.imported_count == 50
    assert db.session.scalar(select(AuditEvent.detail).where(
        AuditEvent.action == "signatures.imported"))["count"] == 50


def test_confirm_twice_is_refused(setup):
    owner, statement, _ = setup
    preview = recording.hold(owner, statement, content=HEADER + _line(1))
    recording.confirm(owner, statement, preview.held.id, fingerprint=preview.fingerprint)
    db.session.commit()
    with pytest.raises(Conflict):
        recording.confirm(owner, statement, preview.held.id, fingerprint=preview.fingerprint)


def test_confirm_checks_again_and_refuses_a_changed_list(setup):
    owner, statement, _ = setup
    preview = recording.hold(owner, statement, content=HEADER + _line(1) + _line(2))
    db.session.commit()
    # Meanwhile, Group 02 signs through its own invitation.
    factories.signed(statement, "Group 02", signer_email="s2@group2.example.org")
    before = _rows()
    with pytest.raises(Conflict) as refused:
        recording.confirm(owner, statement, preview.held.id, fingerprint=preview.fingerprint)
    db.session.rollback()
    assert _rows() == before
    fresh = refused.value.extra["preview"]
    assert fresh.count(recording.DUPLICATE) == 1
    # Confirming what is true now works.
    recording.confirm(owner, statement, preview.held.id, fingerprint=fresh.fingerprint)
    db.session.commit()
    assert _rows()["signatures"] == before["signatures"] + 1


def test_an_old_preview_is_refused(setup):
    owner, statement, _ = setup
    preview = recording.hold(owner, statement, content=HEADER + _line(1))
    preview.held.created_at = utcnow() - dt.timedelta(days=2)
    db.session.commit()
    with pytest.raises(Conflict):
        recording.confirm(owner, statement, preview.held.id, fingerprint=preview.fingerprint)


@pytest.mark.parametrize("content", ["", "just,some,words\n", HEADER])
def test_a_file_without_lines_or_columns_is_refused_and_not_kept(setup, content):
    owner, statement, _ = setup
    with pytest.raises(ValidationError):
        recording.hold(owner, statement, content=content)
    db.session.rollback()
    assert db.session.scalar(select(func.count(SignatureImport.id))) == 0


def test_an_older_revision_in_the_file_is_outstanding(setup):
    owner, statement, _ = setup
    from coalition.drafting import services as drafting

    drafting.save_revision(owner, statement, body=factories.BODY + "\n\nMore.",
                           base_revision=1, note="More")
    db.session.commit()
    preview = recording.hold(owner, statement, content=HEADER + _line(1) + _line(
        2, endorsed_revision=""))
    _, made = recording.confirm(owner, statement, preview.held.id,
                                fingerprint=preview.fingerprint)
    db.session.commit()
    assert [s.revision_number for s in made] == [1, 2]
    reconfirm = db.session.scalars(
        select(OutboxMessage.to_address).where(OutboxMessage.kind == "reconfirm")).all()
    assert "s1@group1.example.org" in reconfirm and "s2@group2.example.org" not in reconfirm
