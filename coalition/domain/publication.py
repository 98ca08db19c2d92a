"""When a new edition is dated and when it goes public: rules over plain values."""

from __future__ import annotations

import datetime as dt

from coalition.domain.errors import Conflict, ValidationError


def publication_date(
    date: dt.date | None, today: dt.date, previous: tuple[int, dt.date] | None
) -> dt.date:
    """The edition's date (today by default); never before the previous edition's (number, date)."""
    if isinstance(date, dt.datetime):
        date = date.date()
    chosen = date or today
    if previous is not None and chosen < previous[1]:
        number, earliest = previous
        # 409, not 422: a well-formed date that the statement's history rules out.
        raise Conflict(
            f"The date cannot be before edition {number}'s date ({earliest.isoformat()}).",
            fields={"date": f"must be {earliest.isoformat()} or later"},
        )
    return chosen


def embargo(
    public_from: dt.datetime | None, moment: dt.datetime, floor: dt.datetime | None
) -> dt.datetime | None:
    """When the edition goes public (None: at once), given the latest edition's ``floor``.

    An embargo must be aware, in the future, and not before the previous edition's; a
    correction made under embargo goes out when that embargo lifts.
    """
    if public_from is None:
        return floor if floor is not None and floor > moment else None
    if public_from.tzinfo is None:
        raise ValidationError(
            "The embargo time needs a time zone.", fields={"public_from": "needs a time zone"}
        )
    public_from = public_from.astimezone(dt.UTC)
    if public_from <= moment:
        raise ValidationError(
            "The embargo time has passed: leave it empty to publish at once.",
            fields={"public_from": "must be in the future"},
        )
    if floor is not None and public_from < floor:
        raise ValidationError(
            "This edition cannot become public before the previous one does.",
            fields={"public_from": "must not be before the previous edition's embargo"},
        )
    return public_from
