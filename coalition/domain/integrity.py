"""Signature integrity: which signatures endorse which text, and what publication must decide."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar


@dataclass(frozen=True)
class RevisionMark:
    """What integrity needs to know of a revision."""

    number: int
    substantive: bool


@dataclass(frozen=True)
class Endorsement:
    """A live signature and the revision its signer endorsed."""

    signature_id: int
    name: str
    revision: int


@dataclass(frozen=True)
class PublicationPlan:
    """Who a publication of `revision` may list, and who is still outstanding."""

    revision: int
    endorsing: tuple[Endorsement, ...]
    outstanding: tuple[Endorsement, ...]

    @property
    def outstanding_names(self) -> list[str]:
        return [e.name for e in self.outstanding]


def baseline(revisions: Iterable[RevisionMark], target: int) -> int:
    """The oldest revision whose endorsement still covers `target`.

    An endorsement of revision r covers target t when every revision after r, up to t,
    was marked non-substantive by the lead; so the baseline is the latest substantive
    revision at or before t (revision 1 counts as substantive: it is the text itself).
    """
    latest = 1
    for revision in revisions:
        if revision.number <= target and revision.substantive and revision.number > latest:
            latest = revision.number
    return latest


def endorses(endorsed: int, revisions: Sequence[RevisionMark], target: int) -> bool:
    """Whether an endorsement of revision `endorsed` covers the text of revision `target`."""
    return baseline(revisions, target) <= endorsed <= target


def plan_publication(
    endorsements: Iterable[Endorsement], revisions: Sequence[RevisionMark], target: int
) -> PublicationPlan:
    """Split live signatures into those endorsing `target` and those still outstanding."""
    floor = baseline(revisions, target)
    endorsing: list[Endorsement] = []
    outstanding: list[Endorsement] = []
    for endorsement in endorsements:
        if floor <= endorsement.revision <= target:
            endorsing.append(endorsement)
        else:
            outstanding.append(endorsement)
    return PublicationPlan(target, tuple(endorsing), tuple(outstanding))


# --- what a new edition decides -------------------------------------------------------------


class SignerRow(Protocol):
    """What following a signer across its rows needs (a Signature row, or a :class:`Signer`)."""

    @property
    def id(self) -> int: ...

    @property
    def invitation_id(self) -> int | None: ...

    @property
    def replaces_id(self) -> int | None: ...


Row = TypeVar("Row", bound=SignerRow)


@dataclass(frozen=True)
class Signer:
    """One signature of a statement, whatever its status, as an edition's decisions see it."""

    id: int
    name: str
    invitation_id: int | None = None
    replaces_id: int | None = None  # the signature this one replaced (a change, a re-confirmation)
    withdrawn: bool = False  # withdrawn, and not (yet) recorded as a retraction
    ended_at: dt.datetime | None = None


@dataclass(frozen=True)
class Listed:
    """One entry of the previous edition's list: the signature it listed, what the public saw."""

    signature_id: int | None
    name: str
    public: bool  # False: counted, not named


@dataclass(frozen=True)
class EditionFacts:
    """What a new edition's decisions are made of, read by the caller."""

    signers: tuple[Signer, ...]  # every signature of the statement, any status
    endorsing: tuple[int, ...]  # live signatures the edition lists (they endorse its text)
    outstanding: tuple[int, ...]  # live signatures that endorsed an older text
    listed_at: Mapping[int, dt.datetime]  # signature -> when an edition first listed it
    previous: tuple[Listed, ...] | None = None  # the previous edition's list; None: the first
    text_changed: bool = False  # the text differs from the previous edition's


@dataclass(frozen=True)
class EditionChanges:
    """What a new edition changes since the previous one, and the note that says so."""

    retracting: tuple[int, ...]  # withdrawn signatures a published edition listed
    added: tuple[str, ...]  # names new since the previous edition
    retracted: tuple[str, ...]  # names of the previous edition withdrawn since
    retracted_unnamed: int  # signatories the previous edition counted but did not name
    note: str  # the suggested note ("" for a first edition)


def chain(signature: Row, earlier: Callable[[int], Row | None]) -> set[int]:
    """The signature and every earlier one it replaced (``earlier`` finds a row by id)."""
    ids = {signature.id}
    current = signature
    while current.replaces_id is not None and current.replaces_id not in ids:
        ids.add(current.replaces_id)
        found = earlier(current.replaces_id)
        if found is None:
            break
        current = found
    return ids


def identity(signature: Row, by_id: Mapping[int, Row]) -> tuple[str, int]:
    """One signer across its changes and re-confirmations: its invitation, else its first row."""
    if signature.invitation_id is not None:
        return ("invitation", signature.invitation_id)
    return ("signature", min(chain(signature, by_id.get)))


def retracting(
    signers: Iterable[Signer],
    by_id: Mapping[int, Signer],
    listed_at: Mapping[int, dt.datetime],
    live: Collection[tuple[str, int]],
) -> list[Signer]:
    """Withdrawn signatures that a published edition listed: withdrawals that are retractions.

    ``live`` holds the identities of the live signers: withdrawn, then signed again, a
    signer is still listed.
    """
    first_listed: dict[tuple[str, int], dt.datetime] = {}
    for signature_id, published_at in listed_at.items():
        if signature_id in by_id:
            key = identity(by_id[signature_id], by_id)
            if key not in first_listed or published_at < first_listed[key]:
                first_listed[key] = published_at
    found = []
    for signer in signers:
        if not signer.withdrawn:
            continue
        key = identity(signer, by_id)
        if key in live:
            continue
        listed = first_listed.get(key)
        if chain(signer, by_id.get) & listed_at.keys() or (
            # A re-confirmation that did not record what it replaced: its signer was listed
            # before this withdrawal, so the withdrawal came after publication.
            listed is not None
            and signer.ended_at is not None
            and listed <= signer.ended_at
        ):
            found.append(signer)
    return found


def edition_changes(facts: EditionFacts) -> EditionChanges:
    """Who a new edition adds and who it retracts, followed across their changes, and its note."""
    by_id = {signer.id: signer for signer in facts.signers}
    live = {identity(by_id[i], by_id) for i in (*facts.endorsing, *facts.outstanding)}
    withdrawn = retracting(facts.signers, by_id, facts.listed_at, live)
    listed = {identity(by_id[i], by_id): by_id[i].name for i in facts.endorsing}
    # What the previous edition showed of each signer: its name, or None when not named.
    before: dict[tuple[str, int], str | None] = {
        identity(by_id[entry.signature_id], by_id): entry.name if entry.public else None
        for entry in facts.previous or ()
        if entry.signature_id in by_id
    }
    added = tuple(name for key, name in listed.items() if key not in before)
    gone = [name for key, name in before.items() if key not in listed and key not in live]
    retracted = tuple(name for name in gone if name is not None)
    unnamed = sum(1 for name in gone if name is None)
    note = ""
    if facts.previous is not None:
        note = suggested_note(
            added=added,
            retracted=retracted,
            awaiting=len(facts.outstanding),
            text_changed=facts.text_changed,
            retracted_unnamed=unnamed,
        )
    return EditionChanges(tuple(s.id for s in withdrawn), added, retracted, unnamed, note)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def suggested_note(
    *, added: Sequence[str], retracted: Sequence[str], awaiting: int, text_changed: bool,
    retracted_unnamed: int = 0,
) -> str:
    """A note for a new edition saying what changed ("2 signatories added; ...").

    The note is public: a signatory not named publicly is counted in ``added`` (its entry
    is never shown) and in ``retracted_unnamed``, never named.
    """
    parts = []
    if added:
        parts.append(_plural(len(added), "signatory", "signatories") + " added")
    if retracted:
        word = "signature" if len(retracted) == 1 else "signatures"
        parts.append(f"{word} of {_names(retracted)} retracted")
    if retracted_unnamed:
        parts.append(
            _plural(retracted_unnamed, "signature", "signatures") + " not named publicly retracted"
        )
    if text_changed:
        parts.append("text corrected")
    if awaiting:
        parts.append(
            _plural(awaiting, "signatory", "signatories")
            + " not listed until they re-confirm the corrected text"
        )
    if not parts:
        return "Published again without changes."
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


# --- what the lead reviewed ----------------------------------------------------------------


def fingerprint(values: Mapping[str, object]) -> str:
    """A digest of everything a publication would freeze: it changes when any of it does."""
    encoded = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
