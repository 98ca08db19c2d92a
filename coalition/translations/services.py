"""Translation operations: add a translation, name its translator, save its revisions.

A translation is a statement's text in another language. Each of its revisions records the
source revision it translates, so it is known at every moment whether the translation
still says what the source says (domain.translations.status). Saving a translation
revision carries its base revision, as drafting does, and refuses a stale base.

Actors: the lead organisation's users may do everything; a partner the lead named as a
translation's translator (an Invitation) may save revisions of that translation only.
Each function checks permission and the life cycle, writes an audit event and queues mail;
the caller commits (one request, one commit).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext
from sqlalchemy import inspect, select

from coalition import audit, events, roster
from coalition.domain import lifecycle
from coalition.domain import translations as rules
from coalition.domain.errors import Conflict, NotFound, StaleRevision, ValidationError
from coalition.domain.integrity import RevisionMark, baseline
from coalition.domain.limits import NAME_MAX, clean_body, clean_line, clean_note, clean_title
from coalition.domain.revisions import text_sha256
from coalition.extensions import db
from coalition.i18n import mail_language
from coalition.mail import outbox
from coalition.models import (
    Invitation,
    Revision,
    Signature,
    SignatureName,
    Statement,
    Translation,
    TranslationRevision,
    User,
    utcnow,
)
from coalition.security import can_manage, require_manage

Actor = User | Invitation


# --- reading ---------------------------------------------------------------------------


def translations(statement: Statement) -> list[Translation]:
    """Every translation of a statement, by language tag."""
    return list(
        db.session.scalars(
            select(Translation)
            .where(Translation.statement_id == statement.id)
            .order_by(Translation.language)
        )
    )


def languages(statement: Statement) -> list[str]:
    """The statement's translation languages, by tag (not the source language)."""
    return list(
        db.session.scalars(
            select(Translation.language)
            .where(Translation.statement_id == statement.id)
            .order_by(Translation.language)
        )
    )


def find(statement: Statement, language: str) -> Translation | None:
    """The statement's translation into ``language`` (any case), or None."""
    if not language or not rules.is_tag(language):
        return None
    return db.session.scalar(
        select(Translation).where(
            Translation.statement_id == statement.id,
            Translation.language == rules.normalise_tag(language),
        )
    )


def get(statement: Statement, language: str) -> Translation:
    """The statement's translation into ``language``, or NotFound."""
    translation = find(statement, language)
    if translation is None:
        raise NotFound(
            f"This statement has no translation into {language[:35]}.",
            fields={"language": "no such translation"},
        )
    return translation


def get_revision(translation: Translation, number: int) -> TranslationRevision:
    """One revision of a translation, or NotFound."""
    revision = db.session.scalar(
        select(TranslationRevision).where(
            TranslationRevision.translation_id == translation.id,
            TranslationRevision.number == number,
        )
    )
    if revision is None:
        raise NotFound(
            f"Revision {number} of this translation does not exist.",
            fields={"revision": "not found"},
        )
    return revision


def latest(translation: Translation) -> TranslationRevision | None:
    """The translation's newest revision, or None while it has no text."""
    if not translation.current_revision:
        return None
    return get_revision(translation, translation.current_revision)


def list_revisions(translation: Translation) -> list[TranslationRevision]:
    """Every revision of a translation, oldest first."""
    return list(
        db.session.scalars(
            select(TranslationRevision)
            .where(TranslationRevision.translation_id == translation.id)
            .order_by(TranslationRevision.number)
        )
    )


@dataclass(frozen=True)
class State:
    """A translation with its newest text and whether it still translates the current source."""

    translation: Translation
    latest: TranslationRevision | None
    status: rules.Status
    baseline: int  # the oldest source revision a current translation may translate

    @property
    def language(self) -> str:
        return self.translation.language

    @property
    def current(self) -> bool:
        return self.status == rules.CURRENT

    @property
    def stale(self) -> bool:
        """Not current: stale, or no text yet (the API's "stale")."""
        return self.status != rules.CURRENT


def state_of(
    translation: Translation, marks: list[RevisionMark] | None = None
) -> State:
    """A translation's state against its statement's current text."""
    statement = translation.statement
    marks = roster.revision_marks(statement) if marks is None else marks
    newest = latest(translation)
    return State(
        translation=translation,
        latest=newest,
        status=rules.status(
            newest.source_revision if newest else None, marks, statement.current_revision
        ),
        baseline=baseline(marks, statement.current_revision),
    )


def states(statement: Statement) -> list[State]:
    """Every translation's state, by language."""
    marks = roster.revision_marks(statement)
    return [state_of(translation, marks) for translation in translations(statement)]


# --- who may do what ----------------------------------------------------------------------


def may_edit(actor: Actor, translation: Translation) -> bool:
    """The lead's users edit every translation; a partner only the one it was named for."""
    if isinstance(actor, User):
        return can_manage(actor, translation.statement)
    return (
        actor.revoked_at is None
        and actor.statement_id == translation.statement_id
        and translation.translator_invitation_id == actor.id
    )


def assigned_to(invitation: Invitation) -> list[Translation]:
    """The translations a partner was named translator of, by language."""
    return list(
        db.session.scalars(
            select(Translation)
            .where(
                Translation.translator_invitation_id == invitation.id,
                Translation.statement_id == invitation.statement_id,
            )
            .order_by(Translation.language)
        )
    )


def translator_label(translation: Translation) -> str:
    """Who translates, as the lead's pages show it."""
    if translation.translator_invitation is not None:
        return f"{translation.translator_invitation.organisation} (partner)"
    if translation.translator_user is not None:
        return translation.translator_user.display_name
    return ""


# --- changes -------------------------------------------------------------------------------


def clean_language(statement: Statement, value: object) -> str:
    """A new translation's language: a BCP 47 tag, not the source's, not translated yet."""
    if not isinstance(value, str) or not rules.is_tag(value):
        raise ValidationError(
            "The language must be a BCP 47 tag such as ru, be or pt-BR.",
            fields={"language": "must be a BCP 47 language tag"},
        )
    tag = rules.normalise_tag(value)
    if rules.same_language(tag, statement.language):
        raise ValidationError(
            "That is the statement's own language.",
            fields={"language": "is the source language"},
        )
    if find(statement, tag) is not None:
        raise ValidationError(
            f"There is already a translation into {rules.language_name(tag)}.",
            fields={"language": "already translated"},
        )
    return tag


def _translator(
    statement: Statement, translator: User | Invitation | None
) -> tuple[int | None, int | None]:
    """The (user id, invitation id) pair naming a translator, checked against the statement."""
    if translator is None:
        return None, None
    if isinstance(translator, User):
        if not can_manage(translator, statement):
            raise ValidationError(
                "The translator must be one of your colleagues or an invited partner.",
                fields={"translator": "not in your organisation"},
            )
        return translator.id, None
    if translator.statement_id != statement.id or translator.revoked_at is not None:
        raise ValidationError(
            "The translator must be a partner invited to this statement.",
            fields={"translator": "not invited to this statement"},
        )
    return None, translator.id


def add_translation(
    actor: User,
    statement: Statement,
    language: object,
    *,
    translator: User | Invitation | None = None,
) -> Translation:
    """Add a translation (no text yet) into a new language; the statement's lead only."""
    require_manage(actor, statement)
    tag = clean_language(statement, language)
    user_id, invitation_id = _translator(statement, translator)
    translation = Translation(
        statement_id=statement.id,
        language=tag,
        translator_user_id=user_id,
        translator_invitation_id=invitation_id,
        current_revision=0,
        created_by_id=actor.id,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    db.session.add(translation)
    db.session.flush()
    audit.record(
        "translation.added",
        actor=actor,
        statement=statement,
        language=tag,
        translator=translator_label(translation) or None,
    )
    _notify_translator(translation, "translator_named")
    return translation


def set_translator(
    actor: User, translation: Translation, translator: User | Invitation | None
) -> Translation:
    """Name (or clear) a translation's translator; the statement's lead only."""
    statement = translation.statement
    require_manage(actor, statement)
    user_id, invitation_id = _translator(statement, translator)
    if (user_id, invitation_id) == (
        translation.translator_user_id,
        translation.translator_invitation_id,
    ):
        return translation
    old = translator_label(translation)
    translation.translator_user_id = user_id
    translation.translator_invitation_id = invitation_id
    translation.updated_at = utcnow()
    db.session.flush()
    db.session.refresh(translation)
    audit.record(
        "translation.translator_changed",
        actor=actor,
        statement=statement,
        language=translation.language,
        old=old or None,
        new=translator_label(translation) or None,
    )
    _notify_translator(translation, "translator_named")
    return translation


def _integer(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(
            f"{name} must be a revision number.", fields={name: "must be an integer"}
        )
    return value


def save_revision(
    actor: Actor,
    translation: Translation,
    *,
    title: object,
    body: object,
    base_revision: object,
    source_revision: object,
    note: object = "",
) -> TranslationRevision:
    """Save a new revision of a translation on top of ``base_revision``.

    ``source_revision`` is the source revision the translator translated (the one the
    editor showed). Lead users and the translation's named partner may call it, while the
    statement's text may change. A base that is no longer the latest raises StaleRevision.
    """
    statement = translation.statement
    if not may_edit(actor, translation):
        raise NotFound("No such translation.", fields={"language": "not found"})
    base = _integer("base_revision", base_revision)
    source = _integer("source_revision", source_revision)
    if not lifecycle.is_editable(statement.state_enum):
        raise lifecycle.TransitionNotAllowed(
            f"The translations cannot change while the statement is {statement.state}; "
            "reopen it for signing first.",
            fields={"state": statement.state},
        )
    if not 1 <= source <= statement.current_revision:
        raise ValidationError(
            f"source_revision must be between 1 and {statement.current_revision}.",
            fields={"source_revision": f"must be 1 to {statement.current_revision}"},
        )
    title_ = clean_title(title)
    body_ = clean_body(body)
    note_ = clean_note(note)
    # Lock the translation row (PostgreSQL) so two saves on one base cannot both win; the
    # unique (translation, number) constraint is the last line of defence on SQLite.
    locked = db.session.scalar(
        select(Translation).where(Translation.id == translation.id).with_for_update()
    )
    assert locked is not None
    if base != locked.current_revision:
        raise StaleRevision(locked.current_revision, base)
    number = locked.current_revision + 1
    revision = TranslationRevision(
        translation_id=translation.id,
        number=number,
        title=title_,
        body=body_,
        source_revision=source,
        sha256=text_sha256(title_, body_),
        note=note_,
        author_id=actor.id if isinstance(actor, User) else None,
        author_invitation_id=actor.id if isinstance(actor, Invitation) else None,
        created_at=utcnow(),
    )
    db.session.add(revision)
    locked.current_revision = number
    locked.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "translation.revision_saved",
        actor=actor,
        statement=statement,
        language=translation.language,
        revision=number,
        source_revision=source,
        note=note_,
    )
    return revision


# --- mail to translators ----------------------------------------------------------------------


def _translator_address(translation: Translation) -> tuple[str, Invitation | None] | None:
    if translation.translator_invitation is not None:
        invitation = translation.translator_invitation
        if invitation.revoked_at is not None:
            return None
        return invitation.email, invitation
    if translation.translator_user is not None:
        return translation.translator_user.email, None
    return None


def _notify_translator(
    translation: Translation, kind: str, **context: object
) -> None:
    """Mail the translator (a partner or a colleague); nothing when none is named."""
    address = _translator_address(translation)
    if address is None:
        return
    to, invitation = address
    statement = translation.statement
    language = rules.language_name(translation.language, mail_language(statement))
    subjects = {
        "translator_named": lazy_gettext(
            "Please translate into %(language)s: %(title)s",
            language=language, title=statement.title,
        ),
        "translation_stale": lazy_gettext(
            "The source text changed: %(language)s translation of %(title)s",
            language=language, title=statement.title,
        ),
    }
    outbox.queue(
        kind,
        to=to,
        subject=subjects[kind],
        context={
            "statement": statement,
            "translation": translation,
            "language_name": language,
            "partner": invitation is not None,
            "lead": statement.organisation.name,
            **context,
        },
        statement=statement,
        invitation=invitation,
    )


def _on_revision_saved(statement: Statement, **kwargs: object) -> None:
    """A substantive source revision makes current translations stale: tell their translators."""
    revision = kwargs.get("revision")
    if not isinstance(revision, Revision) or not revision.substantive:
        return
    marks = roster.revision_marks(statement)
    before = [mark for mark in marks if mark.number < revision.number]
    for translation in translations(statement):
        newest = latest(translation)
        if newest is None:
            continue
        was = rules.status(newest.source_revision, before, revision.number - 1)
        now = rules.status(newest.source_revision, marks, revision.number)
        if was == rules.CURRENT and now == rules.STALE:
            audit.record(
                "translation.stale",
                actor=None,
                statement=statement,
                language=translation.language,
                translated=newest.source_revision,
                source_revision=revision.number,
            )
            _notify_translator(translation, "translation_stale", old=newest, new=revision)


def _refuse_translated_language(statement: Statement, **kwargs: object) -> None:
    """The source language cannot become one the statement is already translated into."""
    language = kwargs.get("language")
    if isinstance(language, str) and find(statement, language) is not None:
        raise ValidationError(
            "The statement already has a translation into that language: the source must be "
            "in another one.",
            fields={"language": "already a translation language"},
        )


def connect() -> None:
    """Listen for saved source revisions and vetoed language changes (idempotent: blinker
    keeps one connection per receiver)."""
    events.revision_saved.connect(_on_revision_saved)
    events.language_changing.connect(_refuse_translated_language)


# --- signatory names per language ----------------------------------------------------------


def clean_names(statement: Statement, names: Mapping[str, object] | None) -> dict[str, str] | None:
    """Name forms keyed by translation language; None stays None ("keep the previous ones").

    Empty forms are dropped (the signatory is then listed under its own name); a language
    the statement is not translated into is refused, naming the field ``names.<tag>``.
    """
    if names is None:
        return None
    allowed = {rules.normalise_tag(tag): tag for tag in languages(statement)}
    clean: dict[str, str] = {}
    errors: dict[str, str] = {}
    untranslated: dict[str, str] = {}
    for key, value in names.items():
        field = f"names.{key}"[:60]
        tag = rules.normalise_tag(key) if isinstance(key, str) and rules.is_tag(key) else None
        if tag is None:
            errors[field] = "not a language tag"
            continue
        if tag not in allowed:
            untranslated[field] = "not a translation language of this statement"
            continue
        try:
            form = clean_line(field, value, limit=NAME_MAX, required=False)
        except ValidationError as error:
            errors.update(error.fields)
            continue
        if form:
            clean[allowed[tag]] = form
    if errors or untranslated:
        # A well-formed tag the statement is not (yet) translated into is a 409, as a state
        # of the statement; anything malformed among them makes it a 422.
        refusal = ValidationError if errors else Conflict
        raise refusal(
            "Some name forms could not be used: " + "; ".join(
                f"{field} {message}" for field, message in {**errors, **untranslated}.items()
            ) + ".",
            fields={**errors, **untranslated},
        )
    return clean


def names_of(signature_ids: list[int] | set[int]) -> dict[int, dict[str, str]]:
    """The name forms of these signatures: {signature id: {language: name}}."""
    found: dict[int, dict[str, str]] = {}
    if not signature_ids:
        return found
    ids = sorted(signature_ids)
    # In chunks, so a list of thousands stays under every database's parameter limit.
    for start in range(0, len(ids), 900):
        rows = db.session.execute(
            select(SignatureName.signature_id, SignatureName.language, SignatureName.name).where(
                SignatureName.signature_id.in_(ids[start : start + 900])
            )
        )
        for signature_id, language, name in rows:
            found.setdefault(signature_id, {})[language] = name
    return found


_NAME_FORMS = "coalition.name_forms"


def record_names(signature: Signature, forms: dict[str, str]) -> dict[str, str]:
    """Write a new signature row's name forms.

    Rows are write-once: a change of a name form is a new signature (signing again), whose
    forms are written here; a re-confirmation keeps the forms by passing the replaced
    row's (signing's plan reads them).
    """
    for language, name in sorted(forms.items()):
        db.session.add(
            SignatureName(
                signature_id=signature.id, language=language, name=name, created_at=utcnow()
            )
        )
    if forms:
        db.session.flush()
    # Kept with the object (its ORM state, gone if the transaction rolls back), so the
    # answer that follows the signing needs no query: the forms are write-once.
    inspect(signature).info[_NAME_FORMS] = dict(forms)
    return dict(forms)


def names_for(signature: Signature) -> dict[str, str]:
    """One signature's name forms; no query for a row this request has just written."""
    written: dict[str, str] | None = inspect(signature).info.get(_NAME_FORMS)
    if written is not None:
        return dict(written)
    return names_of({signature.id}).get(signature.id, {})


def ordered_names(
    statement: Statement, signatures: list[Signature], language: str,
    *, group_individuals: bool | None = None,
) -> list[tuple[Signature, str]]:
    """Signatures as listed in ``language``: each under its form in it, in its collation."""
    forms = names_of({s.id for s in signatures})
    by_id = {s.id: s for s in signatures}
    entries = [
        rules.Entry(s.id, s.name, s.kind == "individual", s.sort_as) for s in signatures
    ]
    ordered = rules.order(
        entries,
        {sid: f[language] for sid, f in forms.items() if language in f},
        language,
        group_individuals=statement.group_individuals
        if group_individuals is None
        else group_individuals,
    )
    return [(by_id[entry.signature_id], name) for entry, name in ordered]
