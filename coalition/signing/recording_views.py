"""The lead's pages for signatures given outside Coalition: record one, import a CSV.

Thin: the forms check shape, signing.recording does the rest (docs/signing.md,
"Signatures recorded on a partner's behalf").
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from werkzeug.wrappers import Response

from coalition import withheld
from coalition.domain import imports
from coalition.domain.errors import Conflict, NotFound
from coalition.domain.followup import ResponseFile, check_response_file
from coalition.extensions import db
from coalition.i18n import translate
from coalition.invitations import services as invitations
from coalition.models import Signature, SignatureRecord, Statement
from coalition.outcomes import change
from coalition.publishing.responses import NO_STORE
from coalition.security import current_actor, statement_or_404
from coalition.signing import forms, recording, services

bp = Blueprint("recording", __name__)


def _statement(statement_id: int) -> Statement:
    statement = statement_or_404(statement_id)
    if services.close_if_due(statement):
        db.session.commit()
    return statement


def _zone(statement: Statement) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(statement.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _record_form(statement: Statement, **kwargs: object) -> forms.RecordForm:
    form = forms.RecordForm(**kwargs)
    form.invitation.choices = [forms.SelectChoice("", gettext("A new partner (not invited yet)"))]
    for row in sorted(invitations.tracking(statement), key=lambda r: r.invitation.organisation):
        invitation = row.invitation
        if invitation.revoked_at is not None:
            continue
        label = f"{invitation.organisation} <{invitation.email}>"
        if row.state.value == "signed":
            label += " · " + gettext("signed: recording replaces its signature")
        form.invitation.choices.append(forms.SelectChoice(str(invitation.id), label))
    form.revision.choices = [
        forms.SelectChoice(str(n), gettext("Revision %(number)s", number=n)
                           + (" · " + gettext("current") if n == statement.current_revision
                              else ""))
        for n in range(statement.current_revision, 0, -1)
    ]
    return form


def _evidence_file(form: forms.RecordForm) -> ResponseFile | None:
    upload = form.evidence_file.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return check_response_file(upload.filename or "", upload.read(), "evidence_file")


def _page(statement: Statement, form: forms.RecordForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "signing/record.html", statement=statement, form=form,
        signing_open=services.signing_open(statement), zone=statement.timezone or "UTC",
    ), status


@bp.route("/statements/<int:statement_id>/signatories/record", methods=["GET", "POST"])
def record(statement_id: int) -> Response | tuple[str, int]:
    """Record a signature a partner gave by e-mail or by phone; the lead only."""
    statement = _statement(statement_id)
    if request.method == "GET":
        form = _record_form(statement, formdata=None)
        form.revision.data = str(statement.current_revision)
        return _page(statement, form)
    form = _record_form(statement)
    if not form.validate_on_submit():
        return _page(statement, form, 422)
    moment = (form.approved_at.data.replace(tzinfo=_zone(statement)).astimezone(dt.UTC)
              if form.approved_at.data else None)
    with change(form) as outcome:
        done = recording.record(
            current_actor(), statement, form.input(),
            invitation_id=int(form.invitation.data) if form.invitation.data else None,
            revision=int(form.revision.data or statement.current_revision),
            approved_at=moment, evidence_text=form.evidence_text.data or "",
            evidence_file=_evidence_file(form),
        )
    if not outcome.ok:
        return _page(statement, form, outcome.status)
    flash(gettext(
        "%(name)s's signature of revision %(number)s is recorded; the receipt with its link "
        "is in the outbox.", name=done.signature.name, number=done.signature.revision_number,
    ), "success")
    return redirect(url_for("signing.signatories", statement_id=statement.id)
                    + f"#sig-{done.signature.id}")


def _import_page(
    statement: Statement, *, form: forms.ImportForm | None = None,
    preview: recording.ImportPreview | None = None, status: int = 200,
) -> tuple[str, int]:
    confirm_form = forms.ImportConfirmForm(formdata=None)
    if preview is not None:
        confirm_form.fingerprint.data = preview.fingerprint
    return render_template(
        "signing/import.html", statement=statement,
        form=form or forms.ImportForm(formdata=None), preview=preview,
        confirm_form=confirm_form, signing_open=services.signing_open(statement),
        reason=lambda refused: " ".join(translate(part) for part in refused.reason),
        NEW=recording.NEW, INVITED=recording.INVITED, DUPLICATE=recording.DUPLICATE,
    ), status


def _read(form: forms.ImportForm) -> str | None:
    """The uploaded file's text; None (with the reason on the field) when it cannot be read."""
    upload = form.csv_file.data
    if upload is None or not getattr(upload, "filename", ""):
        form.csv_file.errors = [gettext("Choose a CSV file.")]
        return None
    raw = upload.read(imports.IMPORT_MAX_BYTES + 1)
    if len(raw) > imports.IMPORT_MAX_BYTES:
        form.csv_file.errors = [gettext("The file is larger than 1 MB: split the list.")]
        return None
    text = imports.decode(raw)
    if text is None:
        form.csv_file.errors = [gettext("The file is not text (save it as CSV, UTF-8).")]
    return text


@bp.route("/statements/<int:statement_id>/signatories/import", methods=["GET", "POST"])
def import_list(statement_id: int) -> Response | tuple[str, int]:
    """Upload a CSV of signatures and see what it would write; nothing is written yet."""
    statement = _statement(statement_id)
    if request.method == "GET":
        return _import_page(statement)
    form = forms.ImportForm()
    if not form.validate_on_submit():
        return _import_page(statement, form=form, status=422)
    text = _read(form)
    if text is None:
        return _import_page(statement, form=form, status=422)
    upload = form.csv_file.data
    with change(form) as outcome:
        preview = recording.hold(
            current_actor(), statement, content=text,
            file_name=getattr(upload, "filename", "") or "",
            note=form.note.data or "",
        )
        held_id = preview.held.id if preview.held else 0
    if not outcome.ok:
        return _import_page(statement, form=form, status=outcome.status)
    return redirect(url_for("recording.import_preview", statement_id=statement.id,
                            import_id=held_id))


@bp.get("/statements/<int:statement_id>/signatories/import/<int:import_id>")
def import_preview(statement_id: int, import_id: int) -> tuple[str, int]:
    """A held import's preview, checked again now; the lead only."""
    statement = _statement(statement_id)
    try:
        preview = recording.preview(current_actor(), statement, import_id)
    except NotFound:
        abort(404)
    return _import_page(statement, preview=preview)


@bp.post("/statements/<int:statement_id>/signatories/import/<int:import_id>")
def import_confirm(statement_id: int, import_id: int) -> Response | tuple[str, int]:
    """Write a held import as previewed; a changed list is shown again to confirm."""
    statement = _statement(statement_id)
    form = forms.ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        _, made = recording.confirm(current_actor(), statement, import_id,
                                    fingerprint=form.fingerprint.data or "")
    except NotFound:
        db.session.rollback()
        abort(404)
    except Conflict as error:
        db.session.rollback()
        flash(translate(error), "error")
        fresh = error.extra.get("preview")
        if isinstance(fresh, recording.ImportPreview):
            return _import_page(statement, preview=fresh, status=409)
        return redirect(url_for("recording.import_preview", statement_id=statement.id,
                                import_id=import_id))
    db.session.commit()
    flash(ngettext("%(num)d signature is imported; its receipt is in the outbox.",
                   "%(num)d signatures are imported; their receipts are in the outbox.",
                   len(made)), "success")
    return redirect(url_for("signing.signatories", statement_id=statement.id))


@bp.get("/statements/<int:statement_id>/signatories/<int:signature_id>/evidence")
def evidence(statement_id: int, signature_id: int) -> Response:
    """The file a recorded signature was given with; the lead only."""
    statement = _statement(statement_id)
    signature = db.session.get(Signature, signature_id)
    record = recording.record_of(signature) if signature is not None else None
    if (signature is None or signature.statement_id != statement.id or record is None
            or record.file_content is None or withheld.hidden_from_staff(statement, signature)):
        abort(404)
    return _file(record)


def _file(record: SignatureRecord) -> Response:
    answer = Response(record.file_content, content_type=record.file_type)
    answer.headers.set("Content-Disposition", "attachment", filename=record.file_name)
    answer.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    answer.headers["Cache-Control"] = NO_STORE
    return answer
