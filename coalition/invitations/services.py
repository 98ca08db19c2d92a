"""Invitation operations: invite, revoke, re-send, remind, decline, comment, accept suggestions.

Each takes its actor explicitly (a lead User, or the partner's Invitation), checks the rules,
writes an audit event, queues mail in the outbox and leaves the commit to the caller.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from coalition import audit, roster, withheld
from coalition.accounts.services import normalise_email
from coalition.domain import lifecycle
from coalition.domain.errors import Conflict, NotFound, StaleRevision, ValidationError
from coalition.domain.invitations import (
    NO_ANSWER,
    BadLine,
    BulkList,
    Response,
    ResponseFacts,
    reminder_due,
    replace_paragraph,
    response_state,
)
from coalition.domain.limits import COMMENT_MAX, NAME_MAX, check_length, clean_line, clean_text
from coalition.domain.rendering import paragraphs
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.invitations import access
from coalition.mail import outbox
from coalition.models import (
    COMMENT_VISIBILITIES,
    Comment,
    Invitation,
    OutboxMessage,
    Revision,
    Signature,
    Statement,
    User,
    utcnow,
)
from coalition.security import new_link_salt, require_manage, require_view
from coalition.web import local_time

MESSAGE_MAX = 5000
REASON_MAX = 2000
# "Remind all" skips partners reminded this recently: a double click sends nothing twice.
REMIND_ALL_QUIET = dt.timedelta(hours=12)
# Automatic reminders skip a partner seen on its page within the hour: it is reading now.
REMIND_ACTIVE_QUIET = dt.timedelta(hours=1)


def _new_link(invitation: Invitation) -> None:
    """A new link for a reinstated invitation; the revoked one (and any link sent before
    links were derived) never opens again."""
    invitation.link_salt = new_link_salt()
    invitation.token_hash = None


# --- inviting -------------------------------------------------------------------------------


def _clean_message(value: object, field: str = "message", limit: int = MESSAGE_MAX) -> str:
    if value is None:
        return ""
    cleaned = clean_text(field, value)
    check_length(field, cleaned, limit)
    return cleaned


def find_by_email(statement: Statement, email: str) -> Invitation | None:
    """The statement's invitation for an (already normalised) address, if any."""
    return db.session.scalar(
        select(Invitation).where(Invitation.statement_id == statement.id, Invitation.email == email)
    )


def _duplicate(existing: Invitation) -> Conflict:
    return Conflict(
        f"{existing.email} is already invited to this statement ({existing.organisation}).",
        fields={"email": "already invited"},
        invitation_id=existing.id,
    )


def _mail_context(invitation: Invitation, token: str, actor: User | None) -> dict[str, object]:
    statement = invitation.statement
    return {
        "invitation": invitation,
        "statement": statement,
        "lead_organisation": statement.organisation.name,
        "inviter": actor.display_name if actor is not None else statement.organisation.name,
        "url": access.partner_url(token),
        "deadline": local_time(statement.sign_deadline, statement.timezone)
        if statement.sign_deadline
        else "",
        "state": statement.state,
        "message": invitation.message,
    }


def _queue_link_mail(
    kind: str, invitation: Invitation, token: str, actor: User | None
) -> int:
    statement = invitation.statement
    lead = statement.organisation.name
    subject = (
        lazy_gettext(
            "%(lead)s invites %(partner)s to “%(title)s”",
            lead=lead, partner=invitation.organisation, title=statement.title,
        )
        if kind == "invitation"
        else lazy_gettext("Reminder: “%(title)s” from %(lead)s", title=statement.title, lead=lead)
    )
    return outbox.queue(
        kind,
        to=invitation.email,
        subject=subject,
        context=_mail_context(invitation, token, actor),
        statement=statement,
        invitation=invitation,
    )


def invite(
    actor: User,
    statement: Statement,
    *,
    organisation: object,
    email: object,
    message: object = "",
    notify: bool = True,
) -> tuple[Invitation, str]:
    """Invite one partner organisation (lead only); returns the invitation and its token.

    `notify=False` makes the invitation without its mail: a signature recorded for a
    partner not invited before sends the receipt, which carries the same link.
    """
    require_manage(actor, statement)
    organisation_ = clean_line("organisation", organisation, limit=NAME_MAX)
    email_ = normalise_email(email)
    message_ = _clean_message(message)
    existing = find_by_email(statement, email_)
    if existing is not None:
        raise _duplicate(existing)
    invitation = Invitation(
        statement_id=statement.id,
        organisation=organisation_,
        email=email_,
        link_salt=new_link_salt(),
        message=message_,
        created_by_id=actor.id,
    )
    invitation.statement = statement
    # A savepoint: a concurrent invitation of the same address loses cleanly, not with a 500.
    try:
        with db.session.begin_nested():
            db.session.add(invitation)
    except IntegrityError as exc:
        existing = find_by_email(statement, email_)
        if existing is None:
            raise
        raise _duplicate(existing) from exc
    token = access.link_token(invitation)
    audit.record(
        "invitation.created",
        actor=actor,
        statement=statement,
        invitation_id=invitation.id,
        organisation=organisation_,
        **({} if notify else {"mailed": False}),
    )
    if notify:
        _queue_link_mail("invitation", invitation, token, actor)
    return invitation, token


@dataclass
class BulkOutcome:
    """What a bulk invitation did: made, already invited, and refused lines."""

    created: list[Invitation]
    duplicates: list[tuple[int, Invitation]]
    bad: list[BadLine]


def invite_bulk(
    actor: User, statement: Statement, parsed: BulkList, *, message: object = ""
) -> BulkOutcome:
    """Invite every good line of a parsed list (lead only); report duplicates and bad lines."""
    require_manage(actor, statement)
    message_ = _clean_message(message)
    outcome = BulkOutcome(created=[], duplicates=[], bad=list(parsed.bad))
    for invitee in parsed.invitees:
        existing = find_by_email(statement, invitee.email)
        if existing is not None:
            outcome.duplicates.append((invitee.line, existing))
            continue
        try:
            invitation, _ = invite(
                actor,
                statement,
                organisation=invitee.organisation,
                email=invitee.email,
                message=message_,
            )
        except Conflict as error:
            existing = db.session.get(Invitation, error.extra.get("invitation_id"))
            if existing is not None:
                outcome.duplicates.append((invitee.line, existing))
            continue
        except ValidationError as error:
            text = f"{invitee.organisation} <{invitee.email}>"
            outcome.bad.append(BadLine(invitee.line, text, error.message))
            continue
        outcome.created.append(invitation)
    outcome.bad.sort(key=lambda bad: bad.line)
    return outcome


def invitation_of(actor: User, statement: Statement, invitation_id: int) -> Invitation:
    """One invitation of a statement of the actor's organisation, or NotFound."""
    require_view(actor, statement)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.statement_id != statement.id:
        raise NotFound("No such invitation.", fields={"invitation": "not found"})
    return invitation


def revoke(actor: User, invitation: Invitation) -> None:
    """End an invitation's link (lead only); the row and its history stay."""
    require_manage(actor, invitation.statement)
    if invitation.revoked_at is not None:
        return
    invitation.revoked_at = utcnow()
    invitation.revoked_by_id = actor.id
    audit.record(
        "invitation.revoked",
        actor=actor,
        statement=invitation.statement,
        invitation_id=invitation.id,
        organisation=invitation.organisation,
    )


def resend(actor: User, invitation: Invitation) -> str:
    """Send the invitation again with its same link (lead only); a revoked one is reinstated
    with a new link, since the old one was withdrawn."""
    require_manage(actor, invitation.statement)
    if invitation.revoked_at is not None:
        invitation.revoked_at = None
        invitation.revoked_by_id = None
        _new_link(invitation)
        audit.record(
            "invitation.reinstated",
            actor=actor,
            statement=invitation.statement,
            invitation_id=invitation.id,
            organisation=invitation.organisation,
        )
    token = access.link_token(invitation)
    audit.record(
        "invitation.resent",
        actor=actor,
        statement=invitation.statement,
        invitation_id=invitation.id,
        organisation=invitation.organisation,
    )
    _queue_link_mail("invitation", invitation, token, actor)
    return token


# --- response tracking ----------------------------------------------------------------------


@dataclass
class Tracked:
    """One invitation with the facts of its response and the state they add up to."""

    invitation: Invitation
    facts: ResponseFacts
    state: Response
    mail_waiting: int

    @property
    def no_answer(self) -> bool:
        return self.state in NO_ANSWER

    @property
    def link(self) -> str | None:
        """The partner's link for the lead to copy; None once it no longer opens."""
        if access.invitation_status_problem(self.invitation) is not None:
            return None
        return access.link_url(self.invitation)


def tracking(statement: Statement) -> list[Tracked]:
    """Every invitation of a statement with its response state (a few grouped queries)."""
    invitations = list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.statement_id == statement.id)
            .order_by(Invitation.organisation, Invitation.id)
        )
    )
    commented = dict(
        db.session.execute(
            select(Comment.invitation_id, func.min(Comment.created_at))
            .where(Comment.statement_id == statement.id, Comment.invitation_id.is_not(None))
            .group_by(Comment.invitation_id)
        ).all()
    )
    signed = dict(
        db.session.execute(
            select(Signature.invitation_id, Signature.created_at).where(
                Signature.statement_id == statement.id,
                Signature.live,
                Signature.invitation_id.is_not(None),
            )
        ).all()
    )
    mail = {
        row[0]: row[1:]
        for row in db.session.execute(
            select(
                OutboxMessage.invitation_id,
                func.max(OutboxMessage.sent_at),
                func.max(OutboxMessage.failed_at),
                func.sum(
                    # Waiting: neither sent nor given up.
                    (OutboxMessage.sent_at.is_(None) & OutboxMessage.failed_at.is_(None)).cast(
                        db.Integer
                    )
                ),
            )
            .where(
                OutboxMessage.statement_id == statement.id,
                OutboxMessage.invitation_id.is_not(None),
                OutboxMessage.kind.in_(("invitation", "reminder")),
            )
            .group_by(OutboxMessage.invitation_id)
        ).all()
    }
    rows = []
    for invitation in invitations:
        sent_at, failed_at, waiting = mail.get(invitation.id, (None, None, 0))
        facts = ResponseFacts(
            revoked_at=invitation.revoked_at,
            expired=access.invitation_status_problem(invitation) == "expired",
            signed_at=signed.get(invitation.id),
            declined_at=invitation.declined_at,
            commented_at=commented.get(invitation.id),
            opened_at=invitation.opened_at,
            mail_sent_at=_aware(sent_at),
            mail_failed_at=_aware(failed_at),
        )
        rows.append(Tracked(invitation, facts, response_state(facts), int(waiting or 0)))
    return rows


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # Aggregates bypass the column type on SQLite and come back naive (UTC) or as text.
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def counts(rows: list[Tracked]) -> dict[str, int]:
    """How many invitations are in each state, plus "all" and "no_answer"."""
    counter: Counter[str] = Counter(row.state.value for row in rows)
    result = {state.value: counter.get(state.value, 0) for state in Response}
    result["all"] = len(rows)
    result["no_answer"] = sum(1 for row in rows if row.no_answer)
    return result


# --- reminders ------------------------------------------------------------------------------


def _can_remind(invitation: Invitation) -> str | None:
    """Why this invitation cannot be reminded, or None."""
    problem = access.invitation_status_problem(invitation)
    if problem is not None:
        return f"the invitation is {problem}"
    if invitation.declined_at is not None:
        return "the partner declined"
    if roster.has_live_signature(invitation):
        return "the partner has signed"
    return None


def remind(actor: User | None, invitation: Invitation, *, now: dt.datetime | None = None) -> None:
    """Mail a reminder with the invitation's link (lead, or the system for automatic reminders)."""
    if actor is not None:
        require_manage(actor, invitation.statement)
    reason = _can_remind(invitation)
    if reason is not None:
        raise Conflict(
            f"No reminder for {invitation.organisation}: {reason}.",
            fields={"invitation": reason},
        )
    token = access.link_token(invitation)
    invitation.last_reminded_at = now or utcnow()
    audit.record(
        "invitation.reminded",
        actor=actor,
        statement=invitation.statement,
        invitation_id=invitation.id,
        organisation=invitation.organisation,
        automatic=actor is None,
    )
    _queue_link_mail("reminder", invitation, token, actor)


def remind_all(actor: User, statement: Statement) -> tuple[int, int]:
    """Remind every partner with no answer yet (lead only); returns (reminded, skipped)."""
    require_manage(actor, statement)
    now = utcnow()
    reminded = skipped = 0
    for row in tracking(statement):
        if not row.no_answer:
            continue
        last = row.invitation.last_reminded_at
        if last is not None and now - last < REMIND_ALL_QUIET:
            skipped += 1
            continue
        remind(actor, row.invitation, now=now)
        reminded += 1
    return reminded, skipped


def remind_due(now: dt.datetime | None = None) -> int:
    """Queue automatic reminders a set number of days before each deadline (the system)."""
    now = now or utcnow()
    days = int(current_app.config["REMINDER_DAYS_BEFORE_DEADLINE"])
    statements = db.session.scalars(
        select(Statement).where(
            Statement.state == lifecycle.State.OPEN.value,
            Statement.sign_deadline.is_not(None),
            Statement.sign_deadline > now,
        )
    )
    queued = 0
    for statement in statements:
        for row in tracking(statement):
            invitation = row.invitation
            if not row.no_answer or not reminder_due(
                deadline=statement.sign_deadline,
                now=now,
                days_before=days,
                last_reminded_at=invitation.last_reminded_at,
            ):
                continue
            if invitation.last_seen_at is not None and now - invitation.last_seen_at < (
                REMIND_ACTIVE_QUIET
            ):
                continue
            remind(None, invitation, now=now)
            queued += 1
    return queued


# --- the partner's actions ------------------------------------------------------------------


def record_visit(invitation: Invitation, *, now: dt.datetime | None = None) -> int | None:
    """Note that the partner opened its page; returns the revision it had seen before."""
    now = now or utcnow()
    seen_before = invitation.last_seen_revision
    if invitation.opened_at is None:
        invitation.opened_at = now
        audit.record("invitation.opened", actor=invitation, statement=invitation.statement)
    invitation.last_seen_at = now
    invitation.last_seen_revision = invitation.statement.current_revision
    return seen_before


def decline(invitation: Invitation, reason: object = "") -> None:
    """The partner declines to sign, with an optional reason (partner only)."""
    reason_ = _clean_message(reason, "reason", REASON_MAX)
    if roster.has_live_signature(invitation):
        raise Conflict(
            "You have signed this statement: withdraw your signature before declining.",
            fields={"reason": "withdraw the signature first"},
        )
    if invitation.declined_at is not None:
        invitation.decline_reason = reason_ or invitation.decline_reason
        return
    invitation.declined_at = utcnow()
    invitation.decline_reason = reason_
    audit.record(
        "invitation.declined", actor=invitation, statement=invitation.statement, reason=reason_
    )


def undo_decline(invitation: Invitation) -> None:
    """The partner takes back its decline (partner only)."""
    if invitation.declined_at is None:
        return
    invitation.declined_at = None
    audit.record("invitation.decline_withdrawn", actor=invitation, statement=invitation.statement)


def comments_open(statement: Statement) -> bool:
    return lifecycle.accepts_comments(statement.state_enum, statement.comments_when_open)


def add_comment(
    invitation: Invitation,
    *,
    body: object,
    anchor: object = None,
    suggestion: object = None,
    visibility: object = "private",
) -> Comment:
    """A partner's comment on a paragraph, or its proposed replacement text (partner only)."""
    statement = invitation.statement
    if not comments_open(statement):
        raise Conflict(
            "Comments are not being taken on this statement now.",
            fields={"body": "comments are closed"},
            state=statement.state,
        )
    revision = drafting.latest_revision(statement)
    blocks = paragraphs(revision.body)
    if anchor is not None and (
        not isinstance(anchor, int) or isinstance(anchor, bool) or not 0 <= anchor < len(blocks)
    ):
        # 409, not 422: the anchor is well formed; the current text has no such paragraph.
        raise Conflict(
            f"No such paragraph: anchor must be a paragraph number from 0 to {len(blocks) - 1}.",
            fields={"anchor": "no such paragraph"},
        )
    body_ = _clean_message(body, "body", COMMENT_MAX)
    suggestion_ = _clean_message(suggestion, "suggestion", COMMENT_MAX) or None
    if suggestion_ is not None and anchor is None:
        raise ValidationError(
            "A suggested text replaces one paragraph: choose which.",
            fields={"anchor": "required with a suggestion"},
        )
    if not body_ and suggestion_ is None:
        raise ValidationError(
            "Write a comment or a suggested text.", fields={"body": "is required"}
        )
    if visibility not in COMMENT_VISIBILITIES:
        raise ValidationError(
            "visibility must be private or shared.",
            fields={"visibility": "must be private or shared"},
        )
    comment = Comment(
        statement_id=statement.id,
        invitation_id=invitation.id,
        revision_number=revision.number,
        anchor=anchor,
        anchor_text=blocks[anchor] if anchor is not None else "",
        body=body_,
        suggestion=suggestion_,
        visibility=str(visibility),
    )
    db.session.add(comment)
    db.session.flush()
    audit.record(
        "comment.added",
        actor=invitation,
        statement=statement,
        comment_id=comment.id,
        suggestion=suggestion_ is not None,
        visibility=comment.visibility,
    )
    return comment


def partner_comments(invitation: Invitation) -> list[Comment]:
    """What a partner may read: its own comments, others' shared ones, the lead's answers."""
    visible = list(
        db.session.scalars(
            select(Comment)
            .where(
                Comment.statement_id == invitation.statement_id,
                Comment.parent_id.is_(None),
                Comment.invitation_id.is_not(None),
                (Comment.invitation_id == invitation.id) | (Comment.visibility == "shared"),
            )
            .order_by(Comment.id)
        )
    )
    ids = [c.id for c in visible]
    replies = (
        list(
            db.session.scalars(
                select(Comment)
                .where(
                    Comment.parent_id.in_(ids),
                    Comment.author_id.is_not(None),
                    # A lead reply marked private is an internal note: no partner sees it.
                    Comment.visibility == "shared",
                )
                .order_by(Comment.id)
            )
        )
        if ids
        else []
    )
    return visible + replies


# --- the lead's side of comments -----------------------------------------------------------


def statement_comments(statement: Statement) -> list[Comment]:
    """Every comment and reply of a statement, oldest first (lead only)."""
    return list(
        db.session.scalars(
            select(Comment).where(Comment.statement_id == statement.id).order_by(Comment.id)
        )
    )


def comment_of(actor: User, statement: Statement, comment_id: int) -> Comment:
    """One comment of a statement of the actor's organisation, or NotFound."""
    require_view(actor, statement)
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.statement_id != statement.id:
        raise NotFound("No such comment.", fields={"comment": "not found"})
    return comment


def reply(actor: User, comment: Comment, *, body: object, visibility: object = "shared") -> Comment:
    """The lead answers a comment; "private" makes it an internal note no partner sees."""
    statement = db.session.get(Statement, comment.statement_id)
    assert statement is not None
    require_manage(actor, statement)
    root = db.session.get(Comment, comment.parent_id) if comment.parent_id else comment
    assert root is not None
    body_ = _clean_message(body, "body", COMMENT_MAX)
    if not body_:
        raise ValidationError("Write a reply.", fields={"body": "is required"})
    if visibility not in COMMENT_VISIBILITIES:
        raise ValidationError(
            "visibility must be private or shared.", fields={"visibility": "private or shared"}
        )
    answer = Comment(
        statement_id=statement.id,
        author_id=actor.id,
        parent_id=root.id,
        revision_number=root.revision_number,
        anchor=root.anchor,
        anchor_text=root.anchor_text,
        body=body_,
        visibility=str(visibility),
    )
    db.session.add(answer)
    db.session.flush()
    audit.record(
        "comment.replied",
        actor=actor,
        statement=statement,
        comment_id=answer.id,
        parent_id=root.id,
        visibility=answer.visibility,
    )
    return answer


def resolve(actor: User, comment: Comment, *, resolved: bool = True) -> None:
    """Mark a comment resolved, or open it again (lead only)."""
    statement = db.session.get(Statement, comment.statement_id)
    assert statement is not None
    require_manage(actor, statement)
    if resolved == (comment.resolved_at is not None):
        return
    comment.resolved_at = utcnow() if resolved else None
    comment.resolved_by_id = actor.id if resolved else None
    audit.record(
        "comment.resolved" if resolved else "comment.reopened",
        actor=actor,
        statement=statement,
        comment_id=comment.id,
    )


def accept_suggestion(actor: User, comment: Comment, *, base_revision: object) -> Revision:
    """Save the suggested paragraph as a new revision crediting the partner (lead only).

    The accept button carries the revision the lead was looking at: if another revision was
    saved since, StaleRevision is raised and nothing changes.
    """
    statement = db.session.get(Statement, comment.statement_id)
    assert statement is not None
    require_manage(actor, statement)
    if comment.suggestion is None or comment.anchor is None:
        raise Conflict("This comment has no suggested text.", fields={"comment": "no suggestion"})
    if comment.accepted_revision is not None:
        raise Conflict(
            f"This suggestion was already accepted in revision {comment.accepted_revision}.",
            fields={"comment": "already accepted"},
        )
    if not isinstance(base_revision, int) or isinstance(base_revision, bool):
        raise ValidationError(
            "base_revision must be the revision you were reading.",
            fields={"base_revision": "must be an integer"},
        )
    if base_revision != statement.current_revision:
        raise StaleRevision(statement.current_revision, base_revision)
    current = drafting.latest_revision(statement)
    body = replace_paragraph(current.body, comment.anchor, comment.anchor_text, comment.suggestion)
    organisation = (
        comment.invitation.organisation
        # The note reaches every signer: a partner not named publicly stays unnamed in it.
        if comment.invitation and comment.invitation.id not in withheld.unnamed_partners(
            statement.id
        )
        else "a partner"
    )
    revision = drafting.save_revision(
        actor,
        statement,
        body=body,
        base_revision=base_revision,
        note=f"Accepted a suggestion from {organisation}"[:500],
        substantive=True,
        credited=comment.invitation,
    )
    comment.accepted_revision = revision.number
    if comment.resolved_at is None:
        comment.resolved_at = utcnow()
        comment.resolved_by_id = actor.id
    audit.record(
        "comment.suggestion_accepted",
        actor=actor,
        statement=statement,
        comment_id=comment.id,
        revision=revision.number,
        credited=organisation,
    )
    return revision


# --- the outbox, for the lead ---------------------------------------------------------------


def statement_outbox(statement: Statement) -> list[OutboxMessage]:
    """Every message about a statement, newest first (lead only: it holds addresses)."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.statement_id == statement.id)
            .order_by(OutboxMessage.id.desc())
        )
    )


def outbox_message(actor: User, statement: Statement, message_id: int) -> OutboxMessage:
    """One message of a statement's outbox, or NotFound."""
    require_view(actor, statement)
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.statement_id != statement.id:
        raise NotFound("No such message.", fields={"message": "not found"})
    return message


def retry_message(actor: User, message: OutboxMessage) -> None:
    """Put a message that was given up on back in the queue (lead only)."""
    statement = db.session.get(Statement, message.statement_id) if message.statement_id else None
    if statement is not None:
        require_manage(actor, statement)
    if message.sent_at is not None:
        raise Conflict("This message was sent already.", fields={"message": "already sent"})
    message.failed_at = None
    message.attempts = 0
    message.next_attempt_at = utcnow()
    audit.record(
        "mail.retried",
        actor=actor,
        organisation_id=message.organisation_id,
        statement=statement,
        message_id=message.id,
    )
