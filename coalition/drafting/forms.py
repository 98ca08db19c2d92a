"""Drafting forms: shape only; the services check the rules and the life cycle."""

from __future__ import annotations

import zoneinfo

from flask_wtf import FlaskForm
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
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from coalition.domain.limits import BODY_MAX, NOTE_MAX, TITLE_MAX

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


def timezone_choices() -> list[tuple[str, str]]:
    return [
        (name, name)
        for name in sorted(zoneinfo.available_timezones())
        if "/" in name or name == "UTC"
    ]


class StatementForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=TITLE_MAX)])
    body = TextAreaField(
        "Text",
        description="Markdown: blank lines between paragraphs, # for headings, - for lists, "
        "*emphasis*, [links](https://example.org).",
        validators=[DataRequired(), Length(max=BODY_MAX)],
    )
    language = SelectField("Language of the statement", choices=LANGUAGES, default="en")
    preview = SubmitField("Preview")
    submit = SubmitField("Create the statement")


class EditForm(FlaskForm):
    base_revision = HiddenField(validators=[InputRequired()])
    title = StringField("Title", validators=[DataRequired(), Length(max=TITLE_MAX)])
    body = TextAreaField(
        "Text",
        description="Markdown: blank lines between paragraphs, # for headings, - for lists, "
        "*emphasis*, [links](https://example.org).",
        validators=[DataRequired(), Length(max=BODY_MAX)],
    )
    note = StringField(
        "Note about this change (optional)", validators=[Optional(), Length(max=NOTE_MAX)]
    )
    substantive = BooleanField(
        "Substantive change",
        default=True,
        description="Untick only for typos and layout: signers are then not asked to re-confirm.",
    )
    preview = SubmitField("Preview")
    submit = SubmitField("Save a new revision")


class CompareForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    from_ = IntegerField("From revision", validators=[InputRequired()])
    to = IntegerField("To revision", validators=[InputRequired()])


class StateForm(FlaskForm):
    state = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Change")


class SettingsForm(FlaskForm):
    language = SelectField("Language of the statement", choices=LANGUAGES)
    timezone = SelectField("Time zone", description="Deadlines and dates are shown in this zone.")
    sign_deadline = DateTimeLocalField(
        "Sign-on deadline",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description="In the statement's time zone. Leave empty for no deadline.",
    )
    comments_when_open = BooleanField("Partners may still comment while signing is open")
    letter_addressee_name = StringField(
        "Addressee's name",
        validators=[Optional(), Length(max=200)],
        description="Fill this in to lay the statement out as a joint letter.",
    )
    letter_addressee_title = StringField(
        "Addressee's title", validators=[Optional(), Length(max=200)]
    )
    letter_addressee_address = TextAreaField("Address", validators=[Optional(), Length(max=1000)])
    letter_salutation = StringField(
        "Salutation", validators=[Optional(), Length(max=200)], description="e.g. Dear Minister,"
    )
    submit = SubmitField("Save the settings")


class RestoreForm(FlaskForm):
    base_revision = HiddenField(validators=[InputRequired()])
    submit = SubmitField("Restore as a new revision")
