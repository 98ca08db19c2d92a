"""Translation forms: shape only; the services check languages, permissions and the life cycle."""

from __future__ import annotations

from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from coalition.domain.limits import BODY_MAX, NOTE_MAX, TITLE_MAX
from coalition.forms import FlaskForm, Limit
from coalition.i18n import lazy_text as _l

# The translator select: "" names nobody (the lead organisation translates).
NOBODY = SelectChoice("", _l("Our organisation (nobody named)"))


class AddTranslationForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[], validate_choice=False)
    other_language = StringField(
        _l("Or another language (BCP 47 tag)"),
        validators=[Optional(), Limit(35)],
        description=_l("For a language not in the list, e.g. pt-BR, sr-Latn or crh."),
    )
    translator = SelectField(
        _l("Translator"),
        choices=[],
        validate_choice=False,  # an invitation may be revoked between page load and submit
        description=_l(
            "A partner named here translates through its own invitation link and "
            "is told by e-mail when the source text changes."
        ),
    )
    submit = SubmitField(_l("Add the translation"))


class TranslatorForm(FlaskForm):
    translator = SelectField(_l("Translator"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Save"))


class TranslationForm(FlaskForm):
    base_revision = HiddenField(validators=[InputRequired()])
    # The source revision the editor showed: the one this text translates.
    source_revision = HiddenField(validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Limit(TITLE_MAX)])
    body = TextAreaField(
        _l("Text"),
        description=_l(
            "Markdown, as in the source: blank lines between paragraphs, # for "
            "headings, - for lists. Write {{signatories}} where the number of signatories goes."
        ),
        validators=[DataRequired(), Limit(BODY_MAX, "text")],
    )
    note = StringField(
        _l("Note about this change (optional)"), validators=[Optional(), Limit(NOTE_MAX)]
    )
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save a new revision"))
