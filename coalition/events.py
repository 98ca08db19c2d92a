"""Signals between features, so drafting need not know who reacts to its changes."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent inside the saving transaction: sender is the Statement; kwargs actor, revision.
revision_saved = _signals.signal("revision-saved")

# Sent inside the settings transaction when the source language changes: sender is the
# Statement; kwargs actor, old, new. Signing re-collates the signatory list under it.
language_changed = _signals.signal("language-changed")

# Sent inside the settings transaction before the source language changes: sender is the
# Statement; kwargs language (the new one). A receiver vetoes the change by raising a
# DomainError (Translations: the statement is already translated into that language).
language_changing = _signals.signal("language-changing")

# Sent while an edition is prepared (publishing.services.translation_plan): sender is the
# Statement; kwargs count (the signatories listed), exclude_outstanding and include (the
# languages the lead waits for). Translations answers with a publishing TranslationPlan.
edition_preparing = _signals.signal("edition-preparing")

# Sent inside the publishing transaction once the edition and its list are written: sender is
# the Edition; kwargs translations (the plan's included ones). Translations freezes them.
edition_published = _signals.signal("edition-published")

# --- what outside systems hear of (webhooks, issue 22; edition_published above too) ---------
# Each is sent inside the transaction of the change, after its rows and audit event are
# written; a receiver writes what it must in that transaction and never talks to the network.

# A signature became live, or a live one changed: sender is the Statement; kwargs actor
# (User, Invitation or None), signature (the live row, or the ended one for a withdrawal)
# and change: "created", "replaced", "reconfirmed" (the signer moved its endorsement to a
# newer revision) or "withdrawn" (withdrawn or retracted: the row's status says which).
# signing.services.announce() sends it.
signature_changed = _signals.signal("signature-changed")

# A statement moved in its life cycle: sender is the Statement; kwargs actor, old, new (state
# values) and reason ("" or "deadline").
state_changed = _signals.signal("state-changed")

# The lead posted an update under a published statement: sender is the Statement; kwargs
# actor, update.
update_posted = _signals.signal("update-posted")
