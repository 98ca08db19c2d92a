"""The daily digest: what happened on an organisation's statements, mailed to staff who asked.

Run once a day by `flask --app coalition digest` (cron, docs/operations.md). A user gets at
most one digest in 20 hours, covering the time since the last one (a day the first time).
A day with nothing to report sends nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_ngettext
from sqlalchemy import func, select

from coalition import audit, roster
from coalition.domain.followup import digest_due, digest_window
from coalition.domain.lifecycle import State
from coalition.domain.signatures import ENDED, SignatureStatus
from coalition.extensions import db
from coalition.followup.updates import digest_token, unsubscribe_url
from coalition.mail import outbox
from coalition.models import Comment, Signature, Statement, User, utcnow
from coalition.publishing import services as publishing
from coalition.security import viewable_by
from coalition.web import local_time

KIND = "digest"
_COUNTED = (
    SignatureStatus.LIVE, SignatureStatus.SUPERSEDED, *ENDED, SignatureStatus.PENDING
)


@dataclass(frozen=True)
class StatementNews:
    """One statement's lines in a digest."""

    statement: Statement
    new_signatures: int
    withdrawals: int
    comments: int
    outstanding: int
    deadline_tomorrow: str  # the deadline, formatted in the statement's zone, or ""

    @property
    def empty(self) -> bool:
        return not (
            self.new_signatures or self.withdrawals or self.comments or self.outstanding
            or self.deadline_tomorrow
        )


def _count(query: object) -> int:
    return int(db.session.scalar(query) or 0)  # type: ignore[call-overload]


def statement_news(statement: Statement, since: dt.datetime, now: dt.datetime) -> StatementNews:
    """What changed on one statement since `since`, and what is outstanding now."""
    new = _count(
        select(func.count()).select_from(Signature).where(
            Signature.statement_id == statement.id,
            Signature.replaces_id.is_(None),
            Signature.status.in_(_COUNTED),
            Signature.created_at >= since,
        )
    )
    withdrawn = _count(
        select(func.count()).select_from(Signature).where(
            Signature.statement_id == statement.id,
            Signature.status.in_(ENDED),
            Signature.ended_at >= since,
        )
    )
    comments = _count(
        select(func.count()).select_from(Comment).where(
            Comment.statement_id == statement.id,
            Comment.invitation_id.is_not(None),
            Comment.created_at >= since,
        )
    )
    state = statement.state_enum
    outstanding = (
        len(roster.outstanding(statement)) if state in (State.OPEN, State.CLOSED) else 0
    )
    deadline = ""
    if state == State.OPEN and statement.sign_deadline is not None:
        zone = publishing.statement_zone(statement)
        tomorrow = now.astimezone(zone).date() + dt.timedelta(days=1)
        if statement.sign_deadline.astimezone(zone).date() == tomorrow:
            deadline = local_time(statement.sign_deadline, zone)
    return StatementNews(statement, new, withdrawn, comments, outstanding, deadline)


def news_for(user: User, since: dt.datetime, now: dt.datetime) -> list[StatementNews]:
    """The statements the user may read (its organisation's and those it co-leads) that
    have something to report."""
    statements = db.session.scalars(
        select(Statement)
        .where(viewable_by(user))
        .order_by(Statement.updated_at.desc())
    )
    found = [statement_news(statement, since, now) for statement in statements]
    return [news for news in found if not news.empty]


def send_digests(now: dt.datetime | None = None) -> tuple[int, int]:
    """Queue today's digest for every opted-in, active user it is due for; (sent, quiet).

    The caller commits.
    """
    now = now or utcnow()
    users = db.session.scalars(
        select(User).where(User.wants_digest.is_(True), User.disabled_at.is_(None))
        .order_by(User.id)
    ).all()
    sent = quiet = 0
    for user in users:
        if not digest_due(user.digest_sent_at, now):
            continue
        since = digest_window(user.digest_sent_at, now)
        news = news_for(user, since, now)
        user.digest_sent_at = now
        if not news:
            quiet += 1
            continue
        link = unsubscribe_url(digest_token(user.id))
        outbox.queue(
            KIND,
            to=user.email,
            subject=lazy_ngettext("Coalition daily digest: %(num)d statement",
                                  "Coalition daily digest: %(num)d statements", len(news)),
            context={"user": user, "news": news, "since": since, "unsubscribe_url": link},
            organisation_id=user.organisation_id,
            unsubscribe_url=link,
        )
        sent += 1
    return sent, quiet


def set_digest(actor: User, wanted: bool) -> None:
    """Turn one's own daily digest on or off; the user themself."""
    if actor.wants_digest != wanted:
        actor.wants_digest = wanted
        audit.record("digest.subscribed" if wanted else "digest.unsubscribed", actor=actor)
