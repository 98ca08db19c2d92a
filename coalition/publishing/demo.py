"""Demo data for publishing: a published joint letter with two editions, and an open
statement with one signature outstanding after a substantive revision.

Signatures are made as rows (as a partner's invitation would make them), so the demo does
not depend on the signing pages.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from coalition.domain.collation import RULES_VERSION, sort_key
from coalition.domain.signatures import SignatureStatus
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import Invitation, Signature, Statement, User
from coalition.publishing import services as publishing

PUBLISHED_TITLE = "Joint letter: stop the prosecution of the Viasna lawyers"
OPEN_TITLE = "Keep independent media on the air"

LETTER_BODY = """We, the {{signatories}} undersigned organisations and individuals, write to \
express our deep concern at the criminal prosecution of four lawyers who defended members \
of the Viasna Human Rights Centre.

The charges against them rest on nothing but their professional work. Prosecuting lawyers \
for defending their clients strikes at the heart of the right to a fair trial, and sends a \
chilling message to every lawyer in the country.

## We call on you to

1. drop all charges against the four lawyers and release them without delay;
2. restore the licences of every lawyer disbarred for defending human rights defenders;
3. guarantee that lawyers can meet their clients in confidence.

We would welcome the opportunity to discuss these concerns with you, and look forward to \
your reply.
"""

OPEN_BODY = """We, the undersigned, call on the broadcasting authority to renew the licence \
of every independent radio station whose licence expires this year.

Independent stations are the only source of local news for millions of listeners.
"""

# (name, kind, country, affiliation): diacritics, leading articles and quotes, Cyrillic.
SIGNATORIES = [
    ("Ärzte für Menschenrechte", "organisation", "DE", ""),
    ("The Helsinki Citizens' Forum", "organisation", "NO", ""),
    ("Élan Civique", "organisation", "FR", ""),
    ("Ligue des droits et libertés du Sud", "organisation", "FR", ""),
    ("Observatoire des libertés publiques", "organisation", "BE", ""),
    ("Центр правовой помощи «Право»", "organisation", "RU", ""),
    ("Беларуская ініцыятыва за правы чалавека", "organisation", "LT", ""),
    ("Московская правозащитная группа", "organisation", "RU", ""),
    ("Çağdaş Hukuk Girişimi", "organisation", "TR", ""),
    ("Žene za mir", "organisation", "RS", ""),
    ("Łódzkie Towarzystwo Praw Człowieka", "organisation", "PL", ""),
    ("New Women Initiative", "organisation", "GB", ""),
    ("Newcastle Law Centre", "organisation", "GB", ""),
    ("'Open Doors' Legal Aid", "organisation", "IE", ""),
    ("Al-Amal Rights Centre", "organisation", "JO", ""),
    ("Free Press Alliance", "organisation", "NL", ""),
    ("Nordic Committee for Human Rights", "organisation", "SE", ""),
    ("Zeta Foundation", "organisation", "GB", ""),
    ("Defenders Trust", "organisation", "GB", ""),
    ("Society for Civil Liberties", "organisation", "US", ""),
    ("Анна Петрова", "individual", "", "Высшая школа экономики"),
    ("José Álvarez", "individual", "ES", "Universidad de Salamanca"),
    ("Mary O'Neill", "individual", "IE", "Trinity College Dublin"),
]
LATE_SIGNATORIES = [
    ("Ngozi Okafor", "individual", "NG", "University of Lagos"),
    ("La Voix des Juristes", "organisation", "SN", ""),
]
OPEN_SIGNATORIES = [
    ("Radio Freedom Network", "organisation", "GB", ""),
    ("Association of Local Broadcasters", "organisation", "IE", ""),
    ("Journalists' Union of the North", "organisation", "GB", ""),
    ("Свободное радио", "organisation", "LV", ""),
    ("Média Libre", "organisation", "FR", ""),
]


def _sign(
    statement: Statement, name: str, kind: str, country: str, affiliation: str
) -> Signature:
    """An invitation and its live signature of the current revision, as a partner makes them."""
    mailbox = hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    invitation = Invitation(
        statement_id=statement.id,
        organisation=name,
        email=f"partner-{mailbox}@example.org",
    )
    db.session.add(invitation)
    db.session.flush()
    return _signature(statement, invitation, name, kind, country, affiliation)


def _signature(
    statement: Statement,
    invitation: Invitation,
    name: str,
    kind: str,
    country: str,
    affiliation: str,
    replaces: Signature | None = None,
) -> Signature:
    revision = drafting.latest_revision(statement)
    signature = Signature(
        statement_id=statement.id,
        invitation_id=invitation.id,
        status=SignatureStatus.LIVE,
        name=name,
        sort_key=sort_key(name, statement.language, None),
        sort_rules=RULES_VERSION,
        kind=kind,
        country=country,
        affiliation=affiliation,
        signer_name=f"Contact at {name}"[:200],
        signer_email=invitation.email,
        revision_number=revision.number,
        revision_sha256=revision.sha256,
        replaces_id=replaces.id if replaces else None,
    )
    db.session.add(signature)
    db.session.flush()
    return signature


def load_publishing_demo(user: User) -> list[str]:
    """Add the publishing demo statements unless they exist; returns lines to print."""
    existing = {s.title for s in drafting.organisation_statements(user)}
    lines = []
    if PUBLISHED_TITLE not in existing:
        statement = drafting.create_statement(user, title=PUBLISHED_TITLE, body=LETTER_BODY)
        statement.letter_addressee_name = "H.E. Nadia Ivanova"
        statement.letter_addressee_title = "Minister of Justice"
        statement.letter_addressee_address = "Ministry of Justice\n10 Kalinina Street\nMinsk"
        statement.letter_salutation = "Dear Minister,"
        statement.group_individuals = True
        statement.timezone = "Europe/Brussels"
        drafting.change_state(user, statement, "open")
        for values in SIGNATORIES:
            _sign(statement, *values)
        first = publishing.today(statement) - dt.timedelta(days=9)
        publishing.publish(user, statement, date=first, note="")
        # Republished with two late signatories: edition 2 keeps edition 1 readable.
        drafting.change_state(user, statement, "open")
        for values in LATE_SIGNATORIES:
            _sign(statement, *values)
        publishing.publish(user, statement, date=first + dt.timedelta(days=6))
        lines.append(f"Published demo letter: /s/{statement.slug} (two editions)")

    if OPEN_TITLE not in existing:
        statement = drafting.create_statement(user, title=OPEN_TITLE, body=OPEN_BODY)
        drafting.change_state(user, statement, "open")
        signed = [_sign(statement, *values) for values in OPEN_SIGNATORIES]
        drafting.save_revision(
            user,
            statement,
            body=OPEN_BODY.replace("this year", "this year or next"),
            base_revision=statement.current_revision,
            note="Covers licences expiring next year too",
            substantive=True,
        )
        # Everyone re-confirmed the new text but the last, who is outstanding.
        for old in signed[:-1]:
            old.status = SignatureStatus.SUPERSEDED
            db.session.flush()
            assert old.invitation is not None
            _signature(
                statement, old.invitation, old.name, old.kind, old.country, old.affiliation,
                replaces=old,
            )
        lines.append(
            "Open demo statement with one outstanding signature: "
            f"/statements/{statement.id}/publish"
        )
    db.session.flush()
    return lines
