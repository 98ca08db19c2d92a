"""Publishing operations: who an edition may list, publishing it, embargoes and preview links.

An edition is a frozen snapshot (DESIGN "Statement life cycle"): revision, title, body with
the signatory count filled in, date, the ordered list of signatories who endorsed that
text, the letter block, and the SHA-256 of the exact published text. It is never edited:
publishing again makes edition n+1. An edition is public from ``public_from`` (an embargo
when that lies in the future); nothing else decides what the public sees.

Every operation takes the acting user explicitly, checks permission and the life cycle,
writes audit events and queues mail; the caller commits (one request, one commit).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from flask_babel import lazy_gettext
from sqlalchemy import select

from coalition import audit, events, roster, withheld
from coalition.coleads import services as coleads
from coalition.domain import integrity, lifecycle, publication
from coalition.domain.collation import sort_key
from coalition.domain.errors import (
    Conflict,
    Names,
    NotFound,
    PublicationBlocked,
    Said,
    say_plural,
)
from coalition.domain.exports import format_date
from coalition.domain.lifecycle import State
from coalition.domain.limits import clean_note
from coalition.domain.placeholders import fill_count
from coalition.domain.revisions import text_sha256
from coalition.domain.signatures import SignatureStatus
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.mail import outbox
from coalition.models import (
    AuditEvent,
    Edition,
    EditionSignatory,
    Revision,
    Signature,
    Statement,
    User,
    utcnow,
)
from coalition.security import hash_token, new_token, require_lead
from coalition.web import base_url

EMBARGO_LIFTED = "edition.embargo_lifted"


def now() -> dt.datetime:
    """The current time, aware UTC (one seam, so tests can move the clock past an embargo)."""
    return utcnow()


def statement_zone(statement: Statement) -> zoneinfo.ZoneInfo:
    """The statement's time zone (UTC when the stored name is unknown)."""
    try:
        return zoneinfo.ZoneInfo(statement.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def today(statement: Statement) -> dt.date:
    """Today's date in the statement's time zone: the default publication date."""
    return now().astimezone(statement_zone(statement)).date()




# --- editions -------------------------------------------------------------------------------


def editions(statement: Statement) -> list[Edition]:
    """Every edition of a statement, oldest first (embargoed ones included)."""
    return list(
        db.session.scalars(
            select(Edition).where(Edition.statement_id == statement.id).order_by(Edition.number)
        )
    )


def get_edition(statement: Statement, number: int) -> Edition:
    """One edition of a statement, or NotFound."""
    edition = db.session.scalar(
        select(Edition).where(Edition.statement_id == statement.id, Edition.number == number)
    )
    if edition is None:
        raise NotFound(f"Edition {number} does not exist.", fields={"edition": "not found"})
    return edition


def is_public(edition: Edition, at: dt.datetime | None = None) -> bool:
    """An edition is public once its embargo time has come, and not before."""
    return edition.public_from <= (at or now())


def is_embargoed(edition: Edition) -> bool:
    """Whether the edition was published under an embargo (whether or not it has lifted)."""
    return edition.public_from > edition.published_at


def statement_by_slug(slug: str) -> Statement | None:
    if not slug or len(slug) > 120:
        return None
    return db.session.scalar(select(Statement).where(Statement.slug == slug))


def public_editions(statement: Statement, at: dt.datetime | None = None) -> list[Edition]:
    """The editions the public may read, oldest first."""
    return list(
        db.session.scalars(
            select(Edition)
            .where(Edition.statement_id == statement.id, Edition.public_from <= (at or now()))
            .order_by(Edition.number)
        )
    )


def public_url(statement: Statement) -> str:
    """The statement's public page, absolute (web.base_url's rule)."""
    return f"{base_url()}/s/{statement.slug}"


def permalink(statement: Statement, number: int) -> str:
    """The stable address of one edition."""
    return f"{public_url(statement)}/editions/{number}"


# --- what a publication would be --------------------------------------------------------------


@dataclass(frozen=True)
class PreparedTranslation:
    """One translation as a publication would freeze it (Translations prepares it)."""

    language: str
    revision: int  # the translation's revision number
    source_revision: int
    title: str
    body: str
    sha256: str


@dataclass(frozen=True)
class TranslationPlan:
    """The translations a new edition would carry: Translations' answer to edition_preparing."""

    included: tuple[PreparedTranslation, ...] = ()  # current: frozen with the edition
    left_out: tuple[str, ...] = ()  # not up to date: not in this edition
    waiting: tuple[str, ...] = ()  # not up to date, and publication must wait for them
    said: Said | None = None  # why publication waits for them, for the lead


def translation_plan(
    statement: Statement,
    count: int,
    *,
    exclude_outstanding: bool = False,
    include: Iterable[str] = (),
) -> TranslationPlan:
    """The translations an edition listing ``count`` signatories would carry (none when no
    feature answers ``events.edition_preparing``).

    ``include`` names translations not up to date that the lead waits for; every other one
    is waited for too unless ``exclude_outstanding`` leaves it out.
    """
    answers = events.edition_preparing.send(
        statement, count=count, exclude_outstanding=exclude_outstanding, include=tuple(include)
    )
    for _receiver, answer in answers:
        if isinstance(answer, TranslationPlan):
            return answer
    return TranslationPlan()


@dataclass(frozen=True)
class Preparation:
    """Exactly what publishing now would freeze: shown to the lead before confirming."""

    number: int
    revision: int
    title: str
    body: str
    date: dt.date
    note: str
    public_from: dt.datetime | None  # None: public at once
    language: str
    letter: dict[str, str] | None
    group_individuals: bool
    signatures: tuple[Signature, ...]  # every one listed: named, then counted only
    left_out: tuple[Signature, ...]
    retracting: tuple[Signature, ...]
    added: tuple[str, ...]  # names new since the previous edition
    retracted: tuple[str, ...]  # names of the previous edition withdrawn since
    sha256: str
    fingerprint: str
    # Translations (docs/translations.md): the current ones frozen with the edition, and
    # the languages left out because their translation is not up to date.
    translations: tuple[PreparedTranslation, ...] = ()
    left_out_translations: tuple[str, ...] = ()
    # Signatures counted but not named publicly: their count, line and descriptions.
    withheld: withheld.Withheld = withheld.Withheld()

    @property
    def count(self) -> int:
        return len(self.signatures)

    @property
    def named(self) -> list[Signature]:
        """The signatures the public list names, in published order."""
        return withheld.named(self.signatures)

    @property
    def names(self) -> list[str]:
        return [signature.name for signature in self.named]


class PublicationChanged(Conflict):
    """What would be published changed after the lead reviewed it (a signature came or went)."""

    def __init__(self, preparation: Preparation):
        super().__init__(
            "Something changed since you reviewed this edition: check it again before publishing.",
            fields={"fingerprint": "changed"},
        )
        self.preparation = preparation


def _listed_at(statement: Statement) -> dict[int, dt.datetime]:
    """For each signature an edition listed, when the first such edition was published."""
    rows = db.session.execute(
        select(EditionSignatory.signature_id, Edition.published_at)
        .join(Edition, Edition.id == EditionSignatory.edition_id)
        .where(Edition.statement_id == statement.id, EditionSignatory.signature_id.is_not(None))
        .order_by(Edition.number)
    )
    listed: dict[int, dt.datetime] = {}
    for signature_id, published_at in rows:
        if signature_id is not None:
            listed.setdefault(signature_id, published_at)
    return listed


def letter_block(statement: Statement) -> dict[str, str] | None:
    """The joint letter's addressee block and salutation, or None for a plain statement."""
    if not statement.is_letter:
        return None
    return {
        "addressee_name": statement.letter_addressee_name.strip(),
        "addressee_title": statement.letter_addressee_title.strip(),
        "addressee_address": statement.letter_addressee_address.strip(),
        "salutation": statement.letter_salutation.strip(),
    }


def prepare(
    statement: Statement,
    *,
    date: dt.date | None = None,
    note: str | None = None,
    public_from: dt.datetime | None = None,
    exclude_outstanding: bool = False,
    include: Iterable[int] = (),
    include_translations: Iterable[str] = (),
) -> Preparation:
    """What publishing the statement now would freeze; raises what publishing would raise.

    ``include`` names outstanding signatures the lead wants listed: they must have
    re-confirmed (signed the current text) by now, or publication is refused. Other
    outstanding signatures block publication unless ``exclude_outstanding`` leaves them out
    (they stay live and outstanding, and can re-confirm for the next edition). A ``note``
    of None suggests one for a new edition from what changed since the previous one.
    Translations that are not up to date block publication in the same way
    (``include_translations`` names those the lead waits for; ``exclude_outstanding``
    leaves the others out).
    """
    _check_publishable(statement)
    current = roster.plan(statement)
    count = len(current.endorsing)  # named or not: every total counts them all
    translations = translation_plan(
        statement, count, exclude_outstanding=exclude_outstanding, include=include_translations
    )
    _refuse_outstanding(current, translations, exclude_outstanding, include)
    revision = drafting.latest_revision(statement)
    history = editions(statement)
    previous = history[-1] if history else None
    publication_date = publication.publication_date(
        date, today(statement), (previous.number, previous.date) if previous else None
    )
    public_from = publication.embargo(
        public_from, now(), max((edition.public_from for edition in history), default=None)
    )
    changes = integrity.edition_changes(
        _facts(statement, current, previous, revision, suggest=note is None)
    )
    note_ = clean_note(changes.note if note is None else note)

    unnamed = withheld.of(current.endorsing, statement.language, wording=statement)
    _refuse_waiting(translations)
    title = fill_count(revision.title, count, statement.language).strip()
    body = fill_count(revision.body, count, statement.language)
    preparation = Preparation(
        number=(previous.number if previous else 0) + 1,
        revision=revision.number,
        title=title,
        body=body,
        date=publication_date,
        note=note_,
        public_from=public_from,
        language=statement.language,
        letter=letter_block(statement),
        group_individuals=statement.group_individuals,
        signatures=tuple(_named_first(current.endorsing, statement.language)),
        left_out=tuple(current.outstanding),
        retracting=tuple(db.session.get_one(Signature, i) for i in changes.retracting),
        added=changes.added,
        retracted=changes.retracted,
        sha256=text_sha256(title, body),
        fingerprint="",
        translations=translations.included,
        left_out_translations=translations.left_out,
        withheld=unnamed,
    )
    return replace(preparation, fingerprint=_fingerprint(preparation, current.endorsing))


def _check_publishable(statement: Statement) -> None:
    """TransitionNotAllowed unless the statement is open or closed for signing."""
    state = statement.state_enum
    if not lifecycle.can_publish(state):
        raise lifecycle.TransitionNotAllowed(
            f"Only a statement that is open or closed for signing can be published; "
            f"this one is {lifecycle.LABELS[state].lower()}.",
            fields={"state": f"cannot publish from {state.value}"},
        )


def _refuse_outstanding(
    current: roster.Plan,
    translations: TranslationPlan,
    exclude_outstanding: bool,
    include: Iterable[int],
) -> None:
    """PublicationBlocked while outstanding signatures are neither re-confirmed nor left out
    (naming the translations publication waits for too)."""
    wanted = set(include)
    blocked = [s for s in current.outstanding if s.id in wanted or not exclude_outstanding]
    if not blocked:
        return
    signatures = say_plural(
        "%(num)d signatory endorsed an older text than the current revision %(revision)s "
        "and must re-confirm before being listed: %(names)s. Wait for them to re-confirm, "
        "or leave them out of this edition (they can re-confirm for the next one).",
        "%(num)d signatories endorsed an older text than the current revision "
        "%(revision)s and must re-confirm before being listed: %(names)s. Wait for them "
        "to re-confirm, or leave them out of this edition (they can re-confirm for the "
        "next one).",
        len(blocked),
        revision=current.revision,
        names=Names(s.name for s in blocked),
    )
    said = translations.said if translations.waiting else None
    raise PublicationBlocked(
        (signatures, said) if said is not None else signatures,
        fields={"exclude_outstanding": "outstanding signatures must be left out"},
        outstanding=[s.name for s in blocked],
        stale_translations=list(translations.waiting),
        translations_said=said,
    )


def _refuse_waiting(translations: TranslationPlan) -> None:
    """PublicationBlocked while translations not up to date are neither updated nor left out."""
    if translations.waiting and translations.said is not None:
        raise PublicationBlocked(
            translations.said,
            fields={"exclude_outstanding": "translations not up to date must be left out"},
            outstanding=[],
            stale_translations=list(translations.waiting),
            translations_said=translations.said,
        )


def _fingerprint(preparation: Preparation, endorsing: Sequence[Signature]) -> str:
    """What the lead reviews, as a digest: publishing refuses when it no longer matches."""
    return integrity.fingerprint(
        {
            "number": preparation.number,
            "revision": preparation.revision,
            "sha256": preparation.sha256,
            "date": preparation.date.isoformat(),
            "note": preparation.note,
            "public_from": preparation.public_from.isoformat() if preparation.public_from else None,
            "letter": preparation.letter,
            "language": preparation.language,
            "group": preparation.group_individuals,
            "signatures": [
                [s.id, s.name, s.kind, s.country, s.affiliation, s.public, s.public_description]
                for s in endorsing
            ],
            "withheld_line": preparation.withheld.line,
            "retracting": [s.id for s in preparation.retracting],
            "translations": [[t.language, t.revision, t.sha256] for t in preparation.translations],
        }
    )


def _facts(
    statement: Statement,
    current: roster.Plan,
    previous: Edition | None,
    revision: Revision,
    *,
    suggest: bool,
) -> integrity.EditionFacts:
    """The rows a new edition's decisions are made of, as plain data (``suggest``: with
    whether the text changed, for the suggested note)."""
    listed = None
    if previous is not None:
        listed = tuple(
            integrity.Listed(row.signature_id, row.name, row.public)
            for row in db.session.scalars(
                select(EditionSignatory).where(EditionSignatory.edition_id == previous.id)
            )
        )
    return integrity.EditionFacts(
        signers=roster.signers(statement),
        endorsing=tuple(s.id for s in current.endorsing),
        outstanding=tuple(s.id for s in current.outstanding),
        listed_at=_listed_at(statement),
        previous=listed,
        text_changed=suggest and _text_changed(statement, previous, revision),
    )


def _text_changed(statement: Statement, previous: Edition | None, revision: Revision) -> bool:
    """Whether the text differs from the previous edition's (False for a first edition)."""
    if previous is None or previous.revision_number == revision.number:
        return False
    before = drafting.get_revision(statement, previous.revision_number)
    return (before.title, before.body) != (revision.title, revision.body)


def _named_first(signatures: Sequence[Signature], language: str) -> list[Signature]:
    """The named in published order, then those not named, by collated description."""
    hidden = [s for s in signatures if not s.public]
    hidden.sort(key=lambda s: (not s.public_description.strip(),
                               sort_key(s.public_description.strip(), language), s.id))
    return [*withheld.named(signatures), *hidden]


def publish(
    actor: User,
    statement: Statement,
    *,
    date: dt.date | None = None,
    note: str | None = None,
    public_from: dt.datetime | None = None,
    exclude_outstanding: bool = False,
    include: Iterable[int] = (),
    include_translations: Iterable[str] = (),
    expected_fingerprint: str | None = None,
) -> Edition:
    """Publish the statement's current text as a new, frozen edition; the lead only.

    Refuses (409) unless the statement is open or closed, and while outstanding signatures
    are neither re-confirmed nor left out (see :func:`prepare`). With ``expected_fingerprint``
    (the confirmation step's), refuses with :class:`PublicationChanged` when what would be
    published is no longer exactly what the lead reviewed.
    """
    require_lead(actor, statement)
    # Lock the statement (PostgreSQL) so two publications cannot both take the same number;
    # the unique (statement, number) constraint is the last line of defence on SQLite.
    # populate_existing refreshes the row read before the lock, so a publication that waited
    # for another sees its state (published) and is refused instead of making a second edition.
    db.session.scalar(
        select(Statement)
        .where(Statement.id == statement.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    preparation = prepare(
        statement,
        date=date,
        note=note,
        public_from=public_from,
        exclude_outstanding=exclude_outstanding,
        include=include,
        include_translations=include_translations,
    )
    if expected_fingerprint is not None and expected_fingerprint != preparation.fingerprint:
        raise PublicationChanged(preparation)
    waiting = coleads.awaiting(statement)
    if waiting:
        raise coleads.awaiting_error(waiting)

    moment = now()
    edition = _freeze(actor, statement, preparation, moment)
    for signature in preparation.retracting:
        signature.status = SignatureStatus.RETRACTED
        audit.record(
            "signature.retracted",
            actor=actor,
            statement=statement,
            signature=signature.id,
            name=signature.name,
            edition=edition.number,
        )

    old_state = statement.state
    lifecycle.transition(statement.state_enum, State.PUBLISHED)
    statement.state = State.PUBLISHED.value
    statement.published_at = moment
    statement.updated_at = moment
    audit.record(
        "statement.state_changed",
        actor=actor,
        statement=statement,
        old=old_state,
        new=State.PUBLISHED.value,
    )
    _record_published(actor, statement, edition, preparation)
    _queue_notices(statement, edition, preparation)
    db.session.flush()
    events.state_changed.send(
        statement, actor=actor, old=old_state, new=State.PUBLISHED.value, reason=""
    )
    return edition


def _record_published(
    actor: User, statement: Statement, edition: Edition, preparation: Preparation
) -> None:
    """The audit event of a publication: what it froze, and what it left out."""
    audit.record(
        "edition.published",
        actor=actor,
        statement=statement,
        edition=edition.number,
        revision=edition.revision_number,
        date=edition.date.isoformat(),
        public_from=preparation.public_from.isoformat() if preparation.public_from else None,
        signatories=preparation.count,
        withheld=preparation.withheld.count,
        left_out=[s.name for s in preparation.left_out],
        retracted=[s.name for s in preparation.retracting],
        sha256=edition.sha256,
        note=edition.note,
        translations=[t.language for t in preparation.translations],
        left_out_translations=list(preparation.left_out_translations),
    )


def _freeze(
    actor: User, statement: Statement, preparation: Preparation, moment: dt.datetime
) -> Edition:
    """Write the edition, its ordered list and its translations, exactly as prepared."""
    conveners = coleads.conveners(statement)  # the lead, then its co-leads, frozen with it
    edition = Edition(
        statement_id=statement.id,
        number=preparation.number,
        revision_number=preparation.revision,
        title=preparation.title,
        body=preparation.body,
        date=preparation.date,
        note=preparation.note,
        sha256=preparation.sha256,
        language=preparation.language,
        letter=preparation.letter,
        published_at=moment,
        public_from=preparation.public_from or moment,
        published_by_id=actor.id,
        signatory_count=preparation.count,
        group_individuals=preparation.group_individuals,
        withheld_count=preparation.withheld.count,
        withheld_line=preparation.withheld.line,
        conveners=conveners if len(conveners) > 1 else None,
    )
    db.session.add(edition)
    db.session.flush()
    for position, signature in enumerate(preparation.signatures, start=1):
        named = signature.public
        db.session.add(
            EditionSignatory(
                edition_id=edition.id,
                position=position,
                signature_id=signature.id,
                # Not named: only what the signer wrote for the public, nothing of its own.
                name=signature.name if named else signature.public_description.strip(),
                kind=signature.kind,
                affiliation=(signature.affiliation or "") if named else "",
                country=(signature.country or "") if named else "",
                revision_number=signature.revision_number,
                public=named,
            )
        )
    db.session.flush()
    events.edition_published.send(edition, translations=preparation.translations)
    return edition


def _queue_notices(statement: Statement, edition: Edition, preparation: Preparation) -> None:
    """A publication notice to every listed signatory, sent when the edition becomes public."""
    context = {
        "title": edition.title,
        "date": format_date(edition.date, edition.language),
        "url": public_url(statement),
        "permalink": permalink(statement, edition.number),
        "edition": edition.number,
        "note": edition.note,
        "count": edition.signatory_count,
        "lead": statement.organisation.name,
    }
    sent: set[str] = set()
    for signature in preparation.signatures:
        address = signature.signer_email.strip()
        if not address or address.lower() in sent:
            continue
        sent.add(address.lower())
        outbox.queue(
            "publication_notice",
            to=address,
            subject=lazy_gettext("Published: %(title)s", title=edition.title),
            context={**context, "name": signature.name, "signer_name": signature.signer_name},
            statement=statement,
            invitation=signature.invitation,
            # Under embargo the link answers 404 until the embargo lifts: mail then.
            not_before=preparation.public_from,
        )


# --- embargoes and preview links ---------------------------------------------------------------


def lift_due_embargoes(at: dt.datetime | None = None) -> list[Edition]:
    """Record every embargo whose time has come (the cron's `publish-due`); returns those editions.

    Visibility itself needs no job (an edition is public iff ``public_from <= now``, checked
    on every request) and the notices were queued for that moment at publication; this
    writes the audit event that says when the edition went public.
    """
    moment = at or now()
    due = list(
        db.session.scalars(
            select(Edition)
            .where(Edition.public_from <= moment, Edition.public_from > Edition.published_at)
            .order_by(Edition.public_from, Edition.id)
        )
    )
    if not due:
        return []
    done = {
        (event.statement_id, (event.detail or {}).get("edition"))
        for event in db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == EMBARGO_LIFTED,
                AuditEvent.statement_id.in_({edition.statement_id for edition in due}),
            )
        )
    }
    lifted = []
    for edition in due:
        if (edition.statement_id, edition.number) in done:
            continue
        audit.record(
            EMBARGO_LIFTED,
            actor=None,
            statement=edition.statement,
            edition=edition.number,
            public_from=edition.public_from.isoformat(),
        )
        lifted.append(edition)
    return lifted


def create_preview_link(actor: User, statement: Statement, edition: Edition) -> str:
    """A new private preview link for journalists (replacing any earlier one); the lead only.

    Returns the token, shown once: only its hash is stored.
    """
    require_lead(actor, statement)
    if edition.statement_id != statement.id:
        raise NotFound("No such edition.", fields={"edition": "not found"})
    token = new_token()
    replaced = edition.preview_token_hash is not None
    edition.preview_token_hash = hash_token(token)
    audit.record(
        "edition.preview_link_created",
        actor=actor,
        statement=statement,
        edition=edition.number,
        replaced=replaced,
    )
    return token


def revoke_preview_link(actor: User, statement: Statement, edition: Edition) -> None:
    """Stop an edition's preview link from working; the lead only."""
    require_lead(actor, statement)
    if edition.statement_id != statement.id:
        raise NotFound("No such edition.", fields={"edition": "not found"})
    if edition.preview_token_hash is None:
        return
    edition.preview_token_hash = None
    audit.record(
        "edition.preview_link_revoked", actor=actor, statement=statement, edition=edition.number
    )


def edition_for_preview(slug: str, token: str) -> Edition:
    """The edition a preview link opens, embargoed or not; NotFound for anything else."""
    statement = statement_by_slug(slug)
    if statement is None or not token or len(token) > 200:
        raise NotFound("This preview link is not valid.", fields={"token": "not valid"})
    edition = db.session.scalar(
        select(Edition).where(
            Edition.statement_id == statement.id,
            Edition.preview_token_hash == hash_token(token),
        )
    )
    if edition is None:
        raise NotFound("This preview link is not valid.", fields={"token": "not valid"})
    return edition


def recent_public_editions(limit: int = 50) -> list[Edition]:
    """The newest public edition of each recently published statement, newest first (the feed)."""
    newest: dict[int, Edition] = {}
    rows = db.session.scalars(
        select(Edition)
        .where(Edition.public_from <= now())
        .order_by(Edition.public_from.desc(), Edition.id.desc())
        .limit(limit * 10)
    )
    for edition in rows:
        if edition.statement_id not in newest:
            newest[edition.statement_id] = edition
    return list(newest.values())[:limit]
