"""Account pages: sign up, log in and out, the account page, colleagues and API tokens."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, refresh
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from coalition.accounts import forms, services
from coalition.domain.errors import DomainError
from coalition.extensions import account_key, db, limiter, login_limit
from coalition.forms import timezone_choices
from coalition.i18n import SUPPORTED
from coalition.mail import outbox
from coalition.models import User
from coalition.outcomes import change
from coalition.security import current_actor, own_account, public

bp = Blueprint("accounts", __name__)


# Control characters (a CR or LF would split the Location header: a ValueError, so a 500)
# and backslashes (browsers read "/\evil.example" as "//evil.example") are never followed.
_UNSAFE_IN_NEXT = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")


def _safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site; anything else goes to the dashboard."""
    if target and not _UNSAFE_IN_NEXT.search(target):
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return url_for("drafting.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_limit, key_func=account_key, methods=["POST"])
@public
def login() -> str | Response:
    """Log a lead user in."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = forms.LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            login_user(user)  # Flask-Login renews the session identifier
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors = ["Wrong e-mail address or password."]
    return render_template("accounts/login.html", form=form)


@bp.route("/signup", methods=["GET", "POST"])
@public
def signup() -> str | Response:
    """Sign up an organisation with its first lead user."""
    form = forms.SignupForm()
    if form.validate_on_submit():
        with change(form) as outcome:
            user = services.sign_up(
                form.email.data,
                form.password.data,
                organisation=form.organisation.data,
                name=form.name.data,
            )
        if outcome.ok:
            login_user(user)
            flash(gettext("Welcome to Coalition, %(name)s.", name=user.display_name), "success")
            return redirect(url_for("drafting.dashboard"))
    return render_template("accounts/signup.html", form=form)


@bp.route("/logout", methods=["POST"])
@own_account
def logout() -> Response:
    """Log out and invalidate the session everywhere it was copied."""
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        services.end_sessions(current_actor())
        db.session.commit()
        logout_user()
        flash(gettext("You are logged out."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/account", methods=["GET"])
def account() -> str:
    """The account page: API tokens, colleagues, password."""
    user = current_actor()
    return render_template(
        "accounts/account.html",
        token_form=forms.TokenForm(),
        colleague_form=forms.ColleagueForm(),
        password_form=forms.PasswordForm(),
        revoke_form=forms.ConfirmForm(),
        language_form=_language_form(user),
        zone_form=_zone_form(user),
        tokens=services.list_api_tokens(user),
        members=services.organisation_members(user.organisation_id),
        pending=services.pending_colleague_invitations(user.organisation_id),
        new_token=None,
    )


def _language_form(user: object) -> forms.LanguageForm:
    form = forms.LanguageForm(formdata=None)
    form.language.data = getattr(user, "language", None) or ""
    return form


def _zone_choices(form: forms.TimeZoneForm, user: User) -> None:
    organisation_zone = user.organisation.timezone or "UTC"
    form.timezone.choices = {
        gettext("Default"): [
            ("", gettext("As my organisation (%(zone)s)", zone=organisation_zone))
        ],
        **timezone_choices(user.timezone),
    }
    form.organisation_timezone.choices = timezone_choices(organisation_zone)


def _zone_form(user: User) -> forms.TimeZoneForm:
    form = forms.TimeZoneForm(formdata=None)
    _zone_choices(form, user)
    form.timezone.data = user.timezone or ""
    form.organisation_timezone.data = user.organisation.timezone or "UTC"
    return form


@bp.route("/account/time-zone", methods=["POST"])
@own_account
def set_time_zone() -> Response:
    """Choose where you see times (empty: your organisation's), and your organisation's."""
    user = current_actor()
    form = forms.TimeZoneForm()
    _zone_choices(form, user)
    if form.validate_on_submit():
        user.timezone = form.timezone.data or None
        user.organisation.timezone = form.organisation_timezone.data or None
        db.session.commit()
        flash(gettext("Your time zones are saved."), "success")
    else:
        flash(gettext("Choose one of the time zones offered."), "error")
    return redirect(url_for("accounts.account"))


@bp.route("/account/language", methods=["POST"])
@own_account
def set_language() -> Response:
    """Choose the interface language of your own account (empty: follow the browser)."""
    user = current_actor()
    form = forms.LanguageForm()
    if form.validate_on_submit():
        chosen = form.language.data or None
        if chosen is None or chosen in SUPPORTED:
            user.language = chosen
            db.session.commit()
            # Said in the language just chosen, which the next page will use.
            refresh()
            flash(gettext("Your language is saved."), "success")
    else:
        flash(gettext("Choose one of the languages offered."), "error")
    return redirect(url_for("accounts.account"))


@bp.route("/account/tokens", methods=["POST"])
@own_account
def create_token() -> str | Response:
    """Create an API token and show it once."""
    user = current_actor()
    form = forms.TokenForm()
    if not form.validate_on_submit():
        flash(gettext("The token label is too long."), "error")
        return redirect(url_for("accounts.account"))
    _, secret = services.create_api_token(user, form.name.data)
    db.session.commit()
    return render_template(
        "accounts/account.html",
        token_form=forms.TokenForm(formdata=None),
        colleague_form=forms.ColleagueForm(formdata=None),
        password_form=forms.PasswordForm(formdata=None),
        revoke_form=forms.ConfirmForm(formdata=None),
        language_form=_language_form(user),
        zone_form=_zone_form(user),
        tokens=services.list_api_tokens(user),
        members=services.organisation_members(user.organisation_id),
        pending=services.pending_colleague_invitations(user.organisation_id),
        new_token=secret,
    )


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@own_account
def revoke_token(token_id: int) -> Response:
    """Revoke one of your API tokens."""
    if forms.ConfirmForm().validate_on_submit():
        try:
            services.revoke_api_token(current_actor(), token_id)
        except DomainError:
            abort(404)
        db.session.commit()
        flash(gettext("The token is revoked."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/colleagues", methods=["POST"])
def invite_colleague() -> str | Response:
    """Invite a colleague to the organisation by e-mail."""
    user = current_actor()
    form = forms.ColleagueForm()
    if form.validate_on_submit():
        with change() as outcome:
            invitation = services.invite_and_mail_colleague(
                user, form.email.data, form.role.data
            )
        if outcome.ok:
            flash(gettext("Invitation sent to %(email)s.", email=invitation.email), "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
    return redirect(url_for("accounts.account"))


@bp.route("/join/<token>", methods=["GET", "POST"])
@public
def join(token: str) -> str | Response:
    """A colleague accepts an invitation and chooses a password."""
    try:
        invitation = services.colleague_invitation(token)
    except DomainError:
        return render_template("accounts/join_invalid.html"), 404  # type: ignore[return-value]
    form = forms.JoinForm()
    if form.validate_on_submit():
        with change(form) as outcome:
            user = services.accept_colleague_invitation(
                token, name=form.name.data, password=form.password.data
            )
        if outcome.ok:
            login_user(user)
            flash(
                gettext("Welcome to %(organisation)s.", organisation=invitation.organisation.name),
                "success",
            )
            return redirect(url_for("drafting.dashboard"))
    return render_template("accounts/join.html", form=form, invitation=invitation)


@bp.route("/account/password", methods=["POST"])
@own_account
def change_password() -> Response:
    """Change your password; other sessions end."""
    user = current_actor()
    form = forms.PasswordForm()
    if form.validate_on_submit():
        if services.authenticate(user.email, form.current.data or "") is None:
            flash(gettext("The current password is wrong."), "error")
        else:
            with change() as outcome:
                services.change_password(user, form.password.data)
            if outcome.ok:
                login_user(user)
                flash(gettext("Your password is changed."), "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
    return redirect(url_for("accounts.account"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_limit, key_func=account_key, methods=["POST"])
@public
def forgot_password() -> str:
    """Mail a reset link; the answer is the same whether or not the address has an account."""
    form = forms.ForgotForm()
    sent = False
    if form.validate_on_submit():
        user = services.find_active_user(form.email.data)
        if user is not None:
            outbox.queue(
                "password_reset",
                to=user.email,
                subject=lazy_gettext("Reset your Coalition password"),
                context={
                    "user": user,
                    "url": url_for(
                        "accounts.reset_password",
                        token=services.password_reset_token(user),
                        _external=True,
                    ),
                    "minutes": services.RESET_MAX_AGE // 60,
                },
                organisation_id=user.organisation_id,
            )
            db.session.commit()
        sent = True
    return render_template("accounts/forgot.html", form=form, sent=sent)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> str | Response:
    """Choose a new password from a mailed link (single use, one hour)."""
    try:
        user = services.user_for_reset_token(token)
    except DomainError:
        return render_template("accounts/reset_invalid.html"), 404  # type: ignore[return-value]
    form = forms.ResetForm()
    if form.validate_on_submit():
        with change(form) as outcome:
            services.change_password(user, form.password.data)
        if outcome.ok:
            login_user(user)
            flash(gettext("Your password is changed."), "success")
            return redirect(url_for("drafting.dashboard"))
    return render_template("accounts/reset.html", form=form)
