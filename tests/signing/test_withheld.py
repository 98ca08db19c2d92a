"""Signing without being named (issue 15): a full signature, counted, never named publicly."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from coalition import withheld
from coalition.domain.errors import ValidationError
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import AuditEvent, Edition, EditionSignatory, OutboxMessage, Signature
from coalition.publishing import files
from coalition.publishing import services as publishing
from coalition.signing import services
from coalition.signing.services import SignatureInput
from tests import factories


def _data(name: str, **kw: object) -> SignatureInput:
    kw.setdefault("signer_name", "Olga Hidden")
    kw.setdefault("signer_email", "olga@hidden.example.org")
    return SignatureInput(name=name, **kw)  # type: ignore[arg-type]


@pytest.fixture
def setup(ctx: Flask):
    owner = factories.user()
    statement = factories.statement(
        owner, body="We, {{signatories}} organisations, said today.", state="open"
    )
    invitation, token = factories.partner_invitation(statement, "Viasna Underground")
    return owner, statement, invitation, token


def test_a_withheld_signature_is_stored_with_its_choice_and_audited(setup):
    owner, statement, invitation, token = setup
    signature, created = services.sign(
        invitation,
        _data("Viasna Underground", public=False, public_description="a group in Belarus"),
        token=token,
    )
    db.session.commit()
    assert created and signature.public is False
    assert signature.public_description == "a group in Belarus"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "signature.signed"))
    assert event is not None and event.detail["public"] is False
    receipt = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "signature_receipt")
    )
    assert receipt is not None and "Not named publicly" in receipt.body_text
    assert "Listed as" not in receipt.body_text


def test_the_choice_is_kept_by_a_change_and_a_reconfirmation_and_can_be_switched(setup):
    owner, statement, invitation, token = setup
    services.sign(invitation, _data("Viasna Underground", public=False,
                                    public_description="a group in Belarus"), token=token)
    db.session.commit()
    # A change that does not say keeps the choice and the description.
    changed, created = services.sign(invitation, SignatureInput(name="Viasna Underground 2"))
    db.session.commit()
    assert not created and changed.public is False
    assert changed.public_description == "a group in Belarus"
    # A substantive change asks for re-confirmation; re-confirming keeps the choice.
    drafting.save_revision(owner, statement, body="New text {{signatories}}.", base_revision=1)
    db.session.commit()
    again, _ = services.reconfirm(invitation)
    db.session.commit()
    assert again.public is False and again.revision_number == 2
    # Until publication the partner may switch to named, and back.
    named, _ = services.sign(invitation, SignatureInput(name="Viasna Underground", public=True))
    db.session.commit()
    assert named.public is True
    assert db.session.scalar(
        select(Signature.status).where(Signature.id == again.id)
    ) == "superseded"


def test_public_must_be_a_boolean_and_the_description_a_short_line(setup):
    owner, statement, invitation, token = setup
    with pytest.raises(ValidationError) as error:
        services.sign(invitation, _data("X", public="no"))
    assert "public" in error.value.fields
    db.session.rollback()
    with pytest.raises(ValidationError) as error:
        services.sign(invitation, _data("X", public=False, public_description="d" * 201))
    assert "public_description" in error.value.fields


def test_withdrawal_of_a_published_withheld_signature_is_a_retraction(setup):
    owner, statement, invitation, token = setup
    services.sign(invitation, _data("Viasna Underground", public=False), token=token)
    factories.signed(statement, "Named Partner")
    edition = publishing.publish(owner, statement)
    db.session.commit()
    assert edition.signatory_count == 2 and edition.withheld_count == 1
    drafting.change_state(owner, statement, "open")
    db.session.commit()
    signature = services.withdraw(invitation)
    db.session.commit()
    assert signature.status == "retracted"
    second = publishing.publish(owner, statement)
    db.session.commit()
    assert second.signatory_count == 1 and second.withheld_count == 0
    # The public note counts the retraction without naming it.
    assert "Viasna" not in second.note
    assert "1 signature not named publicly retracted" in second.note


def _twenty_and_four(statement) -> None:
    for n in range(20):
        factories.signed(statement, f"Named Group {n:02d}")
    for n, description in enumerate(["a human rights group based in Belarus", "", "",
                                     "a lawyers' collective in Minsk"]):
        factories.signed(statement, f"Hidden Group {n}", public=False,
                         public_description=description)


def test_twenty_named_and_four_withheld_publish_as_twenty_four(setup):
    owner, statement, invitation, token = setup
    _twenty_and_four(statement)
    edition = publishing.publish(owner, statement)
    db.session.commit()
    assert "We, 24 organisations, said today." in edition.body
    assert edition.signatory_count == 24 and edition.withheld_count == 4
    assert edition.withheld_line == (
        "and 4 organisations that cannot be named for their safety"
    )
    assert [row.name for row in edition.signatories] == [f"Named Group {n:02d}" for n in range(20)]
    hidden = db.session.scalars(
        select(EditionSignatory).where(
            EditionSignatory.edition_id == edition.id, ~EditionSignatory.public
        ).order_by(EditionSignatory.position)
    ).all()
    assert [row.name for row in hidden] == [
        "a human rights group based in Belarus", "a lawyers' collective in Minsk", "", "",
    ]
    assert all(row.country == "" and row.affiliation == "" for row in hidden)
    document = files.edition_document(edition)
    assert document.total == 24 and len(document.signatories) == 20
    assert document.withheld_descriptions == (
        "a human rights group based in Belarus", "a lawyers' collective in Minsk",
    )


def test_the_line_has_plurals_a_french_default_and_the_statement_wording(ctx: Flask):
    assert withheld.line(1, "en", named=True, organisations=True) == (
        "and 1 organisation that cannot be named for its safety"
    )
    assert withheld.line(2, "en", named=False, organisations=False) == (
        "2 signatories who cannot be named for their safety"
    )
    assert withheld.line(1, "fr", named=True, organisations=True) == (
        "et 1 organisation qui ne peut être nommée pour sa sécurité"
    )
    assert withheld.line(4, "fr", named=True, organisations=True) == (
        "et 4 organisations qui ne peuvent être nommées pour leur sécurité"
    )
    assert withheld.line(1200, "fr", named=True, organisations=True).startswith("et 1\u202f200")

    class Wording:
        withheld_wording_one = "plus {{count}} group at risk"
        withheld_wording_other = "plus {{ count }} groups at risk"

    assert withheld.line(1, "en", named=True, organisations=True, wording=Wording()) == (
        "plus 1 group at risk"
    )
    assert withheld.line(3, "en", named=True, organisations=True, wording=Wording()) == (
        "plus 3 groups at risk"
    )
    assert withheld.line(0, "en", named=True, organisations=True) == ""


def test_the_lead_sets_the_wording_and_hides_details_for_good(setup):
    owner, statement, invitation, token = setup
    withheld.set_options(owner, statement, wording_one="plus {{count}} group",
                         wording_other="plus {{count}} groups", hide_from_staff=True)
    db.session.commit()
    withheld.set_options(owner, statement, wording_one="", wording_other="",
                         hide_from_staff=False)
    db.session.commit()
    assert statement.withheld_hidden_from_staff is True  # one way only
    assert statement.withheld_wording_one == ""
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "statement.withheld_options_changed")
    ).all()
    assert len(actions) == 2


# --- the API -----------------------------------------------------------------------------------


@pytest.fixture
def api(app: Flask, client: FlaskClient):
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, body="{{signatories}} groups said.", state="open")
        invitation, token = factories.partner_invitation(statement, "Hidden Org")
        factories.signed(statement, "Named Org")
        auth = factories.bearer(factories.token(owner))
        return {"id": statement.id, "token": token, "auth": auth}


def test_api_signs_without_being_named_and_lists_only_a_count(client: FlaskClient, api):
    response = client.post(f"/api/v1/invitations/{api['token']}/signature", json={
        "name": "Hidden Org", "signer_name": "Ivan", "signer_email": "ivan@hidden.example.org",
        "country": "BY", "public": False, "public_description": "a group based in Belarus",
    })
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["public"] is False
    listed = client.get(f"/api/v1/statements/{api['id']}/signatories", headers=api["auth"])
    data = listed.get_json()
    assert [row["name"] for row in data["signatories"]] == ["Named Org"]
    assert data["withheld"] == 1
    assert data["withheld_descriptions"] == ["a group based in Belarus"]
    assert "Hidden Org" not in listed.get_data(as_text=True)
    assert "ivan" not in listed.get_data(as_text=True).lower()
    published = client.post(f"/api/v1/statements/{api['id']}/publish", json={},
                             headers=api["auth"])
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["signatories"] == ["Named Org"]
    assert published.get_json()["withheld"] == 1
    with client.application.app_context():
        edition = db.session.scalar(select(Edition))
        assert edition is not None and edition.body.startswith("2 groups said.")


def test_api_refuses_a_public_flag_that_is_not_a_boolean(client: FlaskClient, api):
    response = client.post(f"/api/v1/invitations/{api['token']}/signature", json={
        "name": "Hidden Org", "signer_name": "Ivan", "signer_email": "ivan@hidden.example.org",
        "public": "sometimes",
    })
    assert response.status_code == 422
    assert "public" in response.get_json()["fields"]


def test_the_openapi_document_names_the_new_fields(client: FlaskClient):
    document = client.get("/api/v1/openapi.json").get_json()
    properties = document["components"]["schemas"]["SignatureIn"]["properties"]
    assert {"public", "public_description"} <= set(properties)
    listing = document["paths"]["/statements/{id}/signatories"]["get"]["description"]
    assert "withheld" in listing and "withheld_descriptions" in listing
    publish = document["paths"]["/statements/{id}/publish"]["post"]["responses"]["200"]
    assert "withheld" in publish["description"]


def test_switching_after_publication_makes_a_new_edition_that_does_not_name(setup):
    owner, statement, invitation, token = setup
    services.sign(invitation, _data("Viasna Underground"), token=token)
    factories.signed(statement, "Named Partner")
    first = publishing.publish(owner, statement)
    db.session.commit()
    assert [row.name for row in first.signatories] == ["Named Partner", "Viasna Underground"]
    # Signing is closed once published; reopened, the partner may switch like any change.
    drafting.change_state(owner, statement, "open")
    db.session.commit()
    services.sign(invitation, SignatureInput(name="Viasna Underground", public=False))
    db.session.commit()
    second = publishing.publish(owner, statement)
    db.session.commit()
    assert second.number == 2 and second.signatory_count == 2 and second.withheld_count == 1
    assert [row.name for row in second.signatories] == ["Named Partner"]
    assert "Viasna" not in second.note
    document = files.edition_document(second)
    assert document.total == 2 and document.withheld_line.startswith("and 1 organisation")
    # The first edition stays as it was published.
    assert [row.name for row in first.signatories] == ["Named Partner", "Viasna Underground"]
