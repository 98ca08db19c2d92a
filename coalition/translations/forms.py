"""Translation forms: shape only; the services check languages, permissions and the life cycle."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from coalition.domain.limits import BODY_MAX, NOTE_MAX, TITLE_MAX

# The translator select: "" names nobody (the lead organisation translates).
NOBODY = SelectChoice("", "Our organisation (nobody named)")


class AddTranslationForm(FlaskForm):
    language = SelectField("Language", choices=[], validate_choice=False)
    other_language = StringField(
        "Or another language (BCP 47 tag)",
        validators=[Optional(), Length(max=35)],
        description="For a language not in the list, e.g. pt-BR, sr-Latn or crh.",
    )
    translator = SelectField(
        "Translator",
        choices=[],
        validate_choice=False,  # an invitation may be revoked between page load and submit
        description="A partner named here translates through its own invitation link and "
        "is told by e-mail when the source text changes.",
    )
    submit = SubmitField("Add the translation")


class TranslatorForm(FlaskForm):
    translator = SelectField("Translator", choices=[], validate_choice=False)
    submit = SubmitField("Save")


class TranslationForm(FlaskForm):
    base_revision = HiddenField(validators=[InputRequired()])
    # The source revision the editor showed: the one this text translates.
    source_revision = HiddenField(validators=[InputRequired()])
    title = StringField("Title", validators=[DataRequired(), Length(max=TITLE_MAX)])
    body = TextAreaField(
        "Text",
        description="Markdown, as in the source: blank lines between paragraphs, # for "
        "headings, - for lists. Write {{signatories}} where the number of signatories goes.",
        validators=[DataRequired(), Length(max=BODY_MAX)],
    )
    note = StringField(
        "Note about this change (optional)", validators=[Optional(), Length(max=NOTE_MAX)]
    )
    preview = SubmitField("Preview")
    submit = SubmitField("Save a new revision")
