"""Co-leads' pages: the statement's co-leads and sign-off, and accepting an invitation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from coalition.coleads import forms, services
from coalition.domain.errors import DomainError
from coalition.drafting import services as drafting
from coalition.models import Statement
from coalition.outcomes import change
from coalition.security import (
    can_lead,
    can_manage,
    current_actor,
    is_co_lead,
    lead_only,
    public,
    statement_or_404,
)

bp = Blueprint("coleads", __name__)


def _index(statement: Statement, invite_form: forms.CoLeadForm | None = None,
           status: int = 200) -> tuple[str, int]:
    user = current_actor()
    return render_template(
        "coleads/index.html",
        statement=statement,
        rows=services.co_leads(statement),
        conveners=services.conveners(statement),
        approvals=services.approvals(statement),
        awaiting=services.awaiting(statement),
        current=drafting.latest_revision(statement),
        last_substantive=services.last_substantive(statement),
        lead=can_lead(user, statement),
        co_lead=is_co_lead(user, statement) and can_manage(user, statement),
        invite_form=invite_form or forms.CoLeadForm(formdata=None),
        setting_form=forms.SignOffSettingForm(
            formdata=None, require_sign_off=statement.require_sign_off
        ),
        action_form=forms.ActionForm(formdata=None),
    ), status


@bp.route("/statements/<int:statement_id>/co-leads")
def index(statement_id: int) -> tuple[str, int]:
    """The statement's co-leads, their approvals of the text, and (for the lead) the forms
    to invite and remove them."""
    return _index(statement_or_404(statement_id))


@bp.route("/statements/<int:statement_id>/co-leads", methods=["POST"])
@lead_only
def invite(statement_id: int) -> tuple[str, int] | Response:
    """Invite another organisation as co-lead by one of its staff's e-mail (the lead only)."""
    statement = statement_or_404(statement_id)
    form = forms.CoLeadForm()
    if form.validate_on_submit():
        with change(form) as outcome:
            row, _ = services.invite(current_actor(), statement, form.email.data)
        if outcome.ok:
            flash(gettext("%(email)s is invited to co-lead; the e-mail is in the outbox.",
                          email=row.email), "success")
            return redirect(url_for("coleads.index", statement_id=statement_id))
    return _index(statement, form, 422)


@bp.route("/statements/<int:statement_id>/co-leads/<int:co_lead_id>/remove", methods=["POST"])
@lead_only
def remove(statement_id: int, co_lead_id: int) -> Response:
    """Remove a co-lead or withdraw its invitation (the lead only)."""
    statement = statement_or_404(statement_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    with change() as outcome:
        row = services.co_lead_of(statement, co_lead_id)
        services.remove(current_actor(), row)
    if outcome.ok:
        flash(gettext("The co-lead is removed."), "success")
    return redirect(url_for("coleads.index", statement_id=statement_id))


@bp.route("/statements/<int:statement_id>/co-leads/sign-off-setting", methods=["POST"])
@lead_only
def sign_off_setting(statement_id: int) -> Response:
    """Require, or stop requiring, the co-leads' sign-off before publication (the lead)."""
    statement = statement_or_404(statement_id)
    form = forms.SignOffSettingForm()
    if not form.validate_on_submit():
        abort(400)
    with change() as outcome:
        services.set_required(current_actor(), statement, bool(form.require_sign_off.data))
    if outcome.ok:
        flash(gettext("Saved."), "success")
    return redirect(url_for("coleads.index", statement_id=statement_id))


@bp.route("/statements/<int:statement_id>/sign-off", methods=["POST"])
def sign_off(statement_id: int) -> Response:
    """Approve the latest revision for publication, for your co-lead organisation."""
    statement = statement_or_404(statement_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    with change() as outcome:
        made = services.sign_off(current_actor(), statement)
    if outcome.ok:
        flash(gettext("You approved revision %(number)s for publication.",
                      number=made.revision_number), "success")
    return redirect(url_for("coleads.index", statement_id=statement_id))


@bp.route("/co-lead/<token>", methods=["GET", "POST"])
@public
def accept(token: str) -> str | Response | tuple[str, int]:
    """Accept an invitation to co-lead a statement: as the invited account when logged in
    with it, or by making that account and its organisation."""
    try:
        row = services.invitation(token)
    except DomainError:
        return render_template("coleads/accept_invalid.html"), 404
    user = current_actor() if current_user.is_authenticated else None
    has_account = services.account_for(row) is not None
    form: forms.AcceptForm | forms.AcceptSignupForm = (
        forms.AcceptForm() if user is not None or has_account else forms.AcceptSignupForm()
    )
    if form.validate_on_submit() and (user is not None or not has_account):
        with change(form) as outcome:
            if isinstance(form, forms.AcceptSignupForm):
                user = services.accept(
                    token, organisation=form.organisation.data, name=form.name.data,
                    password=form.password.data,
                )
            else:
                user = services.accept(token, user)
        if outcome.ok and user is not None:
            login_user(user)
            flash(gettext("You now co-lead “%(title)s”.", title=row.statement.title), "success")
            return redirect(url_for("drafting.statement", statement_id=row.statement_id))
    return render_template(
        "coleads/accept.html", row=row, form=form, user=user, has_account=has_account,
        login_url=url_for("accounts.login", next=url_for("coleads.accept", token=token)),
    )
