"""Publishing asks and tells through coalition.events, never by importing Translations.

With nobody listening an edition carries no translation; what a receiver answers is what
publication waits for and freezes. Translations' own answers are tested in
tests/translations/test_publishing.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from blinker import Signal

from coalition import events
from coalition.domain.errors import PublicationBlocked, say
from coalition.extensions import db
from coalition.models import Edition, Statement
from coalition.publishing import services
from tests.publishing.conftest import World

WAITING = say("The Klingon translation is not up to date.")


@pytest.fixture
def quiet(monkeypatch: pytest.MonkeyPatch) -> tuple[Signal, Signal]:
    """Fresh signals with no receiver, in place of the app's."""
    preparing, published = Signal(), Signal()
    monkeypatch.setattr(events, "edition_preparing", preparing)
    monkeypatch.setattr(events, "edition_published", published)
    return preparing, published


def test_with_nobody_listening_an_edition_carries_no_translation(
    world: World, quiet: tuple[Signal, Signal]
) -> None:
    _, published = quiet
    told: list[tuple[Edition, dict[str, Any]]] = []

    def listen(edition: Edition, **values: Any) -> None:
        told.append((edition, values))

    published.connect(listen)
    preparation = services.prepare(world.statement)
    assert preparation.translations == () and preparation.left_out_translations == ()
    edition = services.publish(world.lead, world.statement)
    assert told == [(edition, {"translations": ()})]
    db.session.commit()


def test_publication_waits_for_what_a_receiver_answers(
    world: World, quiet: tuple[Signal, Signal]
) -> None:
    preparing, _ = quiet
    asked: list[dict[str, Any]] = []

    def answer(statement: Statement, **values: Any) -> services.TranslationPlan:
        asked.append(values)
        return services.TranslationPlan(left_out=("tlh",), waiting=("tlh",), said=WAITING)

    preparing.connect(answer)
    with pytest.raises(PublicationBlocked) as caught:
        services.prepare(world.statement, include_translations=["tlh"])
    assert caught.value.stale_translations == ["tlh"] and caught.value.outstanding == []
    assert caught.value.translations_said is WAITING
    assert caught.value.fields == {
        "exclude_outstanding": "translations not up to date must be left out"
    }
    assert asked == [{"count": 7, "exclude_outstanding": False, "include": ("tlh",)}]
