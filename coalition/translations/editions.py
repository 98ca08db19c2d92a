"""Translations at publication: what must be current, what an edition freezes, its exports.

Publishing requires every translation to be current, or left out of the edition by the
lead (``exclude_outstanding`` on the API, a tick per language on the page). Each included
translation is frozen with the edition as an ``EditionTranslation`` (its exact title and
body with the signatory count filled in, and their SHA-256) and its own ordered list
(``EditionTranslationSignatory``: every signatory of the edition, under its name in that
language, collated by that language's rules). Exports of a translated edition are rendered
once and kept in ``EditionTranslationExport``, as ``ExportFile`` keeps the source's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from coalition import events, roster, withheld
from coalition.domain import formats
from coalition.domain import translations as rules
from coalition.domain.errors import LanguageNames, NotFound, Said, say_plural
from coalition.domain.exports import EditionDocument, Letter, Signatory
from coalition.domain.placeholders import fill_count
from coalition.domain.rendering import render_markdown
from coalition.domain.revisions import text_sha256
from coalition.extensions import db
from coalition.models import (
    Edition,
    EditionSignatory,
    EditionTranslation,
    EditionTranslationExport,
    EditionTranslationSignatory,
    Signature,
    Statement,
)
from coalition.publishing import files
from coalition.publishing import services as publishing
from coalition.publishing.services import PreparedTranslation, TranslationPlan
from coalition.translations import services


def blocking(
    statement: Statement, *, exclude_outstanding: bool, include: Iterable[str] = ()
) -> list[str]:
    """Languages whose translation is not current and that publication would have to wait for.

    ``include`` names not-current translations the lead wants published (they must have
    been brought up to date by now); every other one blocks unless ``exclude_outstanding``
    leaves it out.
    """
    wanted = {rules.normalise_tag(tag) for tag in include if rules.is_tag(tag)}
    return [
        state.language
        for state in services.states(statement)
        if not state.current and (state.language in wanted or not exclude_outstanding)
    ]


def blocked_message(languages: list[str]) -> Said:
    """Why publication waits for these translations, and what the lead can do."""
    return say_plural(
        "The %(languages)s translation is not up to date with the current text. Update it "
        "on the Translations tab, or leave it out of this edition.",
        "The %(languages)s translations are not up to date with the current text. Update "
        "them on the Translations tab, or leave them out of this edition.",
        len(languages),
        languages=LanguageNames(languages),
    )


def plan(
    statement: Statement,
    count: int,
    *,
    exclude_outstanding: bool,
    include: Iterable[str] = (),
) -> TranslationPlan:
    """The current translations (count filled in), the left-out ones, and those publication
    must wait for (see :func:`blocking`) with the sentence that says why."""
    stuck = blocking(statement, exclude_outstanding=exclude_outstanding, include=include)
    included: list[PreparedTranslation] = []
    left_out: list[str] = []
    for state in services.states(statement):
        if not state.current or state.latest is None:
            left_out.append(state.language)
            continue
        title = fill_count(state.latest.title, count, state.language).strip()
        body = fill_count(state.latest.body, count, state.language)
        included.append(
            PreparedTranslation(
                language=state.language,
                revision=state.latest.number,
                source_revision=state.latest.source_revision,
                title=title,
                body=body,
                sha256=text_sha256(title, body),
            )
        )
    return TranslationPlan(
        tuple(included), tuple(left_out), tuple(stuck), blocked_message(stuck) if stuck else None
    )


def _on_edition_preparing(
    statement: Statement, *, count: int, exclude_outstanding: bool, include: Iterable[str]
) -> TranslationPlan:
    return plan(statement, count, exclude_outstanding=exclude_outstanding, include=include)


def _on_edition_published(edition: Edition, *, translations: Iterable[PreparedTranslation]) -> None:
    freeze(edition, translations)


def connect() -> None:
    """Take part in publication: plan the translations of an edition, freeze them with it."""
    events.edition_preparing.connect(_on_edition_preparing)
    events.edition_published.connect(_on_edition_published)


def freeze(edition: Edition, prepared: Iterable[PreparedTranslation]) -> list[EditionTranslation]:
    """Write each included translation and its ordered list with a new edition."""
    statement = edition.statement
    rows = list(
        db.session.scalars(
            select(EditionSignatory)
            .where(EditionSignatory.edition_id == edition.id)
            .order_by(EditionSignatory.position)
        )
    )
    # A signatory not named publicly is not named in any language: counted, in the line.
    hidden = [row for row in rows if not row.public]
    by_signature = {
        row.signature_id: row for row in rows if row.signature_id is not None and row.public
    }
    signatures = list(
        db.session.scalars(select(Signature).where(Signature.id.in_(list(by_signature))))
    ) if by_signature else []
    # The edition's order is the source's; a translation lists the same signatories.
    position_of = {row.signature_id: row.position for row in rows}
    signatures.sort(key=lambda s: position_of[s.id])
    made = []
    for item in prepared:
        translated = EditionTranslation(
            edition_id=edition.id,
            language=item.language,
            translation_revision=item.revision,
            source_revision=item.source_revision,
            title=item.title,
            body=item.body,
            sha256=item.sha256,
            withheld_line=withheld.line(
                len(hidden),
                item.language,
                named=bool(by_signature),
                organisations=all(row.kind != "individual" for row in hidden),
            ),
        )
        db.session.add(translated)
        db.session.flush()
        ordered = services.ordered_names(
            statement, signatures, item.language, group_individuals=edition.group_individuals
        )
        for position, (signature, name) in enumerate(ordered, start=1):
            db.session.add(
                EditionTranslationSignatory(
                    edition_translation_id=translated.id,
                    position=position,
                    edition_signatory_id=by_signature[signature.id].id,
                    name=name,
                )
            )
        made.append(translated)
    db.session.flush()
    return made


# --- reading a translated edition ---------------------------------------------------------------


def of_edition(edition: Edition) -> list[EditionTranslation]:
    """The translations frozen with an edition, by language."""
    return list(
        db.session.scalars(
            select(EditionTranslation)
            .where(EditionTranslation.edition_id == edition.id)
            .order_by(EditionTranslation.language)
        )
    )


def find(edition: Edition, language: str | None) -> EditionTranslation | None:
    """The edition's translation into ``language``, or None (unknown, or not carried)."""
    if not language or not rules.is_tag(language):
        return None
    return db.session.scalar(
        select(EditionTranslation).where(
            EditionTranslation.edition_id == edition.id,
            EditionTranslation.language == rules.normalise_tag(language),
        )
    )


def languages(edition: Edition) -> list[str]:
    """The edition's languages: the source's first, then its translations'."""
    return [edition.language, *(t.language for t in of_edition(edition))]


def document(edition: Edition, translated: EditionTranslation) -> EditionDocument:
    """A translated edition as the exports see it: frozen rows only, in its language."""
    source = files.edition_document(edition)
    signatories = tuple(
        Signatory(
            name=row.name,
            kind=row.edition_signatory.kind,
            country=row.edition_signatory.country or None,
            # As in the source list: only individuals show an affiliation.
            affiliation=(row.edition_signatory.affiliation or None)
            if row.edition_signatory.kind == "individual"
            else None,
        )
        for row in translated.signatories
    )
    letter = Letter(**edition.letter) if edition.letter else None
    return EditionDocument(
        withheld=source.withheld,
        withheld_line=translated.withheld_line,
        withheld_descriptions=source.withheld_descriptions,
        title=translated.title,
        body_markdown=translated.body,
        body_html=render_markdown(translated.body),
        date=edition.date,
        language=translated.language,
        lead_organisation=source.lead_organisation,
        conveners=source.conveners,
        edition=edition.number,
        note=source.note,
        updates=source.updates,
        signatories=signatories,
        url=f"{publishing.permalink(edition.statement, edition.number)}?lang={translated.language}",
        sha256=translated.sha256,
        letter=letter,
        group_individuals=edition.group_individuals,
    )


def file_name(edition: Edition, translated: EditionTranslation, fmt: str) -> str:
    """The source's file name with the language before the extension: slug-ru.pdf."""
    name = files.file_name(edition.statement, edition.number, fmt)
    stem, _, extension = name.rpartition(".")
    return f"{stem}-{translated.language}.{extension}"


def cached_export(translated: EditionTranslation, fmt: str) -> EditionTranslationExport:
    """A translated edition's export, rendered on first use and then read from the cache.

    The caller commits. Two first requests at once both render; the unique
    (translation, format) constraint keeps one row and the loser reads it back.
    """

    formats.get(fmt)  # ValueError for a format that is not registered
    query = select(EditionTranslationExport).where(
        EditionTranslationExport.edition_translation_id == translated.id,
        EditionTranslationExport.format == fmt,
    )
    row = db.session.scalar(query)
    if row is not None:
        return row
    edition = translated.edition
    content = formats.render(
        document(edition, translated),
        fmt,
        file_name(edition, translated, "md").rpartition(".")[0],
        part=lambda name: cached_export(translated, name).content,
    )
    try:
        with db.session.begin_nested():
            row = EditionTranslationExport(
                edition_translation_id=translated.id, format=fmt, content=content
            )
            db.session.add(row)
    except IntegrityError:
        row = db.session.scalar(query)
        assert row is not None
    return row


def draft_document(statement: Statement, language: str) -> EditionDocument:
    """The lead's DRAFT export in a translation: its newest text, the list in its order.

    Raises NotFound for a language the statement is not translated into, and for a
    translation with no text yet.
    """
    translation = services.get(statement, language)
    newest = services.latest(translation)
    if newest is None:
        raise NotFound(
            "This translation has no text yet.", fields={"language": "no text yet"}
        )
    draft = files.draft_document(statement)
    count = len(draft.listed)
    body = fill_count(newest.body, count, translation.language)
    endorsing = roster.plan(statement).endorsing
    listed = services.ordered_names(statement, withheld.named(endorsing), translation.language)
    unnamed = withheld.of(endorsing, translation.language)
    return replace(
        draft.document,
        withheld_line=unnamed.line,
        title=fill_count(newest.title, count, translation.language),
        body_markdown=body,
        body_html=render_markdown(body),
        language=translation.language,
        signatories=tuple(
            Signatory(
                name=name,
                kind=signature.kind,
                country=signature.country or None,
                affiliation=(signature.affiliation or None)
                if signature.kind == "individual"
                else None,
            )
            for signature, name in listed
        ),
    )
