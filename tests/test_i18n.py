"""The interface in more than one language: every template string marked for translation,
a complete French catalogue, and the language chosen from the user, then the browser.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from coalition import i18n
from coalition.catalogues import LOCALE_DIR
from coalition.domain.invitations import RESPONSE_LABELS
from coalition.domain.lifecycle import LABELS
from coalition.extensions import db
from coalition.web import STATEMENT_TABS
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

# Words that are the same in every language: the product's name, formats, standards.
ALLOWED_WORDS = {
    "Coalition", "SHA-256", "SHA", "API", "JSON", "CSV", "PDF", "DOCX", "HTML", "Markdown",
    "OpenAPI", "UTC", "ICU", "URL", "RSS", "Atom", "ID",
}
# Attributes a person reads or hears (screen readers), checked like text.
READ_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "data-confirm", "value"}
# Input types whose value is shown as the button's words.
SHOWN_VALUES = {"submit", "button", "reset"}
# Elements whose text is code or data, never interface language (a textarea holds what
# the person typed, or a code snippet to copy).
SKIPPED_ELEMENTS = {"code", "pre", "script", "style", "kbd", "samp", "textarea"}

_TRANS_BLOCK = re.compile(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", re.S)
_JINJA_COMMENT = re.compile(r"{#.*?#}", re.S)
# {% block body_class %}narrow-page{% endblock %}: CSS class names, not language.
_CLASS_BLOCK = re.compile(r"{%-?\s*block\s+\w*class\s*-?%}.*?{%-?\s*endblock\b.*?%}", re.S)
_JINJA_TAG = re.compile(r"{%.*?%}|{{.*?}}", re.S)
_LETTER = re.compile(r"[^\W\d_]")


def _strip_jinja(source: str) -> str:
    """Template source with translated blocks, comments, tags and expressions removed.

    What is left between the tags is literal text the template prints as it is.
    """
    source = _JINJA_COMMENT.sub("", source)
    source = _CLASS_BLOCK.sub("", source)
    source = _TRANS_BLOCK.sub("", source)
    return _JINJA_TAG.sub("", source)


def _has_words(text: str) -> bool:
    words = re.sub(r"&\w+;|&#\d+;", " ", text)
    words = re.sub(r"\S*/\S*", " ", words)  # an address or a path, not language
    for word in ALLOWED_WORDS:
        words = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", " ", words)
    return bool(_LETTER.search(words))


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_ELEMENTS:
            self._skip_depth += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and _has_words(value):
                if name == "value" and (
                    tag != "input" or dict(attrs).get("type") not in SHOWN_VALUES
                ):
                    continue
                self.found.append(f'{tag}[{name}]="{value.strip()}"')

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_ELEMENTS and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip_depth and _has_words(data):
            self.found.append(" ".join(data.split()))


def unmarked_strings(path: Path) -> list[str]:
    """Text a person would read in `path` that is not inside {% trans %} or {{ _() }}."""
    text = _strip_jinja(path.read_text(encoding="utf-8"))
    if path.suffix == ".txt":
        return [line.strip() for line in text.splitlines() if _has_words(line)]
    finder = _TextFinder()
    finder.feed(text)
    finder.close()
    return finder.found


def _templates() -> list[Path]:
    return sorted(
        p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt", ".xml") and p.is_file()
    )


def test_the_checker_finds_unmarked_text() -> None:
    finder = _TextFinder()
    finder.feed(_strip_jinja(
        '<p>{% trans %}Fine{% endtrans %} {{ _("Fine too") }} Not fine {{ x }}</p>'
        '<button aria-label="Close">×</button><code>flask run</code><p>Coalition · SHA-256</p>'
    ))
    assert finder.found == ["Not fine", 'button[aria-label]="Close"']


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_every_template_string_is_marked(path: Path) -> None:
    assert unmarked_strings(path) == []


def _french_catalogue():  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        return read_po(po_file, locale="fr")


def test_french_catalogue_is_complete_and_current() -> None:
    with (LOCALE_DIR / "messages.pot").open("rb") as pot_file:
        template = read_po(pot_file)
    french = _french_catalogue()
    wanted = {message.id for message in template if message.id}
    have = {message.id for message in french if message.id}
    assert wanted - have == set(), "run scripts/i18n.sh update, then translate"
    untranslated = [
        message.id
        for message in french
        if message.id
        and (
            (isinstance(message.string, tuple) and not all(message.string))
            or not message.string
        )
    ]
    fuzzy = [message.id for message in french if message.id and message.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_words_kept_in_shared_dicts_are_in_the_catalogue() -> None:
    """State labels, tab names and response labels are translated where they are shown."""
    ids = {message.id for message in _french_catalogue()}
    words = [*LABELS.values(), *RESPONSE_LABELS.values(), *(label for _, label in STATEMENT_TABS)]
    assert [word for word in words if word not in ids] == []
    assert {str(word) for word in i18n.DOMAIN_WORDS} >= set(words)


def test_the_catalogue_was_extracted_from_the_current_templates() -> None:
    """A string marked in a template but missing from messages.pot means a stale extract."""
    with (LOCALE_DIR / "messages.pot").open("rb") as pot_file:
        ids = {message.id if isinstance(message.id, str) else message.id[0]
               for message in read_po(pot_file)}
    from babel.messages.extract import extract_from_dir

    missing = [
        message
        for _, _, message, *_ in extract_from_dir(
            str(TEMPLATES),
            method_map=[("**.html", "jinja2"), ("**.txt", "jinja2"), ("**.xml", "jinja2")],
            options_map={
                "**.html": {"trimmed": "true"},
                "**.txt": {"trimmed": "true"},
                "**.xml": {"trimmed": "true"},
            },
        )
        if (message if isinstance(message, str) else message[0]) not in ids
    ]
    assert missing == [], "run scripts/i18n.sh extract and update"


# ---- the language a request gets ----


def test_english_by_default(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Log in" in page
    assert "Se connecter" not in page


def test_accept_language_french_login(client: FlaskClient) -> None:
    response = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    page = response.get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Se connecter" in page
    assert "Mot de passe" in page
    assert "Forgotten your password?" not in page


def test_accept_language_unknown_language_falls_back_to_english(client: FlaskClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(
        as_text=True
    )
    assert '<html lang="en">' in page
    assert "Log in" in page


def test_french_dashboard_with_a_french_browser(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        lead = factories.user()
        factories.statement(lead, title="Libérez les journalistes")
        db.session.commit()
        factories.login(client, lead)
    page = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Nouvelle déclaration" in page
    assert "Déconnexion" in page
    assert "Libérez les journalistes" in page
    assert "New statement" not in page


def test_the_user_setting_overrides_the_browser(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        lead = factories.user()
        factories.statement(lead)
        db.session.commit()
        factories.login(client, lead)
    french = {"Accept-Language": "fr"}
    response = client.post("/account/language", data={"language": "en"}, headers=french)
    assert response.status_code == 302
    page = client.get("/", headers=french).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "New statement" in page

    client.post("/account/language", data={"language": "fr"})
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Nouvelle déclaration" in page

    # Back to "as my browser says".
    client.post("/account/language", data={"language": ""})
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "New statement" in page


def test_the_account_page_offers_the_languages(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        lead = factories.user()
        db.session.commit()
        factories.login(client, lead)
    page = client.get("/account").get_data(as_text=True)
    assert 'name="language"' in page
    assert "Français" in page


def test_an_unknown_language_setting_is_refused(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        lead = factories.user()
        db.session.commit()
        factories.login(client, lead)
        response = client.post("/account/language", data={"language": "xx"})
        assert response.status_code == 302
        assert db.session.get(type(lead), lead.id).language is None


def test_partner_page_in_french(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        lead = factories.user()
        statement = factories.statement(lead, state="open")
        _, token = factories.partner_invitation(statement, organisation="Partenaire")
    page = client.get(f"/i/{token}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Invitation de" in page
    assert "Date limite de signature" in page


def test_dates_follow_the_interface_language(app: Flask) -> None:
    from coalition.web import local_time

    moment = dt.datetime(2026, 12, 3, 14, 5, tzinfo=dt.UTC)
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert local_time(moment, "Europe/Paris") == "3 déc. 2026, 15:05 CET"
    with app.test_request_context():
        assert local_time(moment, "Europe/Paris") == "3 Dec 2026, 15:05 CET"


# ---- public pages follow the text's language, never the browser ----


def _published(app: Flask, language: str) -> str:
    from coalition.publishing import services as publishing
    from tests.publishing.conftest import make_world

    with app.app_context():
        world = make_world(language=language)
        publishing.publish(world.lead, world.statement, date=dt.date(2026, 12, 3))
        db.session.commit()
        return world.statement.slug


def test_a_french_statement_has_a_french_public_page(app: Flask, client: FlaskClient) -> None:
    slug = _published(app, "fr")
    page = client.get(f"/s/{slug}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Télécharger" in page and "Déclaration commune" in page
    assert "Download" not in page


def test_an_english_public_page_ignores_a_french_browser(app: Flask, client: FlaskClient) -> None:
    slug = _published(app, "en")
    first = client.get(f"/s/{slug}", headers={"Accept-Language": "fr"})
    page = first.get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Download" in page and "Télécharger" not in page
    # Same address, same body: the ETag stays true whatever the browser asks.
    again = client.get(f"/s/{slug}", headers={"Accept-Language": "en"})
    assert again.get_data() == first.get_data()


def test_mail_about_a_french_statement_is_french(app: Flask) -> None:
    from coalition.models import OutboxMessage

    with app.test_request_context():
        lead = factories.user()
        statement = factories.statement(lead, state="open", language="fr")
        factories.invite(lead, statement, organisation="Partenaire")
        message = db.session.query(OutboxMessage).one()
        expected = f"{lead.organisation.name} invite Partenaire à « {statement.title} »"
        assert message.body_text.startswith("Bonjour Partenaire,")
        assert "déclaration commune" in message.body_text
        # The subject too, written in the same language as the body.
        assert message.subject == expected


def test_every_mail_subject_follows_the_statement_language(app: Flask) -> None:
    from coalition.models import OutboxMessage
    from coalition.signing import services as signing
    from coalition.signing.services import SignatureInput

    subjects = {}
    for language in ("en", "fr"):
        with app.test_request_context(headers={"Accept-Language": "de"}):
            lead = factories.user(organisation=f"Lead {language}")
            statement = factories.statement(lead, state="open", language=language)
            invitation, token = factories.partner_invitation(statement, "Partenaire")
            signing.sign(
                invitation,
                SignatureInput(name="Partenaire", signer_name="Ana", signer_email="ana@p.example"),
                token=token,
            )
            signing.withdraw(invitation)
            db.session.commit()
            subjects[language] = [
                m.subject.split(":")[0]
                for m in db.session.query(OutboxMessage)
                .filter_by(statement_id=statement.id, to_address="ana@p.example")
                .order_by(OutboxMessage.id)
            ]
    assert subjects["en"] == ["You signed", "Signature withdrawn"]
    # French typography: a narrow no-break space before the colon.
    assert subjects["fr"] == ["Vous avez signé\u202f", "Signature retirée\u202f"]
