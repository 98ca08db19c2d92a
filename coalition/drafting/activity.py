"""The activity log's words: each audit action, detail key and value said in the reader's
language (the rows keep the English keys; only the page translates them)."""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString, gettext, lazy_gettext

from coalition.domain.lifecycle import LABELS, State
from coalition.i18n import translate

ACTIONS: dict[str, LazyString] = {
    "statement.created": lazy_gettext("Statement created"),
    "statement.state_changed": lazy_gettext("State changed"),
    "statement.deadline_set": lazy_gettext("Deadline set"),
    "statement.settings_changed": lazy_gettext("Settings changed"),
    "statement.signing_options_changed": lazy_gettext("Signing options changed"),
    "revision.saved": lazy_gettext("Revision saved"),
    "invitation.created": lazy_gettext("Partner invited"),
    "invitation.opened": lazy_gettext("Invitation opened"),
    "invitation.declined": lazy_gettext("Invitation declined"),
    "invitation.decline_withdrawn": lazy_gettext("Decline withdrawn"),
    "invitation.reinstated": lazy_gettext("Invitation reinstated"),
    "invitation.reminded": lazy_gettext("Partner reminded"),
    "invitation.resent": lazy_gettext("Invitation re-sent"),
    "invitation.revoked": lazy_gettext("Invitation revoked"),
    "comment.added": lazy_gettext("Comment added"),
    "comment.replied": lazy_gettext("Comment answered"),
    "comment.resolved": lazy_gettext("Comment resolved"),
    "comment.reopened": lazy_gettext("Comment reopened"),
    "comment.suggestion_accepted": lazy_gettext("Suggestion accepted"),
    "signature.signed": lazy_gettext("Signed"),
    "signature.replaced": lazy_gettext("Signature changed"),
    "signature.requested": lazy_gettext("Signature requested"),
    "signature.confirmed": lazy_gettext("Signature confirmed"),
    "signature.approved": lazy_gettext("Signature approved"),
    "signature.rejected": lazy_gettext("Signature rejected"),
    "signature.withdrawn": lazy_gettext("Signature withdrawn"),
    "signature.reconfirmation_requested": lazy_gettext("Re-confirmation requested"),
    "signature.retracted": lazy_gettext("Signature retracted"),
    "signature.sort_as_changed": lazy_gettext("Sort-as changed"),
    "signatures.resorted": lazy_gettext("Signatories re-sorted"),
    "signatures.imported": lazy_gettext("Signatures imported"),
    "edition.published": lazy_gettext("Edition published"),
    "edition.preview_link_created": lazy_gettext("Preview link created"),
    "edition.preview_link_revoked": lazy_gettext("Preview link stopped"),
    "translation.added": lazy_gettext("Translation added"),
    "translation.revision_saved": lazy_gettext("Translation saved"),
    "translation.stale": lazy_gettext("Translation out of date"),
    "translation.translator_changed": lazy_gettext("Translator changed"),
    "mail.retried": lazy_gettext("Mail retried"),
}

KEYS: dict[str, LazyString] = {
    "old": lazy_gettext("old"),
    "new": lazy_gettext("new"),
    "name": lazy_gettext("name"),
    "revision": lazy_gettext("revision"),
    "signature": lazy_gettext("signature"),
    "organisation": lazy_gettext("organisation"),
    "invitation_id": lazy_gettext("invitation"),
    "language": lazy_gettext("language"),
    "edition": lazy_gettext("edition"),
    "comment_id": lazy_gettext("comment"),
    "visibility": lazy_gettext("visibility"),
    "source_revision": lazy_gettext("source revision"),
    "public_from": lazy_gettext("public from"),
    "note": lazy_gettext("note"),
    "substantive": lazy_gettext("substantive"),
    "reason": lazy_gettext("reason"),
    "date": lazy_gettext("date"),
    "count": lazy_gettext("count"),
    "to": lazy_gettext("to"),
    "subject": lazy_gettext("subject"),
    "translator": lazy_gettext("translator"),
    "signatories": lazy_gettext("signatories"),
    "changed": lazy_gettext("changed"),
    "automatic": lazy_gettext("automatic"),
    "restored_from": lazy_gettext("restored from"),
    # A signature the lead recorded for its partner (the actor is the lead user).
    "recorded_for": lazy_gettext("recorded for"),
    "approved_at": lazy_gettext("approved at"),
    "file": lazy_gettext("file"),
    "duplicates": lazy_gettext("duplicates"),
    "refused": lazy_gettext("refused"),
    "mailed": lazy_gettext("mailed"),
}

_STATES = {state.value for state in State}


def action_label(action: str) -> str:
    """An audit action as the activity page names it."""
    known = ACTIONS.get(action)
    return str(known) if known is not None else action.replace(".", " · ").replace("_", " ")


def detail_key(key: str) -> str:
    known = KEYS.get(key)
    return str(known) if known is not None else key.replace("_", " ")


def detail_value(key: str, value: Any) -> str:
    """A detail's value: yes/no, a state's label, lists joined; anything else as stored."""
    if value is True:
        return gettext("yes")
    if value is False:
        return gettext("no")
    if key in ("old", "new") and value in _STATES:
        return translate(LABELS[State(value)])
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
