"""Forms of the after-publication pages: delivery, the response, updates, unsubscribing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from coalition.forms import FlaskForm


class DeliveryForm(FlaskForm):
    recipients = TextAreaField(
        _l("E-mail recipients"),
        description=_l("One address a line: the addressee, their office, a secretariat."),
    )
    message = TextAreaField(
        _l("A few words of your own (optional)"),
        description=_l("Added to the short cover message, which is in the statement's language."),
    )
    preview = SubmitField(_l("Preview"))
    deliver = SubmitField(_l("Deliver the letter"))


class ResponseForm(FlaskForm):
    received_on = DateField(_l("Received on"))
    text = TextAreaField(
        _l("The response"), description=_l("Its text, or a summary with the file below.")
    )
    file = FileField(_l("File (optional)"), description=_l("PDF, PNG or JPEG, up to 10 MB."))
    public = BooleanField(_l("Show it on the public page"))
    submit = SubmitField(_l("Log the response"))


class ResponseVisibilityForm(FlaskForm):
    public = BooleanField(_l("Shown on the public page"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class UpdateForm(FlaskForm):
    title = StringField(_l("Title"))
    body = TextAreaField(_l("The update"), description=_l("Markdown, as in the statement."))
    submit = SubmitField(_l("Post and send the update"))


class DigestForm(FlaskForm):
    wants_digest = BooleanField(
        _l("E-mail me a daily digest of our statements"),
        description=_l(
            "New signatures, withdrawals, comments, re-confirmations waited for and "
            "deadlines due tomorrow. Nothing is sent on a quiet day."
        ),
    )
    submit = SubmitField(_l("Save"))


class UnsubscribeForm(FlaskForm):
    """One button; no CSRF token, since a mail client posts the same URL on its own."""

    class Meta:
        csrf = False

    submit = SubmitField(_l("Unsubscribe"))
