"""How a page makes a change: one service call, committed, or refused with its reason.

Every page that changes something does the same: call the service; on a DomainError roll
the transaction back and show the reason (beside the form's fields it names, or as a
flash message); otherwise commit. ``change()`` is that, once::

    with change() as outcome:
        signature = services.withdraw(invitation)
    if outcome.ok:
        flash(gettext("The signature is withdrawn."), "success")

Values assigned in the block exist only when ``outcome.ok``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import flash

from coalition.domain.errors import DomainError, TooLong
from coalition.domain.limits import too_long
from coalition.extensions import db
from coalition.forms import FlaskForm
from coalition.i18n import translate


class Outcome:
    """What became of a change: ``ok``, or the domain ``error`` that refused it."""

    def __init__(self) -> None:
        self.error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int:
        """The page's status: 200, or the refusal's (422, 409, ...)."""
        return 200 if self.error is None else self.error.status


def apply_errors(form: FlaskForm, error: DomainError) -> None:
    """Show a domain error beside the fields it names, or above the form."""
    placed = False
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            if name in error.lengths:
                # The same words as the form's own check (coalition.forms.Limit) gives.
                shown = translate(too_long(*error.lengths[name]))
            else:
                shown = translate(error) if len(error.fields) == 1 else translate(message)
            field.errors = [*field.errors, shown]
            placed = True
    if not placed:
        flash(translate(error), "error")


@contextmanager
def change(
    form: FlaskForm | None = None, *, quiet: tuple[type[DomainError], ...] = ()
) -> Iterator[Outcome]:
    """Commit what the block changes, or roll it back and show the DomainError it raised.

    With ``form`` the reason goes beside the fields it names (else above the form);
    without, into a flash message. An error of a ``quiet`` kind is rolled back but not
    shown: the page shows it its own way (a stale base revision's redline, say). Other
    exceptions pass through untouched.
    """
    outcome = Outcome()
    try:
        yield outcome
    except DomainError as error:
        db.session.rollback()
        outcome.error = error
        if isinstance(error, quiet):
            return
        if form is None:
            shown = too_long(error.count, error.limit) if isinstance(error, TooLong) else error
            flash(translate(shown), "error")
        else:
            apply_errors(form, error)
    else:
        db.session.commit()
