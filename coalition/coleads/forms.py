"""Co-lead forms: shape only; coalition.coleads.services checks the rules."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from coalition.accounts.forms import PASSWORD_HELP, PASSWORDS_DIFFER
from coalition.forms import FlaskForm, Limit
from coalition.i18n import lazy_text as _l


class CoLeadForm(FlaskForm):
    email = EmailField(
        _l("E-mail of someone at the co-lead organisation"),
        validators=[DataRequired(), Email(), Limit(320)],
    )
    submit = SubmitField(_l("Invite as co-lead"), id="co-lead-submit")


class SignOffSettingForm(FlaskForm):
    require_sign_off = BooleanField(
        _l("Each co-lead must approve the exact revision before it is published")
    )
    submit = SubmitField(_l("Save"), id="sign-off-setting-submit")


class ActionForm(FlaskForm):
    """A bare form for buttons that change state (CSRF only)."""

    submit = SubmitField(_l("Confirm"))


class AcceptForm(FlaskForm):
    """Accept as the logged-in account that was invited."""

    submit = SubmitField(_l("Accept and co-lead this statement"), id="accept-submit")


class AcceptSignupForm(FlaskForm):
    """Accept by making the invited address's account and its organisation."""

    organisation = StringField(_l("Your organisation"), validators=[DataRequired(), Limit(200)])
    name = StringField(_l("Your name"), validators=[DataRequired(), Limit(200)])
    password = PasswordField(
        _l("Password"),
        description=PASSWORD_HELP,
        validators=[DataRequired(), Length(min=10), Limit(1000, "exact")],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=PASSWORDS_DIFFER)],
    )
    submit = SubmitField(_l("Create the account and accept"), id="accept-signup-submit")
