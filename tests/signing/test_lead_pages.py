"""The lead's signatories page: published order, filters, outstanding, CSV, sort-as, options."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from coalition import roster
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import Invitation, Signature, Statement, User
from coalition.signing import services
from tests import factories

# Names that code-point order gets wrong, in the order a reader expects (DESIGN.md).
EXPECTED = [
    "2 Rivers Trust",
    "10 Downing Street Watch",
    "Ägypten Hilfe",
    "Al-Haq",
    "Amnesty International",
    "“Article 19”",
    "The Bar Human Rights Committee",
    "de Gaulle Foundation",
    "Écoute Solidaire",
    "New Women Initiative",
    "Newcastle Law Centre",
    "Zebra Collective",
    "Беларуская асацыяцыя журналістаў",
    "Вясна",
]


@pytest.fixture
def lead(app: Flask, client: FlaskClient) -> int:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        factories.login(client, owner)
        return statement.id


def _statement(app: Flask, statement_id: int) -> Statement:
    return db.session.get(Statement, statement_id)


def test_page_lists_in_collation_order(app: Flask, client: FlaskClient, lead: int):
    with app.app_context():
        statement = _statement(app, lead)
        for name in reversed(EXPECTED):
            factories.signed(statement, name)
    page = client.get(f"/statements/{lead}/signatories").get_data(as_text=True)
    positions = [page.index(f"<strong>{name}</strong>") for name in EXPECTED]
    assert positions == sorted(positions)


def test_empty_page_says_what_to_do(client: FlaskClient, lead: int):
    page = client.get(f"/statements/{lead}/signatories").get_data(as_text=True)
    assert "No signatures yet" in page
    assert "Signatories" in page  # the tab


def test_outstanding_is_obvious_and_filters_split(app: Flask, client: FlaskClient, lead: int):
    with app.app_context():
        statement = _statement(app, lead)
        owner = db.session.scalar(select(User))
        factories.signed(statement, "Early Signer")
        drafting.save_revision(owner, statement, body="Changed text.", base_revision=1)
        db.session.commit()
        factories.signed(statement, "Late Signer")
    page = client.get(f"/statements/{lead}/signatories").get_data(as_text=True)
    assert "1 signatory has not re-confirmed the current text" in page
    assert "Revision 1 · outstanding" in page and "Revision 2 · current" in page
    outstanding = client.get(f"/statements/{lead}/signatories?show=outstanding").get_data(
        as_text=True
    )
    assert "Early Signer" in outstanding and "<strong>Late Signer</strong>" not in outstanding
    endorsed = client.get(f"/statements/{lead}/signatories?show=endorsed").get_data(as_text=True)
    assert "<strong>Late Signer</strong>" in endorsed
    assert "<strong>Early Signer</strong>" not in endorsed


def test_withdrawn_and_history_filters(app: Flask, client: FlaskClient, lead: int):
    with app.app_context():
        statement = _statement(app, lead)
        signature = factories.signed(statement, "Changed Mind")
        invitation = db.session.get(Invitation, signature.invitation_id)
        services.withdraw(invitation)
        db.session.commit()
    page = client.get(f"/statements/{lead}/signatories?show=withdrawn").get_data(as_text=True)
    assert "Changed Mind" in page and "Withdrawn" in page and "(invitation)" in page
    history = client.get(f"/statements/{lead}/signatories?show=history").get_data(as_text=True)
    assert "Changed Mind" in history


def test_contacts_shown_to_lead(app: Flask, client: FlaskClient, lead: int):
    with app.app_context():
        factories.signed(_statement(app, lead), "Org", signer_email="private@org.example",
                         signer_name="Private Person")
    page = client.get(f"/statements/{lead}/signatories").get_data(as_text=True)
    assert "private@org.example" in page and "Private Person" in page


def test_csv_has_contacts_in_order_and_escapes_formulas(app: Flask, client: FlaskClient, lead: int):
    with app.app_context():
        statement = _statement(app, lead)
        factories.signed(statement, "=HYPERLINK(\"http://evil\")", signer_name="+Plus",
                         signer_email="a@b.example")
        factories.signed(statement, "Amnesty International", signer_name="@mention")
    response = client.get(f"/statements/{lead}/signatories.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["position", "name", "kind"]
    names = [row[1] for row in rows[1:]]
    assert names == ["Amnesty International", "'=HYPERLINK(\"http://evil\")"]
    assert rows[1][5] == "'@mention" and rows[2][5] == "'+Plus"
    assert "a@b.example" in response.get_data(as_text=True)


def test_sort_as_edit_moves_the_name(app: Flask, client: FlaskClient, lead: int):
    with app.app_context():
        statement = _statement(app, lead)
        ales = factories.signed(statement, "Ales Bialiatski", kind="individual")
        factories.signed(statement, "Barys Zvozskau", kind="individual")
        ales_id = ales.id
    with app.app_context():
        order = [s.name for s in roster.published(_statement(app, lead))]
    assert order == ["Ales Bialiatski", "Barys Zvozskau"]
    response = client.post(f"/statements/{lead}/signatories/{ales_id}/sort-as",
                           data={"sort_as": "Bialiatski Ales"})
    assert response.status_code == 302
    with app.app_context():
        order = [s.name for s in roster.published(_statement(app, lead))]
        assert db.session.get(Signature, ales_id).sort_as == "Bialiatski Ales"
    assert order == ["Barys Zvozskau", "Ales Bialiatski"]  # "Ba" before "Bi"
    page = client.get(f"/statements/{lead}/signatories").get_data(as_text=True)
    assert "“Bialiatski Ales”" in page
    client.post(f"/statements/{lead}/signatories/{ales_id}/sort-as", data={"sort_as": " "})
    with app.app_context():
        order = [s.name for s in roster.published(_statement(app, lead))]
        assert db.session.get(Signature, ales_id).sort_as is None
    assert order == ["Ales Bialiatski", "Barys Zvozskau"]


def test_grouping_option_shows_groups(app: Flask, client: FlaskClient, lead: int):
    with app.app_context():
        statement = _statement(app, lead)
        factories.signed(statement, "Anna Person", kind="individual", affiliation="Uni")
        factories.signed(statement, "Zed Org")
    client.post(f"/statements/{lead}/signing-options", data={"group_individuals": "y"})
    page = client.get(f"/statements/{lead}/signatories").get_data(as_text=True)
    assert page.index("Organisations") < page.index("Zed Org") < page.index("Individuals")
    assert page.index("Individuals") < page.index("Anna Person")


def test_other_organisation_gets_404(app: Flask, client: FlaskClient, lead: int):
    with app.app_context():
        stranger = factories.user(organisation="Elsewhere")
        client.post("/logout")
        factories.login(client, stranger)
    assert client.get(f"/statements/{lead}/signatories").status_code == 404
    assert client.get(f"/statements/{lead}/signatories.csv").status_code == 404


def test_logged_out_is_sent_to_login(app: Flask, lead: int):
    anonymous = app.test_client()
    response = anonymous.get(f"/statements/{lead}/signatories")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_corrections_range_ends_at_the_current_revision(
    app: Flask, client: FlaskClient, lead: int
):
    """Issue 24, point 10: with revision 4 a correction of revision 3 the page said
    "revisions 3–3 differ only by corrections"."""
    with app.app_context():
        statement = _statement(app, lead)
        owner = db.session.get(User, statement.created_by_id)
        for number, substantive in ((2, True), (3, True), (4, False)):
            drafting.save_revision(owner, statement, body=f"Text {number}.",
                                   base_revision=number - 1, substantive=substantive)
        db.session.commit()
    page = client.get(f"/statements/{lead}/signatories").get_data(as_text=True)
    assert "revisions 3–4 differ only by corrections" in page
    assert "3–3" not in page
