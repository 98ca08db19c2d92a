"""Shared set-up for the publishing tests: a lead, an open statement, signatures as rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from flask import Flask

from coalition.models import Signature, Statement, User
from tests import factories

BODY = (
    "We, the {{signatories}} undersigned organisations, call on the Minister to withdraw "
    "the *Public Assemblies Bill*.\n\n"
    "## What we ask\n\n"
    "- Withdraw the bill.\n"
    "- Consult civil society.\n\n"
    "We stand together."
)

# Given in a jumbled order; published in ICU order: articles and quotes ignored,
# accents after letters, Latin before Cyrillic (English uses the root order).
NAMES = [
    ("Zeta Foundation", "organisation", "GB", ""),
    ("The Amnesty Network", "organisation", "FR", ""),
    ("Анна Петрова", "individual", "", "Высшая школа экономики"),
    ("'Open Doors' Legal Aid", "organisation", "IE", ""),
    ("Élan Civique", "organisation", "FR", ""),
    ("=HYPERLINK(\"http://evil\")", "organisation", "", ""),
    ("Beta Network", "organisation", "", ""),
]
ORDER = [
    "The Amnesty Network",
    "Beta Network",
    "Élan Civique",
    "=HYPERLINK(\"http://evil\")",
    "'Open Doors' Legal Aid",
    "Zeta Foundation",
    "Анна Петрова",
]
TODAY = dt.date(2026, 11, 22)


@dataclass
class World:
    lead: User
    statement: Statement
    signatures: list[Signature]

    @property
    def id(self) -> int:
        return self.statement.id


def make_world(title: str = "Withdraw the Public Assemblies Bill", body: str = BODY,
               names: list[tuple[str, str, str, str]] | None = None, **kw: object) -> World:
    """A lead, an open statement, and live signatures of its first revision (committed)."""
    lead = factories.user(organisation=str(kw.pop("organisation", "Liberty Lead")))
    statement = factories.statement(lead, title=title, body=body, state="open", **kw)
    signatures = [
        factories.signature_row(statement, name, kind=kind, country=country,
                                affiliation=affiliation)
        for name, kind, country, affiliation in (NAMES if names is None else names)
    ]
    return World(lead, statement, signatures)


@pytest.fixture
def world(ctx: Flask) -> World:
    return make_world()
