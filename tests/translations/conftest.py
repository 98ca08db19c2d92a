"""Shared set-up for the translation tests: an English statement with Russian and Belarusian."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from coalition.models import Statement, Translation, User
from tests import factories

TITLE = "Free the political prisoners of Belarus"
BODY = (
    "We, the {{signatories}} undersigned organisations, call for the release of all "
    "political prisoners in Belarus.\n\n"
    "The authorities must end the persecution of human rights defenders."
)
RU_TITLE = "Свободу политзаключённым Беларуси"
RU_BODY = (
    "Мы, {{signatories}} нижеподписавшиеся организации, призываем освободить всех "
    "политических заключённых в Беларуси.\n\n"
    "Власти должны прекратить преследование правозащитников."
)
BE_TITLE = "Свабоду палітвязням Беларусі"
BE_BODY = (
    "Мы, {{signatories}} арганізацыі, якія падпісалі гэты зварот, заклікаем вызваліць "
    "усіх палітычных зняволеных у Беларусі.\n\n"
    "Улады павінны спыніць пераслед праваабаронцаў."
)

# (name, {language: name form}, kind)
SIGNERS = [
    ("Zeta Foundation", {}, "organisation"),
    (
        "Viasna Human Rights Centre",
        {"ru": "Правозащитный центр «Весна»", "be": "Праваабарончы цэнтр «Вясна»"},
        "organisation",
    ),
    ("Анна Петрова", {}, "individual"),
    ("Amnesty International", {}, "organisation"),
    (
        "Belarusian Association of Journalists",
        {"ru": "Белорусская ассоциация журналистов", "be": "Беларуская асацыяцыя журналістаў"},
        "organisation",
    ),
]
ORDER = {
    # English uses ICU's root order: Latin before Cyrillic.
    "en": [
        "Amnesty International",
        "Belarusian Association of Journalists",
        "Viasna Human Rights Centre",
        "Zeta Foundation",
        "Анна Петрова",
    ],
    # Russian and Belarusian tailorings put Cyrillic first, then Latin.
    "ru": [
        "Анна Петрова",
        "Белорусская ассоциация журналистов",
        "Правозащитный центр «Весна»",
        "Amnesty International",
        "Zeta Foundation",
    ],
    "be": [
        "Анна Петрова",
        "Беларуская асацыяцыя журналістаў",
        "Праваабарончы цэнтр «Вясна»",
        "Amnesty International",
        "Zeta Foundation",
    ],
}


@dataclass
class World:
    lead: User
    statement: Statement
    ru: Translation
    be: Translation

    @property
    def id(self) -> int:
        return self.statement.id


def make_world(state: str = "open", *, with_text: bool = True) -> World:
    """A lead, an English statement (open by default), Russian and Belarusian translations."""
    lead = factories.user(organisation="Belarus Solidarity Lead")
    statement = factories.statement(lead, title=TITLE, body=BODY, state=state)
    ru = factories.translation(
        lead, statement, "ru", title=RU_TITLE if with_text else None,
        body=RU_BODY if with_text else None,
    )
    be = factories.translation(
        lead, statement, "be", title=BE_TITLE if with_text else None,
        body=BE_BODY if with_text else None,
    )
    return World(lead, statement, ru, be)


def sign_all(world: World) -> list:
    """Every SIGNER signs through the signing service, with its name forms."""
    return [
        factories.signed(world.statement, name, kind=kind, names=dict(forms))
        for name, forms, kind in SIGNERS
    ]


@pytest.fixture
def world(ctx: Flask) -> World:
    return make_world()
