"""Signature integrity rules: which endorsement covers which text, what publication decides."""

from __future__ import annotations

from coalition.domain.integrity import (
    Endorsement,
    RevisionMark,
    baseline,
    endorses,
    plan_publication,
)

# 1 text, 2 substantive, 3 typo, 4 typo, 5 substantive, 6 typo
MARKS = [
    RevisionMark(1, True),
    RevisionMark(2, True),
    RevisionMark(3, False),
    RevisionMark(4, False),
    RevisionMark(5, True),
    RevisionMark(6, False),
]


def test_baseline_is_latest_substantive_at_or_before_target():
    assert baseline(MARKS, 1) == 1
    assert baseline(MARKS, 4) == 2
    assert baseline(MARKS, 6) == 5


def test_first_revision_counts_as_substantive_even_if_marked_otherwise():
    assert baseline([RevisionMark(1, False), RevisionMark(2, False)], 2) == 1


def test_non_substantive_changes_keep_endorsements():
    assert endorses(2, MARKS, 4)
    assert endorses(3, MARKS, 4)
    assert endorses(5, MARKS, 6)


def test_substantive_change_breaks_older_endorsements():
    assert not endorses(4, MARKS, 5)
    assert not endorses(1, MARKS, 2)


def test_an_endorsement_of_a_later_text_does_not_cover_an_earlier_one():
    assert not endorses(6, MARKS, 4)


def test_plan_lists_outstanding_in_given_order():
    endorsements = [
        Endorsement(10, "Alpha", 6),
        Endorsement(11, "Beta", 4),
        Endorsement(12, "Gamma", 5),
        Endorsement(13, "Delta", 1),
    ]
    plan = plan_publication(endorsements, MARKS, 6)
    assert [e.name for e in plan.endorsing] == ["Alpha", "Gamma"]
    assert plan.outstanding_names == ["Beta", "Delta"]
    assert plan.revision == 6


def test_plan_for_an_older_target():
    plan = plan_publication([Endorsement(1, "A", 2), Endorsement(2, "B", 5)], MARKS, 4)
    assert plan.outstanding_names == ["B"]


def test_nobody_outstanding_without_substantive_change():
    marks = [RevisionMark(1, True), RevisionMark(2, False)]
    plan = plan_publication([Endorsement(1, "A", 1), Endorsement(2, "B", 2)], marks, 2)
    assert plan.outstanding == ()
