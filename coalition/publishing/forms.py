"""Publishing forms: shape only; the services check the life cycle and signature integrity."""

from __future__ import annotations

from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from coalition.domain.limits import NOTE_MAX
from coalition.forms import FlaskForm, Limit
from coalition.i18n import lazy_text as _l


class PublishForm(FlaskForm):
    """The publish page and its confirmation step carry the same fields."""

    date = DateField(
        _l("Publication date"),
        validators=[InputRequired(message=_l("Give the date the edition shows."))],
        description=_l("The date printed on the statement and on every export."),
    )
    public_from = DateTimeLocalField(
        _l("Embargo: public from (optional)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l(
            "Leave empty to publish at once. Until this time the public page and its "
            "exports answer “not found”; you can share a private preview link with journalists."
        ),
    )
    note = StringField(
        _l("Note for this edition (optional)"),
        validators=[Optional(), Limit(NOTE_MAX)],
        description=_l(
            "Shown with the edition, e.g. “Two signatories added”. "
            "Later editions show it as “Updated on <date>: …”."
        ),
    )
    # Outstanding signatures the lead leaves out of this edition (the rest must re-confirm).
    leave_out = SelectMultipleField(
        _l("Leave out of this edition"),
        coerce=int,
        choices=[],
        validate_choice=False,  # a signature may re-confirm between page load and submit
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    # Translations not up to date that the lead leaves out (the rest must be updated first).
    leave_out_translations = SelectMultipleField(
        _l("Leave these translations out of this edition"),
        choices=[],
        validate_choice=False,  # a translation may be updated between page load and submit
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    fingerprint = HiddenField()
    review = SubmitField(_l("Review what will be published"))
    back = SubmitField(_l("Change something"))
    confirm = SubmitField(_l("Publish"))


class PreviewLinkForm(FlaskForm):
    submit = SubmitField(_l("Create a preview link"))


class RevokePreviewForm(FlaskForm):
    submit = SubmitField(_l("Stop the preview link"))
