"""Invitation and comment forms: shape only; the services check the rules and the life cycle."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from coalition.domain.limits import COMMENT_MAX, EMAIL_MAX, NAME_MAX

MESSAGE_MAX = 5000

PARTNER_VISIBILITY = [
    SelectChoice("private", "Only the lead organisation"),
    SelectChoice("shared", "The lead organisation and all invited partners"),
]
LEAD_VISIBILITY = [
    SelectChoice("shared", "Answer: whoever can read the comment sees it"),
    SelectChoice("private", "Internal note: only your organisation sees it"),
]


class InviteForm(FlaskForm):
    organisation = StringField(
        "Organisation", validators=[DataRequired(), Length(max=NAME_MAX)]
    )
    email = StringField(
        "E-mail address",
        validators=[DataRequired(), Length(max=EMAIL_MAX)],
        render_kw={"type": "email", "autocomplete": "off"},
    )
    message = TextAreaField(
        "Personal message (optional)",
        validators=[Optional(), Length(max=MESSAGE_MAX)],
        description="Added to the invitation e-mail.",
    )
    submit = SubmitField("Invite")


class BulkInviteForm(FlaskForm):
    lines = TextAreaField(
        "Partners, one per line",
        validators=[Optional(), Length(max=400_000)],
        description="Organisation Name <press@example.org> — or upload a CSV with columns "
        "organisation and email.",
        render_kw={"placeholder": "Human Rights House <press@humanrightshouse.org>"},
    )
    csv_file = FileField(
        "CSV file (optional)",
        validators=[FileAllowed(["csv", "txt"], "Upload a .csv or .txt file.")],
    )
    message = TextAreaField(
        "Personal message (optional)",
        validators=[Optional(), Length(max=MESSAGE_MAX)],
        description="Added to every invitation e-mail of this list.",
    )
    submit = SubmitField("Invite everyone listed")


class ActionForm(FlaskForm):
    """A button that changes something: POST with a CSRF token, nothing else."""

    submit = SubmitField("Go")


class CommentForm(FlaskForm):
    anchor = HiddenField()
    body = TextAreaField(
        "Your comment", validators=[Optional(), Length(max=COMMENT_MAX)]
    )
    suggestion = TextAreaField(
        "Suggested text for this paragraph (optional)",
        validators=[Optional(), Length(max=COMMENT_MAX)],
        description="Write the paragraph as you would like it to read.",
    )
    visibility = RadioField(
        "Who can read this", choices=PARTNER_VISIBILITY, default="private",
        validators=[InputRequired()],
    )
    submit = SubmitField("Send comment")


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        "Reason (optional)",
        validators=[Optional(), Length(max=2000)],
        description="Only the lead organisation reads it.",
    )
    submit = SubmitField("Decline to sign")


class ReplyForm(FlaskForm):
    body = TextAreaField("Reply", validators=[DataRequired(), Length(max=COMMENT_MAX)])
    visibility = RadioField(
        "Who can read this", choices=LEAD_VISIBILITY, default="shared",
        validators=[InputRequired()],
    )
    submit = SubmitField("Reply")


class AcceptForm(FlaskForm):
    base_revision = HiddenField(validators=[InputRequired()])
    submit = SubmitField("Accept this text")
