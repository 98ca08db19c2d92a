"""The leak test (issue 15): nothing of a signatory not named publicly reaches a public or
partner output, byte for byte and case-insensitively.

A statement with 20 named and 4 unnamed signatories (one with a logo, one with a free-text
country, one with a shared comment, all with a French translation) is published through
the API. Then every GET route open to the public or to a partner is answered (each export
format, each edition address, the translation, the preview link, the feed, the other
partners' pages and API answers), ZIP and DOCX files are opened and PDF text is
extracted; every mail to anyone but the unnamed signers is read too. None may hold an
unnamed signatory's name, a unique word of it, its signer, e-mail address, country or
logo, in the body, the headers (file names, redirects) or the URL.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from coalition.domain import formats as export_formats
from coalition.extensions import db
from coalition.invitations import services as invitations
from coalition.models import OutboxMessage, Signature
from coalition.publishing import services as publishing
from coalition.signing import open_signon
from coalition.signing import services as signing
from coalition.signing.services import SignatureInput
from tests import factories
from tests.security.routes import PARTNER, PUBLIC, ROUTES

BODY = "We, {{signatories}} rights groups, said today: free them.\n\nSecond paragraph."
# Each unnamed signatory has a word found nowhere else, so a leak cut by wrapping shows too.
HIDDEN = [
    # name, unique word, signer, e-mail, country, description
    ("Qorvath Legal Circle", "Qorvath", "Aliaksandra Zmitrovich", "zmitrovich@qorvath.example",
     "TM", "a human rights group working under threat"),
    ("Vyxelle Defenders", "Vyxelle", "Ihar Pryvalau", "pryvalau@vyxelle.example",
     "Secretlandia", ""),
    ("Drubnik Monitoring", "Drubnik", "Nasta Lobach", "lobach@drubnik.example", "", ""),
    ("Ulmqvist Press Union", "Ulmqvist", "Palina Sharenda", "sharenda@ulmqvist.example", "TM",
     "an independent media union"),
]
NAMED = [f"Open Group {n:02d}" for n in range(20)]
WITHHELD_LINE = "and 4 organisations that cannot be named for their safety"
FRENCH_LINE = "et 4 organisations qui ne peuvent être nommées pour leur sécurité"


def _logo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 32), (201, 17, 99)).save(out, format="PNG")
    return out.getvalue()


def _needles(logo: bytes) -> list[bytes]:
    found: list[bytes] = [logo[8:40]]  # past PNG's common signature
    for name, word, signer, email, country, _ in HIDDEN:
        found += [name.encode(), word.encode(), signer.encode(), email.encode(),
                  email.split("@")[1].encode(), signer.split()[-1].encode()]
        if country == "TM":
            found += [b"turkmenistan", "Туркменистан".encode(), "turkménistan".encode()]
        elif country:
            found.append(country.encode())
    return [n.lower() if n.isascii() else n for n in found if n]


def _expand(name: str, content: bytes) -> Iterator[tuple[str, bytes]]:
    """The bytes as served, and what a ZIP, DOCX or PDF holds inside."""
    yield name, content
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for entry in archive.namelist():
                yield from _expand(f"{name}!{entry}", entry.encode() + b"\n" + archive.read(entry))
    if content.startswith(b"%PDF"):
        reader = PdfReader(io.BytesIO(content))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
        yield f"{name} (text)", (text + "\n" + metadata).encode()
        yield f"{name} (text, joined)", " ".join(text.split()).encode()


# A sign form's list of every country names each one whoever signed: not a leak.
_SELECT = re.compile(rb"<select\b.*?</select>", re.DOTALL | re.IGNORECASE)


def _assert_clean(label: str, content: bytes, needles: list[bytes]) -> None:
    for part, served in _expand(label, content):
        data = _SELECT.sub(b"<select></select>", served)
        lowered = data.lower()
        for needle in needles:
            assert needle not in lowered and needle not in data, (
                f"{needle!r} leaked in {part}"
            )


@pytest.fixture
def published(app: Flask, client: FlaskClient) -> dict[str, object]:
    """The world, with the walk of the partner pages made before publication."""
    with app.app_context():
        lead = factories.user(organisation="Coordinating Lead")
        statement = factories.statement(lead, title="Free them all", body=BODY, state="open")
        statement.comments_when_open = True
        factories.translation(lead, statement, "fr", title="Libérez-les",
                              body="Nous, {{signatories}} groupes, le disons.")
        for name in NAMED:
            factories.signed(statement, name, country="FR")
        logo = _logo()
        hidden_tokens = []
        for index, (name, _, signer, email, country, description) in enumerate(HIDDEN):
            invitation, token = factories.partner_invitation(statement, name, email=email)
            signing.sign(invitation, SignatureInput(
                name=name, signer_name=signer, signer_email=email, country=country,
                public=False, public_description=description,
                logo=logo if index == 0 else None, signer_role="Director",
            ), token=token)
            hidden_tokens.append(token)
            if index == 2:
                invitations.add_comment(invitation, body="We support this wholeheartedly.",
                                        visibility="shared")
        db.session.commit()
        stored_logo = db.session.scalar(select(Signature.logo).where(Signature.logo.is_not(None)))
        other, other_token = factories.partner_invitation(statement, "Watching Partner")
        open_signon.set_options(lead, statement, open_signon=True, group_individuals=False)
        db.session.commit()
        values = {
            "slug": statement.slug, "id": statement.id,
            "token": other_token, "open_token": statement.open_signon_token,
            "auth": factories.bearer(factories.token(lead)),
            "hidden_emails": {email for *_, email, _, _ in HIDDEN},
            "hidden_tokens": hidden_tokens,
        }
    assert stored_logo is not None
    needles = _needles(stored_logo)
    values["needles"] = needles
    # Before publication: the partner pages, as the other partner sees them.
    for path, response in _walk(app, client, values, partner_only=True):
        _assert_clean(path, _served(path, response), needles)
    answer = client.post(f"/api/v1/statements/{values['id']}/publish", json={},
                         headers=values["auth"])
    assert answer.status_code == 200, answer.get_json()
    values["publish_answer"] = answer.get_data()
    with app.app_context():
        statement = publishing.statement_by_slug(str(values["slug"]))
        assert statement is not None
        edition = publishing.editions(statement)[-1]
        values["preview_token"] = publishing.create_preview_link(
            statement.organisation.users[0], statement, edition
        )
        db.session.commit()
    return values


def _served(path: str, response) -> bytes:  # noqa: ANN001 - a test response
    headers = "\n".join(f"{key}: {value}" for key, value in response.headers.items())
    return f"{path}\n{headers}\n".encode() + response.get_data()


def _walk(app: Flask, client: FlaskClient, values: dict[str, object], *, partner_only: bool):
    """GET every public or partner route of the statement (each format, each language)."""
    fill = {
        "slug": values["slug"], "number": 1, "statement_id": values["id"],
        "language": "fr", "lang": "fr",
    }
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        case = ROUTES.get(rule.endpoint)
        if case is None or "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        if case.access not in (PUBLIC, PARTNER) or rule.endpoint.startswith("accounts."):
            continue
        if partner_only and case.access != PARTNER and case.token != "open_token":
            continue
        token = {"open_token": values["open_token"],
                 "preview_token": values.get("preview_token")}.get(case.token or "",
                                                                    values["token"])
        if token is None or rule.endpoint == "signing.confirm":
            continue
        dotted = [fmt.name for fmt in export_formats.every() if fmt.dotted]
        formats = dotted if "fmt" in rule.arguments else [None]
        for fmt in formats:
            params = {name: fill[name] for name in rule.arguments if name in fill}
            if "token" in rule.arguments:
                params["token"] = token
            if fmt is not None:
                params["fmt"] = fmt
            for name in rule.arguments:
                if name not in params and name not in (rule.defaults or {}):
                    break
            else:
                _, path = rule.build(params, append_unknown=False)  # type: ignore[misc]
                for query in ("", "?lang=fr"):
                    response = client.get(f"{path}{query}")
                    assert response.status_code in (200, 404), (path, response.status_code)
                    if response.status_code == 200:
                        yield f"{path}{query}", response


def test_no_withheld_detail_reaches_any_public_or_partner_output(
    app: Flask, client: FlaskClient, published: dict[str, object]
):
    needles = published["needles"]
    assert isinstance(needles, list)
    _assert_clean("publish answer", published["publish_answer"], needles)  # type: ignore[arg-type]
    seen = []
    for path, response in _walk(app, client, published, partner_only=False):
        _assert_clean(path, _served(path, response), needles)
        seen.append(path)
    # Every export of the newest and of the first edition, the translation, the preview
    # link and the feed were read.
    slug = published["slug"]
    for expected in (f"/s/{slug}", f"/s/{slug}.pdf", f"/s/{slug}.zip", f"/s/{slug}/embed",
                     f"/s/{slug}/signatories.csv", f"/s/{slug}/editions/1.docx",
                     f"/s/{slug}?lang=fr", "/feed.atom", f"/i/{published['token']}",
                     f"/api/v1/invitations/{published['token']}"):
        assert expected in seen, expected
    assert any("/preview/" in path for path in seen)
    # The lead's signatories answer: a count and the descriptions, never a name.
    listed = client.get(f"/api/v1/statements/{published['id']}/signatories",
                        headers=published["auth"])
    _assert_clean("signatories API", _served("api", listed), needles)
    assert listed.get_json()["withheld"] == 4
    # Every mail to anyone but the unnamed signers themselves.
    with app.app_context():
        mails = db.session.scalars(select(OutboxMessage)).all()
        hidden_emails = published["hidden_emails"]
        assert isinstance(hidden_emails, set)
        others = [m for m in mails if m.to_address not in hidden_emails]
        assert len(others) > 20  # receipts and publication notices of the named
        for mail in others:
            text = f"{mail.to_address}\n{mail.subject}\n{mail.body_text}\n{mail.body_html}"
            _assert_clean(f"mail {mail.kind} to {mail.to_address}", text.encode(), needles)


def test_every_format_counts_twenty_four_and_says_the_line(
    app: Flask, client: FlaskClient, published: dict[str, object]
):
    slug = published["slug"]
    for path in (f"/s/{slug}", f"/s/{slug}.md", f"/s/{slug}.txt", f"/s/{slug}.html",
                 f"/s/{slug}/embed", f"/s/{slug}.docx", f"/s/{slug}.pdf",
                 f"/s/{slug}/signatories.csv"):
        content = client.get(path).get_data()
        text = "\n".join(data.decode("utf-8", "replace") for _, data in _expand(path, content))
        flat = " ".join(re.sub(r"<[^>]+>", " ", text).split())
        assert WITHHELD_LINE in flat, path
        assert "a human rights group working under threat" in flat, path
        assert "Open Group 07" in flat, path
        if not path.endswith(".csv"):
            assert "24 rights groups" in flat, path
    french = client.get(f"/s/{slug}?lang=fr").get_data(as_text=True)
    assert FRENCH_LINE in " ".join(french.split())
    assert "Nous, 24 groupes" in french
    feed = client.get("/feed.atom").get_data(as_text=True)
    assert "24 signatories" in feed
