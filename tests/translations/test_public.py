"""Every public page and export in each published language (?lang=), read back as a reader would."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re

import docx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from coalition.extensions import db
from coalition.publishing import services as publishing
from tests import docx_text, factories
from tests.publishing.test_exports import assert_in_order, flat, html_text
from tests.translations.conftest import BE_TITLE, ORDER, RU_TITLE, TITLE, make_world, sign_all

DATE = dt.date(2026, 12, 3)
# Babel writes a narrow no-break space before "г."; flat() makes it a space.
DATES = {"en": "3 December 2026", "ru": "3 декабря 2026 г.", "be": "3 снежня 2026 г."}
TITLES = {"en": TITLE, "ru": RU_TITLE, "be": BE_TITLE}
OPENING = {
    "en": "We, the 5 undersigned organisations",
    "ru": "Мы, 5 нижеподписавшиеся организации",
    "be": "Мы, 5 арганізацыі",
}
HEADING = {"en": "Signatories (5)", "ru": "Подписавшие (5)", "be": "Падпісанты (5)"}
LANGUAGES = ["en", "ru", "be"]


def query(language: str) -> str:
    return "" if language == "en" else f"?lang={language}"


@pytest.fixture
def published(app: Flask) -> dict[str, str]:
    """A statement published in English, Russian and Belarusian, with name forms."""
    with app.app_context():
        world = make_world()
        signatures = sign_all(world)
        publishing.publish(world.lead, world.statement, date=DATE)
        db.session.commit()
        return {
            "slug": world.statement.slug,
            "contacts": " ".join(s.signer_email for s in signatures),
        }


@pytest.mark.parametrize("language", LANGUAGES)
def test_pdf_in_each_language(client: FlaskClient, published: dict, language: str):
    response = client.get(f"/s/{published['slug']}.pdf{query(language)}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    if language != "en":
        assert f"-{language}.pdf" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = flat(" ".join(page.extract_text() for page in reader.pages))
    assert_in_order(text, [TITLES[language], DATES[language], OPENING[language],
                           HEADING[language], *ORDER[language]])


@pytest.mark.parametrize("language", LANGUAGES)
def test_docx_in_each_language(client: FlaskClient, published: dict, language: str):
    response = client.get(f"/s/{published['slug']}.docx{query(language)}")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    paragraphs = [p.text for p in docx_text.paragraphs(document) if p.text.strip()]
    assert paragraphs[0] == TITLES[language]
    assert_in_order(flat("\n".join(paragraphs)), [DATES[language], OPENING[language],
                                            HEADING[language], *ORDER[language]])
    assert document.core_properties.language == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_csv_in_each_language(client: FlaskClient, published: dict, language: str):
    response = client.get(f"/s/{published['slug']}/signatories.csv{query(language)}")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))
    assert [row["name"] for row in rows] == ORDER[language]
    assert {row["kind"] for row in rows if row["name"] == "Анна Петрова"} == {"individual"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_html_markdown_text_and_embed_in_each_language(
    client: FlaskClient, published: dict, language: str
):
    slug = published["slug"]
    page = client.get(f"/s/{slug}.html{query(language)}").get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    assert_in_order(html_text(page).text, [TITLES[language], DATES[language],
                                           OPENING[language], *ORDER[language]])
    markdown = client.get(f"/s/{slug}.md{query(language)}").get_data(as_text=True)
    assert markdown.startswith(f"# {TITLES[language]}")
    assert_in_order(flat(markdown), [DATES[language], *ORDER[language]])
    text = client.get(f"/s/{slug}.txt{query(language)}").get_data(as_text=True)
    assert_in_order(flat(text), [TITLES[language], DATES[language], *ORDER[language]])
    embed = client.get(f"/s/{slug}/embed{query(language)}").get_data(as_text=True)
    assert f'lang="{language}"' in embed and TITLES[language] in embed


def test_the_press_kit_holds_the_language_files(client: FlaskClient, published: dict):
    import zipfile

    response = client.get(f"/s/{published['slug']}.zip?lang=ru")
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert f"{published['slug']}-ru.pdf" in names and f"{published['slug']}-ru.md" in names


def test_source_text_of_a_translation_matches_its_hash(client: FlaskClient, published: dict):
    slug = published["slug"]
    source = client.get(f"/s/{slug}/editions/1/source.txt?lang=ru").data
    assert source.decode().startswith(RU_TITLE + "\n\n")
    page = client.get(f"/s/{slug}?lang=ru").get_data(as_text=True)
    assert hashlib.sha256(source).hexdigest() in page


def test_the_public_page_switches_language_with_hreflang_links(
    client: FlaskClient, published: dict
):
    slug = published["slug"]
    page = client.get(f"/s/{slug}?lang=be").get_data(as_text=True)
    assert '<article class="public-statement" lang="be"' in page
    assert BE_TITLE in page and DATES["be"] in flat(page)
    base = f"http://coalition.test/s/{slug}/editions/1"
    for code, href in [("en", base), ("ru", f"{base}?lang=ru"), ("be", f"{base}?lang=be"),
                       ("x-default", base)]:
        assert f'<link rel="alternate" hreflang="{code}" href="{href}">' in page
    assert f'<link rel="canonical" href="{base}?lang=be">' in page
    switcher = page[page.index('class="language-switcher"'):]
    switcher = switcher[: switcher.index("</nav>")]
    assert f'href="/s/{slug}?lang=ru" hreflang="ru" lang="ru">Русский</a>' in switcher
    assert f'href="/s/{slug}" hreflang="en" lang="en">English</a>' in switcher
    assert 'aria-current="true" lang="be">Беларуская' in switcher
    # The downloads keep the language.
    assert f'href="/s/{slug}.pdf?lang=be"' in page
    assert f'href="/s/{slug}/signatories.csv?lang=be"' in page
    positions = [page.index(name.replace("«", "«")) for name in ORDER["be"]]
    assert positions == sorted(positions)
    for contact in published["contacts"].split():
        assert contact not in page


def test_each_language_has_its_own_etag(client: FlaskClient, published: dict):
    slug = published["slug"]
    english = client.get(f"/s/{slug}")
    russian = client.get(f"/s/{slug}?lang=ru")
    assert english.headers["ETag"] != russian.headers["ETag"]
    again = client.get(f"/s/{slug}?lang=ru", headers={"If-None-Match": russian.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    ["/s/{slug}?lang=fr", "/s/{slug}.pdf?lang=fr", "/s/{slug}/embed?lang=uk",
     "/s/{slug}/signatories.csv?lang=de", "/s/{slug}/editions/1?lang=%3Cscript%3E",
     "/s/{slug}/editions/1/source.txt?lang=fr"],
)
def test_a_language_the_edition_lacks_is_not_found(
    client: FlaskClient, published: dict, path: str
):
    assert client.get(path.format(slug=published["slug"])).status_code == 404


def test_the_source_language_by_name_is_the_source(client: FlaskClient, published: dict):
    slug = published["slug"]
    assert client.get(f"/s/{slug}.md?lang=en").data == client.get(f"/s/{slug}.md").data


def test_exports_of_a_translation_are_cached(app: Flask, client: FlaskClient, published: dict):
    from coalition.models import EditionTranslationExport

    first = client.get(f"/s/{published['slug']}.md?lang=ru").data
    second = client.get(f"/s/{published['slug']}.md?lang=ru").data
    assert first == second
    with app.app_context():
        assert db.session.query(EditionTranslationExport).filter_by(format="md").count() == 1


def test_a_page_without_translations_has_no_switcher(app: Flask, client: FlaskClient):
    with app.app_context():
        lead = factories.user()
        statement = factories.statement(lead, state="open")
        factories.signature_row(statement, "Alone")
        publishing.publish(lead, statement, date=DATE)
        db.session.commit()
        slug = statement.slug
    page = client.get(f"/s/{slug}").get_data(as_text=True)
    assert "language-switcher" not in page and "hreflang" not in page


def test_the_lead_sees_an_edition_and_its_draft_in_each_language(
    app: Flask, client: FlaskClient
):
    with app.app_context():
        world = make_world()
        sign_all(world)
        factories.login(client, world.lead)
        statement_id = world.id
    draft = client.get(f"/statements/{statement_id}/publish/draft.md?lang=ru")
    assert draft.status_code == 200
    text = draft.get_data(as_text=True)
    assert text.startswith(f"# ПРОЕКТ — {RU_TITLE}")
    assert_in_order(text, ORDER["ru"])
    assert "-DRAFT-ru.md" in draft.headers["Content-Disposition"]
    assert client.get(f"/statements/{statement_id}/publish/draft.md?lang=fr").status_code == 404
    with app.app_context():
        from coalition.models import Statement

        statement = db.session.get(Statement, statement_id)
        publishing.publish(statement.organisation.users[0], statement, date=DATE)
        db.session.commit()
    page = client.get(f"/statements/{statement_id}/editions/1?lang=ru").get_data(as_text=True)
    assert RU_TITLE in page and re.search(r'class="language-switcher"', page)
    assert f"/statements/{statement_id}/editions/1/export.pdf?lang=ru" in page
