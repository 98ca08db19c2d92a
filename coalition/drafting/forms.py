"""Drafting forms: shape only; the services check the rules and the life cycle."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from coalition.domain.limits import BODY_MAX, NOTE_MAX, TITLE_MAX
from coalition.forms import FlaskForm, Limit
from coalition.i18n import lazy_text as _l
from coalition.models import Statement

LANGUAGE_NAMES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("de", "Deutsch"),
    ("it", "Italiano"),
    ("pt", "Português"),
    ("nl", "Nederlands"),
    ("ru", "Русский"),
    ("be", "Беларуская"),
    ("uk", "Українська"),
    ("ar", "العربية"),
    ("tr", "Türkçe"),
]
LANGUAGES = [SelectChoice(code, name) for code, name in LANGUAGE_NAMES]




def deadline_value(statement: Statement, tz: zoneinfo.ZoneInfo) -> str:
    """The deadline as a datetime-local value in the statement's zone, while it is ahead."""
    if statement.sign_deadline is None or statement.sign_deadline <= dt.datetime.now(dt.UTC):
        return ""
    return statement.sign_deadline.astimezone(tz).strftime("%Y-%m-%dT%H:%M")


class StatementForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Limit(TITLE_MAX)])
    body = TextAreaField(
        _l("Text"),
        description=_l(
            "Markdown: blank lines between paragraphs, # for headings, - for lists, "
            "*emphasis*, [links](https://example.org)."
        ),
        validators=[DataRequired(), Limit(BODY_MAX, "text")],
    )
    language = SelectField(_l("Language of the statement"), choices=LANGUAGES, default="en")
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Create the statement"))


class EditForm(FlaskForm):
    base_revision = HiddenField(validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Limit(TITLE_MAX)])
    body = TextAreaField(
        _l("Text"),
        description=_l(
            "Markdown: blank lines between paragraphs, # for headings, - for lists, "
            "*emphasis*, [links](https://example.org)."
        ),
        validators=[DataRequired(), Limit(BODY_MAX, "text")],
    )
    note = StringField(
        _l("Note about this change (optional)"), validators=[Optional(), Limit(NOTE_MAX)]
    )
    substantive = BooleanField(
        _l("Substantive change"),
        default=True,
        description=_l(
            "Untick only for typos and layout: signers are then not asked to re-confirm."
        ),
    )
    # Shown while signatures exist: a substantive save asks every signer to re-confirm.
    ask_signers = BooleanField(_l("Ask the signers to re-confirm"), default=False)
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save a new revision"))


class CompareForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    from_ = IntegerField(_l("From revision"), validators=[InputRequired()])
    to = IntegerField(_l("To revision"), validators=[InputRequired()])


class StateForm(FlaskForm):
    state = HiddenField(validators=[DataRequired()])
    # Asked when signing opens (templates/drafting/_open_signing.html); optional.
    sign_deadline = DateTimeLocalField(
        _l("Sign-on deadline (optional)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )
    submit = SubmitField(_l("Change"))


class SettingsForm(FlaskForm):
    language = SelectField(_l("Language of the statement"), choices=LANGUAGES)
    timezone = SelectField(
        _l("Time zone"),
        description=_l(
            "Deadlines are typed and shown in this zone. Type a city or a country in the "
            "search box to find it."
        ),
        render_kw={"class": "zone-select"},
    )
    sign_deadline = DateTimeLocalField(
        _l("Sign-on deadline"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("In the statement's time zone. Leave empty for no deadline."),
    )
    comments_when_open = BooleanField(_l("Partners may still comment while signing is open"))
    letter_addressee_name = StringField(
        _l("Addressee's name"),
        validators=[Optional(), Limit(200)],
        description=_l("Fill this in to lay the statement out as a joint letter."),
    )
    letter_addressee_title = StringField(
        _l("Addressee's title"), validators=[Optional(), Limit(200)]
    )
    letter_addressee_address = TextAreaField(
        _l("Address"), validators=[Optional(), Limit(1000, "text")]
    )
    letter_salutation = StringField(
        _l("Salutation"),
        validators=[Optional(), Limit(200)],
        description=_l("e.g. Dear Minister,"),
    )
    submit = SubmitField(_l("Save the settings"))


class RestoreForm(FlaskForm):
    base_revision = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("Restore as a new revision"))
