"""Signature integrity: which signatures endorse which text, and what publication must decide."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


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
