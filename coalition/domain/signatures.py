"""A signature's status: where a signer's endorsement stands (pure, no database).

A StrEnum: each member is its stored string ("live", ...), so the column, the JSON and
the templates read exactly what they read before the enum existed.
"""

from __future__ import annotations

from enum import StrEnum


class SignatureStatus(StrEnum):
    LIVE = "live"  # counts; at most one per invitation
    SUPERSEDED = "superseded"  # replaced by a newer signature of the same signer
    WITHDRAWN = "withdrawn"  # withdrawn before the edition that would list it was published
    RETRACTED = "retracted"  # withdrawn after being published; the next edition shows it
    UNCONFIRMED = "unconfirmed"  # open sign-on: e-mail not yet confirmed
    PENDING = "pending"  # open sign-on or a late signature: awaiting the lead's approval
    REJECTED = "rejected"  # open sign-on: refused by the lead


# The signer took the signature back (the lead's "Withdrawn" filter).
ENDED = (SignatureStatus.WITHDRAWN, SignatureStatus.RETRACTED)
# A request to sign the lead has not decided yet (the lead's "Requests to sign" filter).
AWAITING = (SignatureStatus.PENDING, SignatureStatus.UNCONFIRMED)
