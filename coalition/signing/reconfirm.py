"""Re-confirmation: a substantive revision asks every earlier signer to endorse the new text.

Connected to events.revision_saved, so drafting needs no knowledge of signatures. The mail
carries a redline from the revision the signer endorsed to the new one. A non-substantive
save (the lead's own marking, kept on the revision) leaves every endorsement standing.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext
from sqlalchemy import select

from coalition import audit, events, roster
from coalition.domain.revisions import redline_html, word_diff
from coalition.extensions import db
from coalition.invitations import access
from coalition.mail import outbox
from coalition.models import Revision, Signature, Statement
from coalition.signing import open_signon


def text_redline(old: str, new: str) -> str:
    """A plain-text redline for the text mail: [-deleted-] and {+inserted+}."""
    parts = []
    for op, text in word_diff(old, new):
        if op < 0:
            parts.append(f"[-{text}-]")
        elif op > 0:
            parts.append(f"{{+{text}+}}")
        else:
            parts.append(text)
    return "".join(parts)


# A redline's three forms (body HTML, title HTML when it changed, plain text), per old revision.
Redlines = tuple[str, str | None, str]


def ask(
    statement: Statement,
    signature: Signature,
    old: Revision,
    revision: Revision,
    redlines: dict[int, Redlines] | None = None,
) -> None:
    """Mail one signer the changes from the revision it endorsed to `revision`, with its
    link to re-confirm; `redlines` keeps the redlines made for other signers of `old`."""
    redlines = {} if redlines is None else redlines
    if old.number not in redlines:
        redlines[old.number] = (
            redline_html(old.body, revision.body),
            (
                redline_html(old.title, revision.title, "title-")
                if old.title != revision.title
                else None
            ),
            text_redline(old.body, revision.body),
        )
    body_redline, title_redline, plain_redline = redlines[old.number]
    # The invitation's one link: re-confirming is signing again through it.
    invitation = signature.invitation
    reconfirm_url = (
        access.link_url(invitation)
        if invitation is not None and invitation.revoked_at is None
        else None
    )
    outbox.queue(
        "reconfirm",
        to=signature.signer_email,
        subject=lazy_gettext(
            "Please re-confirm your signature: %(title)s", title=revision.title
        ),
        context={
            "statement": statement,
            "signature": signature,
            "old": old,
            "new": revision,
            "redline_html": body_redline,
            "title_redline_html": title_redline,
            "redline_text": plain_redline,
            "reconfirm_url": reconfirm_url,
            "open_signon_url": (
                open_signon.link_url(statement)
                if signature.invitation_id is None and statement.open_signon
                else None
            ),
        },
        statement=statement,
        invitation=invitation,
    )


def request_reconfirmation(statement: Statement, revision: Revision) -> int:
    """Mail every signer whose endorsement no longer covers `revision`; returns how many."""
    if not revision.substantive:
        return 0
    outstanding = roster.outstanding(statement)
    if not outstanding:
        return 0
    endorsed = {
        r.number: r
        for r in db.session.scalars(
            select(Revision).where(
                Revision.statement_id == statement.id,
                Revision.number.in_({s.revision_number for s in outstanding}),
            )
        )
    }
    redlines: dict[int, Redlines] = {}
    for signature in outstanding:
        old = endorsed.get(signature.revision_number)
        if old is None:  # pragma: no cover - revisions are never deleted
            continue
        ask(statement, signature, old, revision, redlines)
    audit.record(
        "signature.reconfirmation_requested",
        actor=None,
        statement=statement,
        revision=revision.number,
        signatures=[s.id for s in outstanding],
    )
    return len(outstanding)


def _on_revision_saved(statement: Statement, **kwargs: Any) -> None:
    revision = kwargs.get("revision")
    if isinstance(revision, Revision):
        request_reconfirmation(statement, revision)


def connect() -> None:
    """Listen for saved revisions (idempotent: blinker keeps one connection per receiver)."""
    events.revision_saved.connect(_on_revision_saved)
