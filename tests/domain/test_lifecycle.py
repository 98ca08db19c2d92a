"""The life cycle's allowed moves, without an app."""

from __future__ import annotations

import pytest

from coalition.domain import lifecycle
from coalition.domain.errors import TransitionNotAllowed
from coalition.domain.lifecycle import State

ALLOWED = {
    ("draft", "review"), ("draft", "open"), ("review", "open"), ("open", "closed"),
    ("open", "published"), ("closed", "open"), ("closed", "published"), ("published", "open"),
}


@pytest.mark.parametrize("current", list(State))
@pytest.mark.parametrize("target", list(State))
def test_exactly_the_design_moves_are_allowed(current: State, target: State):
    allowed = (current.value, target.value) in ALLOWED
    assert lifecycle.can_move(current, target) is allowed
    if allowed:
        assert lifecycle.transition(current, target) is target
    else:
        with pytest.raises(TransitionNotAllowed):
            lifecycle.transition(current, target)


def test_comments_in_review_and_in_open_only_when_allowed():
    assert lifecycle.accepts_comments(State.REVIEW, False)
    assert not lifecycle.accepts_comments(State.OPEN, False)
    assert lifecycle.accepts_comments(State.OPEN, True)
    assert not lifecycle.accepts_comments(State.DRAFT, True)


def test_signatures_only_in_open_and_publication_from_open_or_closed():
    assert [s for s in State if lifecycle.accepts_signatures(s)] == [State.OPEN]
    assert {s for s in State if lifecycle.can_publish(s)} == {State.OPEN, State.CLOSED}
