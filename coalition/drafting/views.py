"""Lead pages for drafting: dashboard, editor, history, redlines, life cycle and settings."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from werkzeug.wrappers import Response

from coalition.csvutil import csv_response
from coalition.domain import lifecycle
from coalition.domain.errors import NotFound, StaleRevision
from coalition.domain.rendering import render_markdown
from coalition.domain.revisions import redline_html
from coalition.drafting import activity as activity_words
from coalition.drafting import forms, services
from coalition.forms import timezone_choices
from coalition.i18n import translate
from coalition.models import Revision, Statement
from coalition.outcomes import change
from coalition.security import current_actor, statement_or_404
from coalition.web import iso

bp = Blueprint("drafting", __name__)


def zone(statement: Statement) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(statement.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@bp.route("/")
def dashboard() -> str:
    """The organisation's statements with state, revision, last edit and deadline."""
    user = current_actor()
    statements = services.organisation_statements(user)
    # One zone for the whole column (the viewer's), not each statement's own.
    return render_template(
        "drafting/dashboard.html", statements=statements, viewer_zone=user.viewing_zone
    )


@bp.route("/statements/new", methods=["GET", "POST"])
def new_statement() -> str | Response:
    """Create a statement with its first revision."""
    form = forms.StatementForm()
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = render_markdown(form.body.data or "")
        else:
            with change(form) as outcome:
                statement = services.create_statement(
                    current_actor(),
                    title=form.title.data,
                    body=form.body.data,
                    language=form.language.data,
                )
            if outcome.ok:
                flash(gettext("The statement is saved as revision 1."), "success")
                return redirect(url_for("drafting.statement", statement_id=statement.id))
    return render_template("drafting/new.html", form=form, preview=preview)


@bp.route("/statements/<int:statement_id>")
def statement(statement_id: int) -> str:
    """A statement's overview: the current text, its state and what can be done next."""
    statement = statement_or_404(statement_id)
    revision = services.latest_revision(statement)
    return render_template(
        "drafting/statement.html",
        statement=statement,
        revision=revision,
        body_html=render_markdown(revision.body),
        state_form=forms.StateForm(),
        # In the life cycle's order (a set has none): review, then open, then closed.
        targets=[
            s
            for s in lifecycle.State
            if s in lifecycle.ALLOWED[statement.state_enum] and s in lifecycle.MANUAL_TARGETS
        ],
        labels=lifecycle.LABELS,
        tz=zone(statement),
        deadline_value=forms.deadline_value(statement, zone(statement)),
    )


def _conflict(
    statement: Statement, current: Revision, base: int, typed: str | None
) -> dict[str, object]:
    """What a save on a stale base shows: what others changed since it, and the typed text
    against the current one."""
    return {
        "base": base,
        "current": current,
        "their_changes": redline_html(
            services.get_revision(statement, base).body if 0 < base <= current.number else "",
            current.body,
        ),
        "yours_vs_current": redline_html(current.body, typed or "", "yours-"),
    }


@bp.route("/statements/<int:statement_id>/edit", methods=["GET", "POST"])
def edit(statement_id: int) -> str | Response:
    """Edit the text; a save on a stale base keeps the typed text and shows what changed."""
    statement = statement_or_404(statement_id)
    current = services.latest_revision(statement)
    form = forms.EditForm()
    if request.method == "GET":
        form.base_revision.data = str(current.number)
        form.title.data = current.title
        form.body.data = current.body
    preview = None
    conflict = None
    signers = services.signers_to_reconfirm(statement)
    status = 200
    if form.validate_on_submit():
        base = int(form.base_revision.data) if (form.base_revision.data or "").isdigit() else -1
        if form.preview.data:
            preview = render_markdown(form.body.data or "")
        elif (form.substantive.data and signers and not form.ask_signers.data
              and base == current.number):
            # The lead confirms before every signer is mailed; the typed text stays. (A
            # stale base is answered first: the conflict page, then this on the next save.)
            form.ask_signers.errors = [
                ngettext(
                    "%(num)d organisation has signed: tick this to ask it to re-confirm, or "
                    "untick “Substantive change” for a typo or layout fix.",
                    "%(num)d organisations have signed: tick this to ask them to re-confirm, "
                    "or untick “Substantive change” for a typo or layout fix.",
                    signers,
                )
            ]
            status = 422
        else:
            with change(form, quiet=(StaleRevision,)) as outcome:
                revision = services.save_revision(
                    current_actor(),
                    statement,
                    title=form.title.data,
                    body=form.body.data,
                    base_revision=base,
                    note=form.note.data,
                    substantive=bool(form.substantive.data),
                )
            if isinstance(error := outcome.error, StaleRevision):
                statement = statement_or_404(statement_id)
                current = services.latest_revision(statement)
                conflict = _conflict(statement, current, error.base_revision, form.body.data)
                # Saving again now builds on the newer revision, with the typed text kept.
                form.base_revision.data = str(current.number)
            elif outcome.ok:
                flash(gettext("Saved as revision %(number)s.", number=revision.number), "success")
                return redirect(url_for("drafting.statement", statement_id=statement.id))
    status = 409 if conflict else status
    return (
        render_template(
            "drafting/edit.html",
            statement=statement,
            current=current,
            form=form,
            preview=preview,
            conflict=conflict,
            signers=signers,
            editable=lifecycle.is_editable(statement.state_enum),
            state_form=forms.StateForm(formdata=None),
            deadline_value=forms.deadline_value(statement, zone(statement)),
            tz=zone(statement),
        ),
        status,
    )  # type: ignore[return-value]


@bp.route("/statements/<int:statement_id>/revisions")
def history(statement_id: int) -> str:
    """Every revision, with a form to compare any two."""
    statement = statement_or_404(statement_id)
    revisions = services.list_revisions(statement)
    return render_template(
        "drafting/history.html",
        statement=statement,
        revisions=list(reversed(revisions)),
        tz=zone(statement),
    )


@bp.route("/statements/<int:statement_id>/revisions/<int:number>")
def revision(statement_id: int, number: int) -> str:
    """One revision rendered, with a button to restore it."""
    statement = statement_or_404(statement_id)
    try:
        revision = services.get_revision(statement, number)
    except NotFound:
        abort(404)
    form = forms.RestoreForm()
    form.base_revision.data = str(statement.current_revision)
    return render_template(
        "drafting/revision.html",
        statement=statement,
        revision=revision,
        body_html=render_markdown(revision.body),
        form=form,
        tz=zone(statement),
        editable=lifecycle.is_editable(statement.state_enum),
    )


@bp.route("/statements/<int:statement_id>/revisions/<int:number>/restore", methods=["POST"])
def restore(statement_id: int, number: int) -> Response:
    """Save an old revision again as the newest one."""
    statement = statement_or_404(statement_id)
    form = forms.RestoreForm()
    if form.validate_on_submit():
        base = int(form.base_revision.data) if (form.base_revision.data or "").isdigit() else -1
        with change() as outcome:
            revision = services.restore_revision(
                current_actor(), statement, number, base_revision=base
            )
        if not outcome.ok:
            return redirect(url_for("drafting.revision", statement_id=statement_id, number=number))
        flash(
            gettext(
                "Revision %(old)s is restored as revision %(new)s.",
                old=number,
                new=revision.number,
            ),
            "success",
        )
    return redirect(url_for("drafting.statement", statement_id=statement_id))


@bp.route("/statements/<int:statement_id>/compare")
def compare(statement_id: int) -> str:
    """A word-level redline between two revisions."""
    statement = statement_or_404(statement_id)
    revisions = services.list_revisions(statement)
    numbers = [r.number for r in revisions]
    try:
        a = int(request.args.get("from", max(1, statement.current_revision - 1)))
        b = int(request.args.get("to", statement.current_revision))
    except ValueError:
        abort(400)
    if a not in numbers or b not in numbers:
        abort(404)
    old, new = revisions[numbers.index(a)], revisions[numbers.index(b)]
    title_change = (
        redline_html(old.title, new.title, "title-") if old.title != new.title else None
    )
    return render_template(
        "drafting/compare.html",
        statement=statement,
        # Newest first, as on the History page, so both pages' menus read the same way.
        revisions=list(reversed(revisions)),
        old=old,
        new=new,
        title_change=title_change,
        html=redline_html(old.body, new.body),
    )


@bp.route("/statements/<int:statement_id>/state", methods=["POST"])
def change_state(statement_id: int) -> Response:
    """Move the statement along its life cycle (publishing has its own page).

    Opening signing asks for the deadline at that moment: the form's field, typed in the
    statement's time zone, sets it (empty: no deadline).
    """
    statement = statement_or_404(statement_id)
    form = forms.StateForm()
    if not form.validate_on_submit():
        for error in form.sign_deadline.errors:
            flash(gettext("Sign-on deadline: %(error)s", error=translate(error)), "error")
    else:
        asks_deadline = form.state.data == "open" and "sign_deadline" in request.form
        deadline = (
            form.sign_deadline.data.replace(tzinfo=zone(statement)).astimezone(dt.UTC)
            if asks_deadline and form.sign_deadline.data
            else None
        )
        with change() as outcome:
            services.change_state(
                current_actor(),
                statement,
                form.state.data,
                sign_deadline=deadline,
                set_deadline=asks_deadline,
            )
        if outcome.ok:
            flash(
                gettext(
                    "The statement is now %(state)s.",
                    state=translate(lifecycle.LABELS[statement.state_enum]).lower(),
                ),
                "success",
            )
    return redirect(url_for("drafting.statement", statement_id=statement_id))


@bp.route("/statements/<int:statement_id>/settings", methods=["GET", "POST"])
def settings(statement_id: int) -> str | Response:
    """Language, time zone, deadline, comments while open, and the letter layout."""
    statement = statement_or_404(statement_id)
    form = forms.SettingsForm(obj=statement if request.method == "GET" else None)
    form.timezone.choices = timezone_choices(statement.timezone)
    tz = zone(statement)
    if request.method == "GET":
        form.sign_deadline.data = (
            statement.sign_deadline.astimezone(tz).replace(tzinfo=None)
            if statement.sign_deadline
            else None
        )
    if form.validate_on_submit():
        with change(form) as outcome:
            new_tz = zoneinfo.ZoneInfo(form.timezone.data or "UTC")
            deadline = (
                form.sign_deadline.data.replace(tzinfo=new_tz).astimezone(dt.UTC)
                if form.sign_deadline.data
                else None
            )
            user = current_actor()
            services.update_settings(
                user,
                statement,
                language=form.language.data,
                timezone=form.timezone.data,
                comments_when_open=bool(form.comments_when_open.data),
                letter_addressee_name=(form.letter_addressee_name.data or "").strip(),
                letter_addressee_title=(form.letter_addressee_title.data or "").strip(),
                letter_addressee_address=(form.letter_addressee_address.data or "").strip(),
                letter_salutation=(form.letter_salutation.data or "").strip(),
            )
            services.set_sign_deadline(user, statement, deadline)
            if (
                statement.state_enum is lifecycle.State.CLOSED
                and deadline is not None
                and deadline > dt.datetime.now(dt.UTC)
                and request.form.get("reopen")
            ):
                services.change_state(user, statement, "open")
        if outcome.ok:
            flash(gettext("Settings saved."), "success")
            return redirect(url_for("drafting.statement", statement_id=statement_id))
    return render_template("drafting/settings.html", statement=statement, form=form, tz=tz)


@bp.route("/statements/<int:statement_id>/activity")
def activity(statement_id: int) -> str | Response:
    """The audit log of a statement: who did what and when; ?format=csv downloads it."""
    statement = statement_or_404(statement_id)
    events = services.audit_events(statement)
    if request.args.get("format") == "csv":
        return csv_response(
            f"{statement.slug}-activity.csv",
            ["time", "actor", "action", "detail"],
            (
                [
                    iso(e.created_at),
                    e.actor_label,
                    e.action,
                    json.dumps(e.detail, ensure_ascii=False),
                ]
                for e in reversed(events)
            ),
        )
    return render_template(
        "drafting/activity.html", statement=statement, events=events, tz=zone(statement),
        action_label=activity_words.action_label, detail_key=activity_words.detail_key,
        detail_value=activity_words.detail_value,
    )
