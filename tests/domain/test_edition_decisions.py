"""What a new edition decides, over plain data: who is new, who retracted, the note, the dates."""

from __future__ import annotations

import datetime as dt

import pytest

from coalition.domain.errors import Conflict, ValidationError
from coalition.domain.integrity import (
    EditionFacts,
    Listed,
    Signer,
    chain,
    edition_changes,
    fingerprint,
    identity,
    retracting,
)
from coalition.domain.publication import embargo, publication_date

NOW = dt.datetime.now(dt.UTC)
EARLIER = NOW - dt.timedelta(days=3)


def _facts(*signers: Signer, **values: object) -> EditionFacts:
    defaults: dict[str, object] = {
        "signers": signers,
        "endorsing": (),
        "outstanding": (),
        "listed_at": {},
    }
    return EditionFacts(**{**defaults, **values})  # type: ignore[arg-type]


# --- one signer across its rows -------------------------------------------------------------


def test_a_signer_is_its_invitation_else_the_first_row_of_its_chain():
    first = Signer(1, "Ada")
    changed = Signer(4, "Ada L.", replaces_id=1)
    again = Signer(9, "Ada Lovelace", replaces_id=4)
    invited = Signer(5, "Bea", invitation_id=70, replaces_id=2)
    by_id = {s.id: s for s in (first, changed, again, invited)}
    assert identity(again, by_id) == ("signature", 1)
    assert identity(first, by_id) == ("signature", 1)
    assert identity(invited, by_id) == ("invitation", 70)


def test_a_chain_stops_at_a_missing_row_and_at_a_loop():
    assert chain(Signer(3, "C", replaces_id=2), {}.get) == {2, 3}
    loop = {1: Signer(1, "A", replaces_id=2), 2: Signer(2, "B", replaces_id=1)}
    assert chain(loop[1], loop.get) == {1, 2}


# --- withdrawals that are retractions --------------------------------------------------------


def test_a_withdrawal_is_a_retraction_only_when_an_edition_listed_the_signer():
    listed = Signer(1, "Listed", withdrawn=True, ended_at=NOW)
    never = Signer(2, "Never listed", withdrawn=True, ended_at=NOW)
    by_id = {s.id: s for s in (listed, never)}
    found = retracting([listed, never], by_id, {1: EARLIER}, live=set())
    assert found == [listed]


def test_an_earlier_row_of_the_chain_being_listed_makes_it_a_retraction():
    old = Signer(1, "Old name")
    new = Signer(2, "New name", replaces_id=1, withdrawn=True, ended_at=NOW)
    by_id = {1: old, 2: new}
    assert retracting([old, new], by_id, {1: EARLIER}, live=set()) == [new]


def test_withdrawn_then_signed_again_is_not_a_retraction():
    gone = Signer(1, "A", invitation_id=8, withdrawn=True, ended_at=NOW)
    back = Signer(2, "A", invitation_id=8)
    by_id = {1: gone, 2: back}
    assert retracting([gone, back], by_id, {1: EARLIER}, live={("invitation", 8)}) == []


def test_a_reconfirmation_without_its_link_counts_when_its_signer_was_listed_before():
    listed = Signer(1, "A", invitation_id=8)
    after = Signer(2, "A", invitation_id=8, withdrawn=True, ended_at=NOW)
    before = Signer(3, "A", invitation_id=8, withdrawn=True, ended_at=EARLIER - dt.timedelta(1))
    by_id = {s.id: s for s in (listed, after, before)}
    found = retracting([listed, after, before], by_id, {1: EARLIER}, live=set())
    assert found == [after]


# --- who is new, who is gone, and the note ---------------------------------------------------


def test_a_first_edition_suggests_no_note_and_adds_everyone():
    changes = edition_changes(_facts(Signer(1, "A"), Signer(2, "B"), endorsing=(1, 2)))
    assert changes.added == ("A", "B")
    assert changes.retracted == ()
    assert changes.note == ""


def test_a_renamed_signer_is_neither_added_nor_retracted():
    old = Signer(1, "Old name", invitation_id=3)
    new = Signer(2, "New name", invitation_id=3)
    changes = edition_changes(
        _facts(old, new, endorsing=(2,), previous=(Listed(1, "Old name", True),))
    )
    assert (changes.added, changes.retracted) == ((), ())
    assert changes.note == "Published again without changes."


def test_the_note_names_the_new_the_retracted_and_counts_the_unnamed_and_awaiting():
    signers = (
        Signer(1, "Kept"),
        Signer(2, "Gone", withdrawn=True, ended_at=NOW),
        Signer(3, "hidden", withdrawn=True, ended_at=NOW),
        Signer(4, "New"),
        Signer(5, "Late"),
    )
    previous = (Listed(1, "Kept", True), Listed(2, "Gone", True), Listed(3, "a union", False))
    changes = edition_changes(
        _facts(
            *signers,
            endorsing=(1, 4),
            outstanding=(5,),
            listed_at={1: EARLIER, 2: EARLIER, 3: EARLIER},
            previous=previous,
            text_changed=True,
        )
    )
    assert changes.retracting == (2, 3)
    assert changes.added == ("New",)
    assert changes.retracted == ("Gone",)
    assert changes.retracted_unnamed == 1
    assert changes.note == (
        "1 signatory added; signature of Gone retracted; 1 signature not named publicly "
        "retracted; text corrected; 1 signatory not listed until they re-confirm the "
        "corrected text."
    )


def test_an_outstanding_signer_of_the_previous_edition_is_not_retracted():
    changes = edition_changes(
        _facts(Signer(1, "Waiting"), outstanding=(1,), previous=(Listed(1, "Waiting", True),))
    )
    assert changes.retracted == ()
    assert changes.note == (
        "1 signatory not listed until they re-confirm the corrected text."
    )


# --- the date and the embargo ----------------------------------------------------------------


def test_the_date_defaults_to_today_and_never_precedes_the_previous_edition():
    today = NOW.date()
    assert publication_date(None, today, None) == today
    assert publication_date(NOW, today, None) == today  # a datetime counts as its date
    with pytest.raises(Conflict) as caught:
        publication_date(today - dt.timedelta(days=2), today, (3, today - dt.timedelta(days=1)))
    assert "edition 3" in caught.value.message
    assert set(caught.value.fields) == {"date"}


def test_an_embargo_is_aware_in_the_future_and_not_before_the_previous_one():
    later = NOW + dt.timedelta(days=2)
    assert embargo(None, NOW, None) is None
    assert embargo(None, NOW, EARLIER) is None  # the previous embargo has lifted
    assert embargo(None, NOW, later) == later  # a correction waits for it
    tokyo = later.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert embargo(tokyo, NOW, None) == later and embargo(tokyo, NOW, None).tzinfo == dt.UTC
    for wrong in (later.replace(tzinfo=None), EARLIER):
        with pytest.raises(ValidationError):
            embargo(wrong, NOW, None)
    with pytest.raises(ValidationError):
        embargo(later, NOW, later + dt.timedelta(hours=1))


def test_the_fingerprint_changes_with_any_value_and_not_with_key_order():
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})
    assert fingerprint({"when": NOW}) == fingerprint({"when": str(NOW)})
