"""Account forms: shape only; the services check the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField("Log in")


class SignupForm(FlaskForm):
    organisation = StringField("Organisation", validators=[DataRequired(), Length(max=200)])
    name = StringField("Your name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=320)])
    password = PasswordField(
        "Password",
        description="At least 10 characters; a phrase of several words is best.",
        validators=[DataRequired(), Length(min=10, max=1000)],
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )
    submit = SubmitField("Create the account")


class JoinForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        "Password",
        description="At least 10 characters; a phrase of several words is best.",
        validators=[DataRequired(), Length(min=10, max=1000)],
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )
    submit = SubmitField("Join")


class TokenForm(FlaskForm):
    name = StringField(
        "Label", description="What will use this token?", validators=[Length(max=100)]
    )
    submit = SubmitField("Create a token")


class ColleagueForm(FlaskForm):
    email = EmailField("Colleague's e-mail", validators=[DataRequired(), Email(), Length(max=320)])
    submit = SubmitField("Send the invitation")


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=1000)])
    password = PasswordField("New password", validators=[DataRequired(), Length(min=10, max=1000)])
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )
    submit = SubmitField("Change the password")


class ConfirmForm(FlaskForm):
    """A bare form for buttons that change state (CSRF only)."""

    submit = SubmitField("Confirm")


class ForgotForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=320)])
    submit = SubmitField("Send me a reset link")


class ResetForm(FlaskForm):
    password = PasswordField(
        "New password",
        description="At least 10 characters; a phrase of several words is best.",
        validators=[DataRequired(), Length(min=10, max=1000)],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )
    submit = SubmitField("Set the new password")
