"""outcomes.change(): a page's change is committed, or rolled back with its reason shown."""

from __future__ import annotations

import pytest
from flask import Flask, get_flashed_messages
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField

from coalition.domain.errors import Conflict, ValidationError
from coalition.extensions import db
from coalition.models import Statement
from coalition.outcomes import change
from tests import factories


class TitleForm(FlaskForm):
    title = StringField("Title")


def _title(statement_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Statement.title).where(Statement.id == statement_id)) or ""


def test_a_change_that_succeeds_is_committed(app: Flask) -> None:
    with app.test_request_context(method="POST"):
        statement = factories.statement(factories.user())
        statement_id = statement.id
        with change() as outcome:
            statement.title = "Renamed"
        db.session.remove()  # a new session sees only what was committed
        assert outcome.ok and outcome.status == 200
        assert _title(statement_id) == "Renamed"


def test_a_refused_change_is_rolled_back_and_its_reason_flashed(app: Flask) -> None:
    with app.test_request_context(method="POST"):
        statement = factories.statement(factories.user(), title="Original title")
        statement_id = statement.id
        db.session.commit()
        with change() as outcome:
            statement.title = "Half-made change"
            db.session.flush()
            raise Conflict("Someone else changed it.")
        assert not outcome.ok and outcome.status == 409
        assert _title(statement_id) == "Original title"
        assert get_flashed_messages(with_categories=True) == [("error", "Someone else changed it.")]


def test_with_a_form_the_reason_goes_beside_its_field(app: Flask) -> None:
    with app.test_request_context(method="POST"):
        form = TitleForm(meta={"csrf": False})
        with change(form) as outcome:
            raise ValidationError("The title is too long.", fields={"title": "too long"})
        assert outcome.status == 422
        assert form.title.errors == ["The title is too long."]
        with change(form):
            raise ValidationError("Bad.", fields={"nowhere": "x"})
        # Only the error without a field of the form was flashed (above the form).
        assert get_flashed_messages() == ["Bad."]


def test_other_exceptions_pass_through(app: Flask) -> None:
    with app.test_request_context(method="POST"), pytest.raises(KeyError), change():
        raise KeyError("not a domain error")
