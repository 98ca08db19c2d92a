"""Account forms: shape only; the services check the rules."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from coalition.forms import FlaskForm, Limit
from coalition.i18n import SUPPORTED
from coalition.i18n import lazy_text as _l

PASSWORD_HELP = _l("At least 10 characters; a phrase of several words is best.")
PASSWORDS_DIFFER = _l("The passwords differ.")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Limit(320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Limit(1000, "exact")])
    submit = SubmitField(_l("Log in"))


class SignupForm(FlaskForm):
    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Limit(200)])
    name = StringField(_l("Your name"), validators=[DataRequired(), Limit(200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Limit(320)])
    password = PasswordField(
        _l("Password"),
        description=PASSWORD_HELP,
        validators=[DataRequired(), Length(min=10), Limit(1000, "exact")],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=PASSWORDS_DIFFER)],
    )
    submit = SubmitField(_l("Create the account"))


class JoinForm(FlaskForm):
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
    submit = SubmitField(_l("Join"))


# The account page holds several of these forms: each submit button has its own id.
class TokenForm(FlaskForm):
    name = StringField(
        _l("Label"), description=_l("What will use this token?"), validators=[Limit(100)]
    )
    submit = SubmitField(_l("Create a token"), id="token-submit")


class ColleagueForm(FlaskForm):
    email = EmailField(
        _l("Colleague's e-mail"), validators=[DataRequired(), Email(), Limit(320)]
    )
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("editor", _l("Editor: drafts, invites, publishes")),
            SelectChoice("viewer", _l("Viewer: reads everything, changes nothing")),
        ],
        default="editor",
    )
    submit = SubmitField(_l("Send the invitation"), id="colleague-submit")


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(), Limit(1000, "exact")]
    )
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=10), Limit(1000, "exact")]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=PASSWORDS_DIFFER)],
    )
    submit = SubmitField(_l("Change the password"), id="password-submit")


class ConfirmForm(FlaskForm):
    """A bare form for buttons that change state (CSRF only)."""

    submit = SubmitField(_l("Confirm"))


class ForgotForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Limit(320)])
    submit = SubmitField(_l("Send me a reset link"))


class ResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        description=PASSWORD_HELP,
        validators=[DataRequired(), Length(min=10), Limit(1000, "exact")],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=PASSWORDS_DIFFER)],
    )
    submit = SubmitField(_l("Set the new password"))


class LanguageForm(FlaskForm):
    """The interface language of one's own account; empty follows the browser."""

    language = SelectField(
        _l("Language of the interface"),
        description=_l("The language of the pages and forms you see."),
        choices=[
            SelectChoice("", _l("As my browser asks")),
            *(SelectChoice(tag, name) for tag, name in SUPPORTED.items()),
        ],
    )
    submit = SubmitField(_l("Save the language"), id="language-submit")


class TimeZoneForm(FlaskForm):
    """Where one sees times: one's own zone (empty: the organisation's), and the
    organisation's default for colleagues who have not chosen."""

    timezone = SelectField(
        _l("Your time zone"),
        description=_l("The list of statements shows every time in this zone."),
        render_kw={"class": "zone-select"},
    )
    organisation_timezone = SelectField(
        _l("Your organisation's time zone"),
        description=_l("For colleagues who have not chosen their own."),
        render_kw={"class": "zone-select"},
    )
    submit = SubmitField(_l("Save the time zones"))
