"""Issue 24, point 5: wherever a count meets a noun, the words follow the count, in both
languages ("1 signatory", never "1 signatories" or "signatory(s)")."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from coalition.catalogues import LOCALE_DIR
from coalition.extensions import db
from coalition.models import OutboxMessage
from coalition.publishing import services
from tests import factories

# Plural messages whose words do not change with the count (no noun meets the number).
SAME_WORDS = {
    "%(count)s invited",
    "%(count)s resolved",
    "%(count)s already invited (not doubled)",
    "Remind all %(count)s with no answer",
}
NUMBER = re.compile(r"%\((count|num)\)[sd]")


def _template():  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / "messages.pot").open("rb") as pot:
        return read_po(pot)


def test_every_count_in_the_catalogue_is_a_plural_message() -> None:
    singular_only, same, hedged = [], [], []
    for message in _template():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if any("(s)" in text for text in ids):
            hedged.append(ids[0])
        if not isinstance(message.id, tuple):
            # A bare number in brackets, "(12)", is no count meeting a noun.
            if NUMBER.search(re.sub(r"\(%\((count|num)\)[sd]\)", "", message.id)):
                singular_only.append(message.id)
        elif message.id[0] == message.id[1] and message.id[0] not in SAME_WORDS:
            same.append(message.id[0])
    assert hedged == [] and singular_only == [] and same == []


def test_french_plurals_differ_where_english_ones_do() -> None:
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        french = read_po(po, locale="fr")
    wrong = [
        message.id[0]
        for message in french
        if isinstance(message.id, tuple)
        and message.id[0] != message.id[1]
        and message.string[0] == message.string[1]
    ]
    assert wrong == []


def test_one_signatory_is_one_signatory(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        factories.signed(statement, "Lonely Rights Group")
        db.session.commit()
        services.publish(owner, statement)
        db.session.commit()
        factories.login(client, owner)
        statement_id = statement.id
        mail = db.session.scalar(select(OutboxMessage.body_text).where(
            OutboxMessage.kind == "publication_notice"))
    pages = {
        "feed": client.get("/feed.atom").get_data(as_text=True),
        "publish page": client.get(f"/statements/{statement_id}/publish").get_data(as_text=True),
        "notice mail": mail or "",
    }
    for name, text in pages.items():
        assert "1 signatories" not in text, name
    assert "1 signatory." in pages["feed"]
    assert "lists 1 signatory." in pages["publish page"]
    assert "with 1 signatory." in pages["notice mail"]


def test_french_typography_in_the_catalogue_and_the_exports() -> None:
    """Issue 24, point 7: a narrow no-break space (U+202F) before : ; ! ? in French."""
    from coalition.domain.exports import labels_for

    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        french = read_po(po, locale="fr")
    plain = [
        text
        for message in french
        if message.id
        for text in (message.string if isinstance(message.string, tuple) else (message.string,))
        if re.search(r"[ \u00a0][:;!?]", text)
    ]
    assert plain == []
    words = labels_for("fr")
    assert words["colon"] == "\u202f:" and "\u202f:" in words["note"]


def test_language_names_are_lower_case_in_french_sentences(app: Flask) -> None:
    """Issue 24, point 7: "Nom en Français" is "Nom en français"."""
    from coalition.signing.forms import _name_label

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert str(_name_label("fr")) == "Nom en français (facultatif)"
        assert str(_name_label("ru")) == "Nom en russe (facultatif)"
