"""The lead's publishing pages: resolve outstanding signatures, confirm, editions, draft exports."""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext, ngettext
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from coalition import roster
from coalition.coleads import services as coleads
from coalition.domain import formats, lifecycle
from coalition.domain.errors import DomainError, NotFound, PublicationBlocked
from coalition.domain.exports import format_date
from coalition.domain.placeholders import COUNT_PLACEHOLDER, has_count_placeholder
from coalition.domain.translations import same_language
from coalition.drafting import forms as drafting_forms
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.i18n import translate
from coalition.models import Edition, Statement
from coalition.outcomes import apply_errors
from coalition.publishing import files, forms, languages, services
from coalition.publishing.responses import (
    NO_STORE,
    FormatConverter,
    download,
    edition_page_context,
    export_response,
)
from coalition.security import current_actor, lead_only, statement_or_404
from coalition.web import local_time

bp = Blueprint("publishing", __name__)


@bp.record_once
def _install_converter(state: BlueprintSetupState) -> None:
    """<export:fmt> in routes; first, since a converter is looked up when a rule is added."""
    state.app.url_map.converters["export"] = FormatConverter


# The statement page's download list (the lead's edition view and the public page).
bp.context_processor(lambda: {"export_formats": formats.every()})


def _edition(statement: Statement, number: int) -> Edition:
    try:
        return services.get_edition(statement, number)
    except NotFound:
        abort(404)


def _embargo_utc(form: forms.PublishForm, statement: Statement) -> dt.datetime | None:
    """The embargo field is typed in the statement's time zone."""
    if form.public_from.data is None:
        return None
    return form.public_from.data.replace(tzinfo=services.statement_zone(statement))


def _publish_values(
    form: forms.PublishForm, statement: Statement, current: roster.Plan
) -> dict[str, object]:
    """The service's arguments from the form: unticked outstanding signatures must re-confirm."""
    outstanding_ids = [s.id for s in current.outstanding]
    leave_out = set(form.leave_out.data or [])
    # Translations not up to date: those not ticked must be updated before publication.
    left_out_languages = set(form.leave_out_translations.data or [])
    not_current = services.translation_plan(
        statement, len(current.endorsing), exclude_outstanding=True
    ).left_out
    return {
        "date": form.date.data,
        "note": form.note.data or "",
        "public_from": _embargo_utc(form, statement),
        "exclude_outstanding": True,
        "include": [i for i in outstanding_ids if i not in leave_out],
        "include_translations": [
            language for language in not_current if language not in left_out_languages
        ],
    }


def _page(statement: Statement, form: forms.PublishForm, status: int = 200) -> tuple[str, int]:
    """The publish page: the form (when publication is possible), editions and draft exports."""
    can_publish = lifecycle.can_publish(statement.state_enum)
    current = roster.plan(statement)
    history = list(reversed(services.editions(statement)))
    revision = drafting.latest_revision(statement)
    return (
        render_template(
            "publishing/publish.html",
            statement=statement,
            form=form,
            can_publish=can_publish,
            plan=current,
            editions=history,
            now=services.now(),
            tz=services.statement_zone(statement),
            has_placeholder=has_count_placeholder(revision.title + revision.body),
            placeholder=COUNT_PLACEHOLDER,
            preview_form=forms.PreviewLinkForm(),
            revoke_form=forms.RevokePreviewForm(),
            state_form=drafting_forms.StateForm(formdata=None),
            deadline_value=drafting_forms.deadline_value(
                statement, services.statement_zone(statement)
            ),
            draft_formats=[(fmt.name, fmt.label) for fmt in formats.every() if fmt.draft],
            edition_formats=[(fmt.name, fmt.label) for fmt in formats.every()],
            is_public=services.is_public,
            human_date=lambda day: format_date(day, statement.language),
            approvals=coleads.approvals(statement),
            awaiting=coleads.awaiting(statement),
        ),
        status,
    )


def _confirmation(
    statement: Statement,
    form: forms.PublishForm,
    preparation: services.Preparation,
    changed: bool = False,
) -> tuple[str, int]:
    """The confirmation step: exactly what will be frozen, and the button that does it."""
    form.fingerprint.data = preparation.fingerprint
    document = files.preparation_document(statement, preparation)
    return (
        render_template(
            "publishing/confirm.html",
            statement=statement,
            form=form,
            preparation=preparation,
            changed=changed,
            tz=services.statement_zone(statement),
            **edition_page_context(document),
        ),
        409 if changed else 200,
    )


def _awaiting_sign_off(
    statement: Statement, form: forms.PublishForm, waiting: list[str]
) -> tuple[str, int]:
    """The publish page again, saying whose sign-off publication still waits for."""
    flash(translate(coleads.awaiting_error(waiting)), "error")
    return _page(statement, form, 409)


@bp.route("/statements/<int:statement_id>/publish", methods=["GET", "POST"])
@lead_only
def publish(statement_id: int) -> str | Response | tuple[str, int]:
    """Publish a new edition (form, then a confirmation step); the statement's lead only."""
    statement = statement_or_404(statement_id)
    current = roster.plan(statement)
    form = forms.PublishForm()
    form.leave_out.choices = [
        SelectChoice(s.id, f"{s.name} (signed revision {s.revision_number})")
        for s in current.outstanding
    ]
    if request.method == "GET":
        form.date.data = services.today(statement)
        if lifecycle.can_publish(statement.state_enum) and services.editions(statement):
            try:
                form.note.data = services.prepare(
                    statement, exclude_outstanding=True
                ).note  # what changed since the last edition, for the lead to edit
            except DomainError:
                db.session.rollback()
    if (
        request.method == "POST"
        and lifecycle.can_publish(statement.state_enum)
        and not form.back.data
        and form.validate_on_submit()
    ):
        if waiting := coleads.awaiting(statement):
            return _awaiting_sign_off(statement, form, waiting)
        values = _publish_values(form, statement, current)
        try:
            if form.confirm.data:
                edition = services.publish(
                    current_actor(),
                    statement,
                    expected_fingerprint=form.fingerprint.data or "",
                    **values,  # type: ignore[arg-type]
                )
            else:
                return _confirmation(
                    statement, form, services.prepare(statement, **values)  # type: ignore[arg-type]
                )
        except services.PublicationChanged as error:
            db.session.rollback()
            return _confirmation(statement, form, error.preparation, changed=True)
        except PublicationBlocked as error:
            db.session.rollback()
            if error.translations_said is not None:
                form.leave_out_translations.errors = [
                    *form.leave_out_translations.errors,
                    error.translations_said,
                ]
            if error.outstanding:
                # Only the signatures' sentence: the translations' one is shown beside them.
                form.leave_out.errors = [*form.leave_out.errors, translate(error.said[0])]
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            db.session.commit()
            if services.is_public(edition):
                flash(
                    ngettext(
                        "Edition %(number)s is published with %(num)d signatory: %(url)s",
                        "Edition %(number)s is published with %(num)d signatories: %(url)s",
                        edition.signatory_count,
                        number=edition.number,
                        url=services.public_url(statement),
                    ),
                    "success",
                )
            else:
                flash(
                    gettext(
                        "Edition %(number)s is published under embargo: it becomes public "
                        "at the embargo time. Create a preview link below for journalists.",
                        number=edition.number,
                    ),
                    "success",
                )
            return redirect(url_for("publishing.publish", statement_id=statement.id))
    return _page(statement, form, 422 if form.errors else 200)


@bp.route("/statements/<int:statement_id>/editions/<int:number>")
def lead_edition(statement_id: int, number: int) -> str:
    """One edition as the public sees (or will see) it, embargoed or not; the lead only."""
    statement = statement_or_404(statement_id)
    edition = _edition(statement, number)
    visible = services.editions(statement)
    reading = languages.requested(edition)  # ?lang=: one of the edition's translations
    document = reading.document()
    banner = None
    if not services.is_public(edition):
        until = local_time(edition.public_from, services.statement_zone(statement))
        banner = (
            "warning",
            gettext(
                "Under embargo: the public sees nothing of this edition until %(until)s.",
                until=until,
            ),
        )
    return render_template(
        "publishing/public.html",
        statement=statement,
        edition=edition,
        editions=visible,
        newest=visible[-1],
        banner=banner,
        lead_view=True,
        noindex=True,
        links=languages.with_language(
            {
                fmt.name: url_for(
                    "publishing.lead_edition_export",
                    statement_id=statement.id,
                    number=number,
                    fmt=fmt.name,
                )
                for fmt in formats.every()
            },
            reading,
        ),
        **languages.page_context(edition, reading),
        edition_url=lambda n: url_for(
            "publishing.lead_edition", statement_id=statement.id, number=n
        ),
        **edition_page_context(document),
    )


@bp.get("/statements/<int:statement_id>/editions/<int:number>/export.<export:fmt>")
def lead_edition_export(statement_id: int, number: int, fmt: str) -> Response:
    """An edition's export for the lead, also under embargo (from the same cache)."""
    statement = statement_or_404(statement_id)
    edition = _edition(statement, number)
    return export_response(edition, fmt, cache_control=NO_STORE)


@bp.post("/statements/<int:statement_id>/editions/<int:number>/preview-link")
@lead_only
def create_preview_link(statement_id: int, number: int) -> str | Response:
    """Make a private preview link for journalists, shown once; the lead only."""
    statement = statement_or_404(statement_id)
    edition = _edition(statement, number)
    form = forms.PreviewLinkForm()
    if not form.validate_on_submit():
        return redirect(url_for("publishing.publish", statement_id=statement.id))
    token = services.create_preview_link(current_actor(), statement, edition)
    db.session.commit()
    link = url_for("publishing.preview", slug=statement.slug, token=token, _external=True)
    response = make_response(
        render_template(
            "publishing/preview_link.html", statement=statement, edition=edition, link=link
        )
    )
    response.headers["Cache-Control"] = NO_STORE  # the link is a secret, shown only here
    return response


@bp.post("/statements/<int:statement_id>/editions/<int:number>/preview-link/revoke")
@lead_only
def revoke_preview_link(statement_id: int, number: int) -> Response:
    """Stop an edition's preview link from working; the lead only."""
    statement = statement_or_404(statement_id)
    edition = _edition(statement, number)
    if forms.RevokePreviewForm().validate_on_submit():
        services.revoke_preview_link(current_actor(), statement, edition)
        db.session.commit()
        flash(
            gettext("The preview link of edition %(number)s no longer works.", number=number),
            "success",
        )
    return redirect(url_for("publishing.publish", statement_id=statement.id))


@bp.get("/statements/<int:statement_id>/publish/draft.<export(draft):fmt>")
def draft_export(statement_id: int, fmt: str) -> Response:
    """The current text as it would be published now, marked DRAFT; the lead only."""
    statement = statement_or_404(statement_id)
    language_tag = request.args.get("lang", "").strip()
    if language_tag and not same_language(language_tag, statement.language):
        # A translation's draft (docs/translations.md): 404 for a language it lacks.
        try:
            document = languages.draft_document(statement, language_tag)
        except NotFound:
            abort(404)
        if document is None:
            abort(404)
        stem = f"{statement.slug}-DRAFT-{document.language}"
        name = f"{stem}{files.file_name(statement, 0, fmt, draft=True)[len(statement.slug) + 6:]}"
        return download(
            formats.render(document, fmt, stem), fmt, name, cache_control=NO_STORE
        )
    draft = files.draft_document(statement)
    stem = f"{statement.slug}-DRAFT"
    content = formats.render(draft.document, fmt, stem)
    return download(
        content, fmt, files.file_name(statement, 0, fmt, draft=True), cache_control=NO_STORE
    )


@bp.get("/statements/<int:statement_id>/publish/signatories.csv")
def lead_signatories_csv(statement_id: int) -> Response:
    """Every live signature with its signer's contacts, in published order; the lead only."""
    statement = statement_or_404(statement_id)
    return download(
        files.lead_csv(statement),
        "csv",
        f"{statement.slug}-signatories-with-contacts.csv",
        cache_control=NO_STORE,
    )


from coalition.publishing import public  # noqa: E402,F401  (public routes register on import)
