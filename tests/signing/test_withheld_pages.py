"""Signing without being named, through the pages: the sign forms, the lead's page and CSV."""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from coalition.extensions import db
from coalition.models import Signature, Statement
from coalition.signing import open_signon
from coalition.signing.services import SignatureInput
from tests import factories

FORM = {
    "name": "Viasna Underground",
    "kind": "organisation",
    "affiliation": "",
    "country": "BY",
    "signer_name": "Jana Secret",
    "signer_role": "Chair",
    "signer_email": "jana.secret@viasna.example.org",
    "sort_as": "",
    "visibility": "withheld",
    "public_description": "a human rights group based in Belarus",
}


def _logo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (1, 2, 3)).save(out, format="PNG")
    return out.getvalue()


def _world(app: Flask) -> dict[str, object]:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        invitation, token = factories.partner_invitation(statement, "Viasna Underground")
        return {"owner": owner.id, "statement": statement.id, "token": token,
                "email": owner.email}


def test_the_sign_form_explains_who_sees_what_and_signs_unnamed(app: Flask, client: FlaskClient):
    world = _world(app)
    page = client.get(f"/i/{world['token']}/sign").get_data(as_text=True)
    assert "Not named publicly: counted in the total only" in page
    assert "the public and the other partners see only the number" in page
    assert "The lead organisation's staff see your details" in page
    response = client.post(f"/i/{world['token']}/sign", data=FORM)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        signature = db.session.scalar(select(Signature).where(Signature.status == "live"))
        assert signature is not None and signature.public is False
        assert signature.public_description == "a human rights group based in Belarus"
    # The change form shows the choice back, and switching to named is one more change.
    page = client.get(f"/i/{world['token']}/sign").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="withheld"', page)
    response = client.post(f"/i/{world['token']}/sign", data={**FORM, "visibility": "named",
                                                               "signer_name": "",
                                                               "signer_email": ""})
    assert response.status_code == 302
    with app.app_context():
        signature = db.session.scalar(select(Signature).where(Signature.status == "live"))
        assert signature is not None and signature.public is True


def test_the_sign_form_speaks_french(app: Flask, client: FlaskClient):
    world = _world(app)
    page = client.get(f"/i/{world['token']}/sign", headers={"Accept-Language": "fr"}
                      ).get_data(as_text=True)
    assert "Non nommés publiquement\u202f: comptés dans le total seulement" in page
    assert "le public et les autres partenaires ne voient que le nombre" in page


def test_open_sign_on_offers_the_choice(app: Flask, client: FlaskClient):
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        open_signon.set_options(owner, statement, open_signon=True, group_individuals=False)
        db.session.commit()
        link = statement.open_signon_token
    page = client.get(f"/open/{link}").get_data(as_text=True)
    assert "Not named publicly: counted in the total only" in page
    response = client.post(f"/open/{link}", data={**FORM, "website": "https://viasna.example.org",
                                                   "fax_number": ""})
    assert response.status_code == 200
    with app.app_context():
        request = db.session.scalar(select(Signature))
        assert request is not None and request.public is False


def test_the_lead_sees_it_marked_and_can_hide_all_but_the_name(app: Flask, client: FlaskClient):
    world = _world(app)
    with app.app_context():
        statement = db.session.get(Statement, world["statement"])
        assert statement is not None
        from coalition.models import Invitation
        from coalition.signing import services

        invitation = db.session.scalar(select(Invitation))
        assert invitation is not None
        signature, _ = services.sign(invitation, SignatureInput(
            name="Viasna Underground", signer_name="Jana Secret",
            signer_email="jana.secret@viasna.example.org", country="BY", public=False,
            public_description="a group in Belarus", logo=_logo(),
        ), token=str(world["token"]))
        db.session.commit()
        signature_id = signature.id
        owner = statement.organisation.users[0]
        factories.login(client, owner)
    page = client.get(f"/statements/{world['statement']}/signatories").get_data(as_text=True)
    assert "Not named publicly" in page and "jana.secret@viasna.example.org" in page
    assert "Public description: a group in Belarus" in page
    csv = client.get(f"/statements/{world['statement']}/signatories.csv").get_data(as_text=True)
    assert "named_publicly" in csv and ",no,a group in Belarus" in csv
    response = client.post(f"/statements/{world['statement']}/withheld-options", data={
        "wording_one": "plus {{count}} group", "wording_other": "plus {{count}} groups",
        "hidden_from_staff": "y",
    })
    assert response.status_code == 302
    page = client.get(f"/statements/{world['statement']}/signatories").get_data(as_text=True)
    assert "Viasna Underground" in page and "Not named publicly" in page
    for detail in ("jana", "Belarus", "Chair"):
        assert detail not in page, detail
    csv = client.get(f"/statements/{world['statement']}/signatories.csv").get_data(as_text=True)
    assert "Viasna Underground" in csv and "jana" not in csv and "Belarus" not in csv
    assert client.get(
        f"/statements/{world['statement']}/signatories/{signature_id}/logo"
    ).status_code == 404
    outbox = client.get(f"/statements/{world['statement']}/outbox").get_data(as_text=True)
    assert "jana.secret" not in outbox
    with app.app_context():
        statement = db.session.get(Statement, world["statement"])
        assert statement is not None and statement.withheld_wording_other == "plus {{count}} groups"
