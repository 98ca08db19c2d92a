"""Invitation and comment forms: shape only; the services check the rules and the life cycle."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from coalition.domain.limits import COMMENT_MAX, EMAIL_MAX, NAME_MAX
from coalition.forms import FlaskForm, Limit
from coalition.i18n import lazy_text as _l

MESSAGE_MAX = 5000

PARTNER_VISIBILITY = [
    SelectChoice("private", _l("Only the lead organisation")),
    SelectChoice("shared", _l("The lead organisation and all invited partners")),
]
LEAD_VISIBILITY = [
    SelectChoice("shared", _l("Answer: whoever can read the comment sees it")),
    SelectChoice("private", _l("Internal note: only your organisation sees it")),
]


class InviteForm(FlaskForm):
    organisation = StringField(
        _l("Organisation"), validators=[DataRequired(), Limit(NAME_MAX)]
    )
    email = StringField(
        _l("E-mail address"),
        validators=[DataRequired(), Limit(EMAIL_MAX)],
        render_kw={"type": "email", "autocomplete": "off"},
    )
    message = TextAreaField(
        _l("Personal message (optional)"),
        validators=[Optional(), Limit(MESSAGE_MAX, "text")],
        description=_l("Added to the invitation e-mail."),
    )
    submit = SubmitField(_l("Invite"))


class BulkInviteForm(FlaskForm):
    lines = TextAreaField(
        _l("Partners, one per line"),
        validators=[Optional(), Limit(400_000, "text")],
        description=_l(
            "Organisation Name <press@example.org> — or upload a CSV with columns "
            "organisation and email."
        ),
        render_kw={"placeholder": "Human Rights House <press@humanrightshouse.org>"},
    )
    csv_file = FileField(
        _l("CSV file (optional)"),
        validators=[FileAllowed(["csv", "txt"], "Upload a .csv or .txt file.")],
    )
    message = TextAreaField(
        _l("Personal message (optional)"),
        validators=[Optional(), Limit(MESSAGE_MAX, "text")],
        description=_l("Added to every invitation e-mail of this list."),
        id="bulk-message",  # the Invite one form on the same page has its own "message"
    )
    submit = SubmitField(_l("Invite everyone listed"), id="bulk-submit")


class ActionForm(FlaskForm):
    """A button that changes something: POST with a CSRF token, nothing else."""

    submit = SubmitField(_l("Go"))


class CommentForm(FlaskForm):
    anchor = HiddenField()
    body = TextAreaField(_l("Your comment"), validators=[Optional(), Limit(COMMENT_MAX, "text")])
    suggestion = TextAreaField(
        _l("Suggested text for this paragraph (optional)"),
        validators=[Optional(), Limit(COMMENT_MAX, "text")],
        description=_l("Write the paragraph as you would like it to read."),
    )
    visibility = RadioField(
        _l("Who can read this"),
        choices=PARTNER_VISIBILITY,
        default="private",
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Send comment"))


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Optional(), Limit(2000, "text")],
        description=_l("Only the lead organisation reads it."),
    )
    submit = SubmitField(_l("Decline to sign"))


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Reply"), validators=[DataRequired(), Limit(COMMENT_MAX, "text")])
    visibility = RadioField(
        _l("Who can read this"),
        choices=LEAD_VISIBILITY,
        default="shared",
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Reply"))


class AcceptForm(FlaskForm):
    base_revision = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("Accept this text"))
