"""Translation pages: the lead's Translations tab and editor, and the partner's editor."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from coalition import roster, withheld
from coalition.domain import lifecycle
from coalition.domain import translations as rules
from coalition.domain.errors import DomainError, StaleRevision, ValidationError
from coalition.domain.rendering import render_markdown
from coalition.domain.revisions import redline_html
from coalition.drafting import services as drafting
from coalition.drafting.forms import LANGUAGE_NAMES
from coalition.extensions import db
from coalition.i18n import current_language
from coalition.invitations.access import invitation_or_ended_page
from coalition.models import Invitation, Statement, Translation, TranslationRevision, User
from coalition.outcomes import apply_errors, change
from coalition.security import current_actor, partner, statement_or_404
from coalition.translations import editions, forms, public, services
from coalition.web import local_time

bp = Blueprint("translations", __name__)
services.connect()
editions.connect()
public.connect()  # ?lang= on Publishing's addresses


def _translation(statement: Statement, language: str) -> Translation:
    translation = services.find(statement, language)
    if translation is None:
        abort(404)
    return translation


# --- choices ---------------------------------------------------------------------------------


def _language_choices(statement: Statement) -> list[SelectChoice]:
    taken = {rules.normalise_tag(tag) for tag in services.languages(statement)}
    taken.add(rules.normalise_tag(statement.language))
    return [SelectChoice("", "Choose a language")] + [
        SelectChoice(code, f"{rules.language_name(code)} — {name}")
        for code, name in LANGUAGE_NAMES
        if code not in taken
    ]


def _translator_choices(statement: Statement) -> list[SelectChoice]:
    colleagues = db.session.scalars(
        select(User)
        .where(User.organisation_id == statement.organisation_id, User.disabled_at.is_(None))
        .order_by(User.name, User.email)
    )
    partners = db.session.scalars(
        select(Invitation)
        .where(Invitation.statement_id == statement.id, Invitation.revoked_at.is_(None))
        .order_by(Invitation.organisation)
    )
    return (
        [forms.NOBODY]
        + [
            SelectChoice(f"user:{u.id}", f"{u.display_name} (your organisation)")
            for u in colleagues
        ]
        + [SelectChoice(f"invitation:{i.id}", f"{i.organisation} (partner)") for i in partners]
    )


def _translator_value(translation: Translation) -> str:
    if translation.translator_invitation_id is not None:
        return f"invitation:{translation.translator_invitation_id}"
    if translation.translator_user_id is not None:
        return f"user:{translation.translator_user_id}"
    return ""


def _chosen_translator(statement: Statement, value: str | None) -> User | Invitation | None:
    """The translator a select value names; a value that names nothing valid is refused."""
    kind, _, raw = (value or "").partition(":")
    if not kind:
        return None
    found: User | Invitation | None = None
    if raw.isdigit() and kind == "user":
        found = db.session.get(User, int(raw))
    elif raw.isdigit() and kind == "invitation":
        found = db.session.get(Invitation, int(raw))
    if found is None:
        raise ValidationError(
            "Choose a translator from the list.", fields={"translator": "not a choice"}
        )
    return found


# --- the Translations tab ---------------------------------------------------------------------


def _index(
    statement: Statement, form: forms.AddTranslationForm | None = None, status: int = 200
) -> tuple[str, int]:
    if form is None:
        form = forms.AddTranslationForm(formdata=None)
    form.language.choices = _language_choices(statement)
    form.translator.choices = _translator_choices(statement)
    rows = []
    for state in services.states(statement):
        translator_form = forms.TranslatorForm(formdata=None, prefix=f"t-{state.translation.id}")
        translator_form.translator.choices = form.translator.choices
        translator_form.translator.data = _translator_value(state.translation)
        rows.append({"state": state, "translator_form": translator_form})
    return (
        render_template(
            "translations/index.html",
            statement=statement,
            rows=rows,
            form=form,
            language_name=rules.language_name,
            native_name=rules.native_name,
            translator_label=services.translator_label,
            tz=statement.timezone,
            editable=lifecycle.is_editable(statement.state_enum),
        ),
        status,
    )


@bp.route("/statements/<int:statement_id>/translations")
def index(statement_id: int) -> tuple[str, int]:
    """The statement's translations: language, whether up to date, translator; the lead only."""
    return _index(statement_or_404(statement_id))


@bp.route("/statements/<int:statement_id>/translations", methods=["POST"])
def add(statement_id: int) -> tuple[str, int] | Response:
    """Add a translation into a new language, naming its translator; the lead only."""
    statement = statement_or_404(statement_id)
    form = forms.AddTranslationForm()
    if not form.validate_on_submit():
        return _index(statement, form, 422)
    language = (form.other_language.data or "").strip() or (form.language.data or "")
    with change(quiet=(DomainError,)) as outcome:
        translator = _chosen_translator(statement, form.translator.data)
        translation = services.add_translation(
            current_actor(), statement, language, translator=translator
        )
    if (error := outcome.error) is not None:
        if "language" in error.fields and form.other_language.data:
            error.fields["other_language"] = error.fields.pop("language")
        apply_errors(form, error)
        return _index(statement, form, error.status)
    flash(
        gettext(
            "The %(language)s translation is added. "
            "Write its first text here, or let its translator do it.",
            language=rules.language_name(translation.language, current_language(),
                                          capitalise=False),
        ),
        "success",
    )
    return redirect(
        url_for("translations.edit", statement_id=statement.id, language=translation.language)
    )


@bp.route("/statements/<int:statement_id>/translations/<language>/translator", methods=["POST"])
def translator(statement_id: int, language: str) -> Response:
    """Name or change a translation's translator; the lead only."""
    statement = statement_or_404(statement_id)
    translation = _translation(statement, language)
    form = forms.TranslatorForm(prefix=f"t-{translation.id}")
    if form.validate_on_submit():
        with change() as outcome:
            services.set_translator(
                current_actor(), translation, _chosen_translator(statement, form.translator.data)
            )
        if outcome.ok:
            label = services.translator_label(translation) or gettext("your organisation")
            flash(
                gettext(
                    "%(language)s: translated by %(label)s.",
                    language=rules.language_name(translation.language, current_language(),
                                          capitalise=False),
                    label=label,
                ),
                "success",
            )
    return redirect(url_for("translations.index", statement_id=statement.id))


# --- the editor --------------------------------------------------------------------------------


def _source_changes(statement: Statement, state: services.State) -> dict[str, Any] | None:
    """What changed in the source since the revision the translation translates."""
    if state.latest is None or state.latest.source_revision >= statement.current_revision:
        return None
    old = drafting.get_revision(statement, state.latest.source_revision)
    new = drafting.latest_revision(statement)
    return {
        "from": old.number,
        "to": new.number,
        "substantive": state.stale,
        "title": (
            redline_html(old.title, new.title, "title-") if old.title != new.title else None
        ),
        "html": redline_html(old.body, new.body),
    }


def _fill(form: forms.TranslationForm, translation: Translation, statement: Statement) -> None:
    newest = services.latest(translation)
    form.base_revision.data = str(translation.current_revision)
    form.source_revision.data = str(statement.current_revision)
    if newest is not None:
        form.title.data = newest.title
        form.body.data = newest.body


def _number(value: str | None) -> int:
    return int(value) if value is not None and value.isdigit() else -1


def _editor(
    actor: User | Invitation,
    statement: Statement,
    translation: Translation,
    *,
    token: str | None = None,
) -> tuple[str, int] | Response:
    """The editor, shared by the lead and the partner translator: source, redline, form."""
    form = forms.TranslationForm()
    if request.method == "GET":
        _fill(form, translation, statement)
    preview = None
    conflict = None
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        if form.preview.data:
            preview = render_markdown(form.body.data or "")
        else:
            with change(form, quiet=(StaleRevision,)) as outcome:
                revision = services.save_revision(
                    actor,
                    translation,
                    title=form.title.data,
                    body=form.body.data,
                    base_revision=_number(form.base_revision.data),
                    source_revision=_number(form.source_revision.data),
                    note=form.note.data or "",
                )
            if isinstance(error := outcome.error, StaleRevision):
                db.session.refresh(translation)
                conflict = _conflict(translation, error.base_revision, form.body.data)
                # Saving again now builds on the newer revision, with the typed text kept.
                form.base_revision.data = str(translation.current_revision)
                status = 409
            elif not outcome.ok:
                status = outcome.status
            else:
                return _saved(statement, translation, revision, token)
    elif request.method == "POST":
        status = 422
    return _editor_page(statement, translation, form, preview, conflict, token), status


def _conflict(translation: Translation, base: int, typed: str | None) -> dict[str, object]:
    """What a save on a stale base shows: what others changed since it, and the typed text
    against the newest one."""
    newest = services.latest(translation)
    earlier = None
    if 0 < base <= translation.current_revision:
        earlier = services.get_revision(translation, base)
    return {
        "base": base,
        "current": newest,
        "their_changes": redline_html(
            earlier.body if earlier else "", newest.body if newest else ""
        ),
        "yours_vs_current": redline_html(newest.body if newest else "", typed or "", "yours-"),
    }


def _saved(
    statement: Statement,
    translation: Translation,
    revision: TranslationRevision,
    token: str | None,
) -> Response:
    """Say what was saved (and that the source moved meanwhile), back to the editor."""
    message = gettext(
        "Saved as revision %(number)s of the %(language)s translation, "
        "translating source revision %(source)s.",
        number=revision.number,
        language=rules.language_name(translation.language, current_language(),
                              capitalise=False),
        source=revision.source_revision,
    )
    if revision.source_revision < statement.current_revision:
        message += " " + gettext(
            "The source changed while you were translating (it is now revision "
            "%(current)s): see what changed below.",
            current=statement.current_revision,
        )
    flash(message, "success")
    if token is not None:
        return redirect(
            url_for("translations.partner_edit", token=token,
                    language=translation.language)
        )
    return redirect(
        url_for("translations.edit", statement_id=statement.id,
                language=translation.language)
    )


def _editor_page(
    statement: Statement,
    translation: Translation,
    form: forms.TranslationForm,
    preview: str | None,
    conflict: dict[str, object] | None,
    token: str | None,
) -> str:
    """The editor's page: the source shown (the revision the form translates), its changes
    since the translation's, the form and the history."""
    state = services.state_of(translation)
    source = drafting.latest_revision(statement)
    # The source revision the form says it translates: the page shows that one.
    shown = _number(form.source_revision.data)
    if not 1 <= shown <= statement.current_revision:
        shown = statement.current_revision
        form.source_revision.data = str(shown)
    source_shown = drafting.get_revision(statement, shown) if shown != source.number else source
    return render_template(
        "translations/edit.html",
        statement=statement,
        translation=translation,
        state=state,
        form=form,
        source=source_shown,
        source_html=render_markdown(source_shown.body),
        changes=_source_changes(statement, state),
        conflict=conflict,
        preview=preview,
        history=list(reversed(services.list_revisions(translation))),
        token=token,
        editable=lifecycle.is_editable(statement.state_enum),
        translation_name=rules.language_name(translation.language),
        translator=services.translator_label(translation),
        tz=statement.timezone,
        local_time=local_time,
    )


@bp.route("/statements/<int:statement_id>/translations/<language>", methods=["GET", "POST"])
def edit(statement_id: int, language: str) -> tuple[str, int] | Response:
    """Write or update a translation beside the source and its redline; the lead's users."""
    statement = statement_or_404(statement_id)
    translation = _translation(statement, language)
    return _editor(current_actor(), statement, translation)


@bp.route("/i/<token>/translate/<language>", methods=["GET", "POST"])
@partner
def partner_edit(token: str, language: str) -> tuple[str, int] | Response:
    """The translation editor for the partner the lead named as this translation's translator."""
    invitation = invitation_or_ended_page(token)
    statement = invitation.statement
    translation = services.find(statement, language)
    if translation is None or not services.may_edit(invitation, translation):
        abort(404)
    response = _editor(invitation, statement, translation, token=token)
    if isinstance(response, tuple):
        html, status = response
        result = Response(html, status=status, content_type="text/html; charset=utf-8")
        result.headers["Referrer-Policy"] = "no-referrer"  # the token must not leak in links
        result.headers["X-Robots-Tag"] = "noindex, nofollow"
        return result
    return response


@bp.route("/statements/<int:statement_id>/translations/<language>/signatories")
def signatories(statement_id: int, language: str) -> str:
    """The list as it would be published now in one language, collated by its rules; lead only."""
    statement = statement_or_404(statement_id)
    translation = _translation(statement, language)
    current = roster.plan(statement)
    listed = services.ordered_names(
        statement, withheld.named(current.endorsing), translation.language
    )
    return render_template(
        "translations/signatories.html",
        statement=statement,
        translation=translation,
        listed=listed,
        unnamed=withheld.of(current.endorsing, translation.language),
        outstanding=len(current.outstanding),
        translation_name=rules.language_name(translation.language),
    )


@bp.app_template_global("partner_translations")
def partner_translations(invitation: Invitation) -> list[services.State]:
    """The translations a partner translates, with their state (for its invitation page)."""
    marks = roster.revision_marks(invitation.statement)
    return [services.state_of(t, marks) for t in services.assigned_to(invitation)]


@bp.app_template_global("language_name")
def _language_name(tag: str, in_language: str = "en", capitalise: bool = True) -> str:
    """A language's name for a label; ``capitalise=False`` inside a sentence ("en russe")."""
    return rules.language_name(tag, in_language, capitalise=capitalise)


@bp.app_template_global("translation_states")
def _translation_states(statement: Statement) -> list[services.State]:
    return services.states(statement)
