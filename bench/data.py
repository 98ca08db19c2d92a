"""The bench's data, loaded in-process through Coalition's services (not over HTTP).

Statements, revisions, state changes, tokens and publications go through the services
exactly as the app makes them. Two shortcuts keep loading quick, and neither touches what
the measured requests read: invitations for the load are inserted in one statement with
tokens we know (the invitation service makes its own token and queues a mail per row),
and the signatures of the big lists are built by the signing service's own row builder
(`clean_input`, sort key, endorsed revision and its SHA-256) and inserted in bulk, without
the per-signature audit event and receipt mail that `sign` adds. Publication is the real
service: it freezes the edition and queues a notice per signatory.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlalchemy import insert, select

from bench.diff_bench import edit, lay_out, make_words, text
from coalition.accounts.services import create_api_token, create_user
from coalition.domain import formats
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import Invitation, Revision, Statement, User
from coalition.publishing import files
from coalition.publishing import services as publishing
from coalition.security import hash_token, new_token
from coalition.signing import open_signon as open_signon_service
from coalition.signing import services as signing
from coalition.signing.services import SignatureInput

LEAD_EMAIL = "lead@bench.example.org"
LEAD_PASSWORD = "a long bench passphrase for 2026"  # noqa: S105 - a throwaway bench database

BODY = (
    "We, the undersigned organisations, call on the authorities to release every "
    "human rights defender detained for peaceful work.\n\n"
    "We urge them to end the harassment of civil society and to allow independent "
    "monitors to visit places of detention.\n\n"
    "We stand with everyone who defends human rights at great personal risk.\n"
)

# Names that make the collation work as it would for a real coalition: accents, articles,
# quotation marks, hyphens, Cyrillic.
FIRST = [
    "Amnesty", "Ärzte", "Asociación", "Centre", "Comité", "Coalition", "Fondation",
    "Forum", "Frauen", "Initiative", "Liga", "Movimiento", "Network", "Observatoire",
    "Rights", "Société", "Union", "Женская", "Правозащитный", "Центр",
]
SECOND = [
    "for Justice", "pour la Liberté", "de Derechos Humanos", "für Menschenrechte",
    "Watch", "Alliance", "International", "du Sud", "of the North", "Solidarity",
    "сеть", "инициатива", "Defenders", "Legal Aid", "Press Freedom", "Women's Voice",
]
ARTICLES = ["", "", "", "The ", "La ", "Les ", "El ", "Die ", "“"]
COUNTRIES = ["FR", "DE", "ES", "GB", "UA", "BY", "KE", "BR", "IN", "US", "", "Kosovo"]


def name_for(n: int, rng: random.Random) -> str:
    """A plausible organisation name, unique by its number."""
    article = rng.choice(ARTICLES)
    closing = "”" if article == "“" else ""
    first, second = rng.choice(FIRST), rng.choice(SECOND)
    joiner = "-" if rng.random() < 0.1 else " "
    return f"{article}{first}{joiner}{second}{closing} {n}"


@dataclass
class Loaded:
    """What the measurements need to find the data."""

    lead_email: str
    lead_password: str
    api_token: str
    signon_tokens: list[str]
    warmup_tokens: list[str]
    big_id: int
    big_slug: str
    big_count: int
    small_id: int
    small_slug: str
    small_count: int
    long_id: int
    long_words: int
    long_edits: int
    open_token: str = ""  # the open sign-on link of a statement open for signing
    open_id: int = 0
    extra_tokens: list[str] = field(default_factory=list)  # more invitations (scale-out)


def _statement(owner: User, title: str, body: str = BODY) -> Statement:
    statement = drafting.create_statement(owner, title=title, body=body)
    drafting.change_state(owner, statement, "open")
    db.session.flush()
    return statement


def invitations(statement: Statement, count: int, label: str) -> list[tuple[int, str]]:
    """`count` invitations with known tokens, inserted at once; (id, token) pairs."""
    if count == 0:
        return []
    tokens = [new_token() for _ in range(count)]
    start = db.session.scalar(select(db.func.max(Invitation.id))) or 0
    now = dt.datetime.now(dt.UTC)
    db.session.execute(
        insert(Invitation),
        [
            {
                "statement_id": statement.id,
                "organisation": f"{label} partner {n}",
                "email": f"contact{n}@{label.lower()}-partner{n}.example.org",
                "token_hash": hash_token(token),
                "message": "",
                "created_at": now,
            }
            for n, token in enumerate(tokens)
        ],
    )
    ids = db.session.scalars(
        select(Invitation.id)
        .where(Invitation.statement_id == statement.id, Invitation.id > start)
        .order_by(Invitation.id)
    ).all()
    return list(zip(ids, tokens, strict=True))


def signatures(statement: Statement, count: int, seed: int) -> None:
    """`count` live signatures, each through an invitation, built as `signing.sign` builds them."""
    rng = random.Random(seed)
    revision = db.session.scalar(
        select(Revision).where(
            Revision.statement_id == statement.id, Revision.number == statement.current_revision
        )
    )
    assert revision is not None
    pairs = invitations(statement, count, f"S{statement.id}")
    rows = []
    for n, (invitation_id, _token) in enumerate(pairs):
        individual = rng.random() < 0.15
        data = SignatureInput(
            name=f"Dr {name_for(n, rng).split()[-2]} Person {n}" if individual
            else name_for(n, rng),
            signer_name=f"Signer {n}",
            signer_email=f"signer{n}@partner{n}.example.org",
            signer_role="Director" if n % 3 else "",
            kind="individual" if individual else "organisation",
            affiliation=f"University {n % 97}" if individual else "",
            country=rng.choice(COUNTRIES),
        )
        clean = signing.clean_input(data)
        row = signing._new_row(  # the service's own builder: same key, revision and hash
            statement, revision, clean, invitation=None, status="live"
        )
        row.invitation_id = invitation_id
        rows.append(row)
    db.session.add_all(rows)
    db.session.flush()


def publish(owner: User, statement: Statement) -> None:
    """Publish through the publishing service (freezes the edition, queues notices)."""
    publishing.publish(owner, statement, exclude_outstanding=True)


def long_statement(owner: User, words: int, edits: int) -> Statement:
    """A statement of `words` words and a second revision with `edits` scattered edits."""
    laid_out = lay_out(make_words(words, seed=1), seed=2)
    statement = drafting.create_statement(
        owner, title="A long statement", body=text(laid_out)
    )
    db.session.flush()
    drafting.save_revision(
        owner,
        statement,
        body=text(edit(laid_out, edits, seed=3)),
        base_revision=1,
        note="Scattered edits",
    )
    return statement


def load(
    *, signon: int, warmup: int, big: int, small: int, words: int, edits: int,
    open_signon: bool = False, extra: int = 0, big_exports: bool = False,
) -> Loaded:
    """Load everything the measurements use; the caller is inside an app context."""
    owner = create_user(
        LEAD_EMAIL, LEAD_PASSWORD, organisation="Bench Coalition Lead", name="Bench Lead"
    )
    _, api_token = create_api_token(owner, "bench")
    db.session.commit()

    signon_statement = _statement(owner, "Sign-on under load")
    pairs = invitations(signon_statement, signon + warmup + extra, "Load")
    db.session.commit()

    open_token, open_id = "", 0
    if open_signon:
        opened = _statement(owner, "Open sign-on under load")
        open_signon_service.set_options(owner, opened, open_signon=True, group_individuals=False)
        db.session.commit()
        open_token, open_id = opened.open_signon_token or "", opened.id

    # A size of 0 leaves that part out (python -m bench --only ...).
    big_statement = _statement(owner, f"A statement with {big:,} signatories")
    if big:
        signatures(big_statement, big, seed=10)
        db.session.commit()
        publish(owner, big_statement)
        if big_exports:
            # What `flask publish-due` does when an embargo lifts: every export rendered
            # and stored before the first reader comes, not in a worker serving the crowd.
            edition = publishing.public_editions(big_statement)[-1]
            for fmt in formats.every():
                files.cached_export(edition, fmt.name)
    db.session.commit()

    small_statement = _statement(owner, f"A statement with {small:,} signatories")
    if small:
        signatures(small_statement, small, seed=11)
        db.session.commit()
        publish(owner, small_statement)
    db.session.commit()

    long_id = 0
    if words:
        long_id = long_statement(owner, words, edits).id
        db.session.commit()

    tokens = [token for _, token in pairs]
    return Loaded(
        lead_email=LEAD_EMAIL,
        lead_password=LEAD_PASSWORD,
        api_token=api_token,
        signon_tokens=tokens[:signon],
        warmup_tokens=tokens[signon : signon + warmup],
        extra_tokens=tokens[signon + warmup :],
        open_token=open_token,
        open_id=open_id,
        big_id=big_statement.id,
        big_slug=big_statement.slug,
        big_count=big,
        small_id=small_statement.id,
        small_slug=small_statement.slug,
        small_count=small,
        long_id=long_id,
        long_words=words,
        long_edits=edits,
    )
