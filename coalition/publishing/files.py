"""Edition rows -> export documents, and the cache of published exports.

A published edition never changes, so each of its exports is rendered once and kept in
``ExportFile``; every later request is served from that row. Draft exports (the lead's,
marked DRAFT) are rendered on each request and never stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from coalition import caching, roster, withheld
from coalition.coleads import services as coleads
from coalition.domain import exports, formats
from coalition.domain.exports import EditionDocument, Letter, Signatory, Update
from coalition.domain.placeholders import fill_count
from coalition.domain.rendering import render_markdown
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import (
    Edition,
    EditionSignatory,
    ExportFile,
    Signature,
    Statement,
)
from coalition.publishing import services


def base_name(statement: Statement, number: int) -> str:
    """The file name stem: the slug, with the edition number after the first edition."""
    return statement.slug if number == 1 else f"{statement.slug}-edition-{number}"


def file_name(statement: Statement, number: int, fmt: str, *, draft: bool = False) -> str:
    """An export's file name: slug-edition-2-press-kit.zip, slug-DRAFT.pdf."""
    stem = f"{statement.slug}-DRAFT" if draft else base_name(statement, number)
    return formats.get(fmt).file_name(stem)


def _signatory(name: str, kind: str, country: str, affiliation: str) -> Signatory:
    # An organisation's affiliation is not part of the list (only individuals show one).
    return Signatory(
        name=name,
        kind=kind,
        country=country or None,
        affiliation=(affiliation or None) if kind == "individual" else None,
    )


def _updates(earlier: Iterable[Edition]) -> tuple[Update, ...]:
    """Earlier editions' "Updated on ..." lines, newest first (the first edition is no update)."""
    return tuple(
        Update(previous.date, previous.note)
        for previous in sorted(earlier, key=lambda e: e.number, reverse=True)
        if previous.number > 1 and previous.note.strip()
    )


def edition_document(edition: Edition) -> EditionDocument:
    """An edition as the exports see it: frozen rows only, earlier editions' notes as updates.

    Cached per worker: an edition and the editions before it are write-once, so only the
    lead organisation's name and the public address (both in the key) could change it.
    """
    statement = edition.statement
    lead = statement.organisation.name
    url = services.permalink(statement, edition.number)
    return caching.cache("edition_documents", maxsize=16).get_or_make(
        (edition.id, lead, url), lambda: _edition_document(edition, lead, url)
    )


def _edition_document(edition: Edition, lead: str, url: str) -> EditionDocument:
    earlier = db.session.scalars(
        select(Edition).where(
            Edition.statement_id == edition.statement_id, Edition.number < edition.number
        )
    )
    # Plain rows, not ORM objects: an edition may list tens of thousands of names.
    rows = db.session.execute(
        select(
            EditionSignatory.name,
            EditionSignatory.kind,
            EditionSignatory.country,
            EditionSignatory.affiliation,
        )
        .where(EditionSignatory.edition_id == edition.id, EditionSignatory.public)
        .order_by(EditionSignatory.position)
    )
    # Rows not named publicly hold their public description in ``name`` and nothing else.
    descriptions = db.session.scalars(
        select(EditionSignatory.name)
        .where(EditionSignatory.edition_id == edition.id, ~EditionSignatory.public)
        .order_by(EditionSignatory.position)
    )
    letter = Letter(**edition.letter) if edition.letter else None
    return EditionDocument(
        title=edition.title,
        body_markdown=edition.body,
        body_html=render_markdown(edition.body),
        date=edition.date,
        language=edition.language,
        lead_organisation=lead,
        conveners=tuple(edition.conveners or ()),
        edition=edition.number,
        note=edition.note or None,
        updates=_updates(earlier),
        signatories=tuple(
            _signatory(name, kind, country, affiliation)
            for name, kind, country, affiliation in rows
        ),
        url=url,
        sha256=edition.sha256,
        letter=letter,
        group_individuals=edition.group_individuals,
        withheld=edition.withheld_count,
        withheld_line=edition.withheld_line,
        withheld_descriptions=withheld.collated_descriptions(descriptions, edition.language),
    )


@dataclass(frozen=True)
class Draft:
    """The current text as it would be published now, with who would be listed."""

    document: EditionDocument
    listed: list[Signature]
    outstanding: list[Signature]


def draft_document(statement: Statement) -> Draft:
    """The lead's DRAFT export: current revision, count filled in, endorsing signatures listed."""
    current = roster.plan(statement)
    revision = drafting.latest_revision(statement)
    count = len(current.endorsing)
    letter_values = services.letter_block(statement)
    history = services.editions(statement)
    note = None
    if current.outstanding:
        more = len(current.outstanding)
        note = (
            "1 more signed an older text and is not listed until it re-confirms."
            if more == 1
            else f"{more} more signed an older text and are not listed until they re-confirm."
        )
    body = fill_count(revision.body, count, statement.language)
    unnamed = withheld.of(current.endorsing, statement.language, wording=statement)
    document = EditionDocument(
        title=fill_count(revision.title, count, statement.language),
        body_markdown=body,
        body_html=render_markdown(body),
        date=services.today(statement),
        language=statement.language,
        lead_organisation=statement.organisation.name,
        conveners=tuple(coleads.conveners(statement)),
        edition=len(history) + 1,
        note=note,
        updates=_updates(history),
        signatories=tuple(
            _signatory(s.name, s.kind, s.country, s.affiliation)
            for s in withheld.named(current.endorsing)
        ),
        withheld=unnamed.count,
        withheld_line=unnamed.line,
        withheld_descriptions=unnamed.descriptions,
        draft=True,
        letter=Letter(**letter_values) if letter_values else None,
        group_individuals=statement.group_individuals,
    )
    return Draft(document, current.endorsing, current.outstanding)


def preparation_document(
    statement: Statement, preparation: services.Preparation
) -> EditionDocument:
    """What a publication would freeze, as a document: the confirmation step shows it."""
    letter = Letter(**preparation.letter) if preparation.letter else None
    return EditionDocument(
        title=preparation.title,
        body_markdown=preparation.body,
        body_html=render_markdown(preparation.body),
        date=preparation.date,
        language=preparation.language,
        lead_organisation=statement.organisation.name,
        conveners=tuple(coleads.conveners(statement)),
        edition=preparation.number,
        note=preparation.note or None,
        updates=_updates(services.editions(statement)),
        signatories=tuple(
            _signatory(s.name, s.kind, s.country, s.affiliation) for s in preparation.named
        ),
        withheld=preparation.withheld.count,
        withheld_line=preparation.withheld.line,
        withheld_descriptions=preparation.withheld.descriptions,
        url=services.permalink(statement, preparation.number),
        sha256=preparation.sha256,
        letter=letter,
        group_individuals=preparation.group_individuals,
    )


def cached_export(edition: Edition, fmt: str) -> ExportFile:
    """A published edition's export, rendered on first use and then always read from the cache.

    The caller commits. Two first requests at once both render; the unique (edition,
    format) constraint keeps one row and the loser reads it back.
    """
    formats.get(fmt)  # ValueError for a format that is not registered
    row = db.session.scalar(
        select(ExportFile).where(ExportFile.edition_id == edition.id, ExportFile.format == fmt)
    )
    if row is not None:
        return row
    document = edition_document(edition)
    content = formats.render(
        document,
        fmt,
        base_name(edition.statement, edition.number),
        part=lambda name: cached_export(edition, name).content,
    )
    try:
        with db.session.begin_nested():
            row = ExportFile(edition_id=edition.id, format=fmt, content=content)
            db.session.add(row)
    except IntegrityError:
        row = db.session.scalar(
            select(ExportFile).where(ExportFile.edition_id == edition.id, ExportFile.format == fmt)
        )
        assert row is not None
    return row


def lead_csv(statement: Statement) -> bytes:
    """The lead's download: every live signature in published order, with contacts.

    Outstanding signatures are included (their ``endorsed_revision`` tells them apart);
    the public CSV of an edition holds only what the edition lists, without contacts.
    """
    signatures = roster.published(statement)
    # The lead's strictest setting leaves only the name of a signatory not named publicly.
    shown = [not withheld.hidden_from_staff(statement, s) for s in signatures]
    contacts = [
        {
            "signer_name": s.signer_name if show else "",
            "signer_role": s.signer_role if show else "",
            "signer_email": s.signer_email if show else "",
            "endorsed_revision": s.revision_number,
            "signed_at": s.created_at.isoformat(),
            "named_publicly": "yes" if s.public else "no",
            "public_description": s.public_description if show else "",
        }
        for s, show in zip(signatures, shown, strict=True)
    ]
    rows = [
        _signatory(s.name, s.kind, s.country if show else "", s.affiliation if show else "")
        for s, show in zip(signatures, shown, strict=True)
    ]
    # The public columns first, written exactly as in the public CSV (BOM, country names).
    return exports.signatories_csv(rows, contacts, language=statement.language).encode("utf-8")
