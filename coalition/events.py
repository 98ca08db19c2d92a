"""Signals between features, so drafting need not know who reacts to a new revision."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent inside the saving transaction: sender is the Statement; kwargs actor, revision.
revision_saved = _signals.signal("revision-saved")
