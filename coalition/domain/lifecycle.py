"""The statement life cycle: states, the moves between them and what each state allows."""

from __future__ import annotations

from enum import StrEnum

from coalition.domain.errors import TransitionNotAllowed


class State(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


ALLOWED: dict[State, frozenset[State]] = {
    State.DRAFT: frozenset({State.REVIEW, State.OPEN}),
    State.REVIEW: frozenset({State.OPEN}),
    State.OPEN: frozenset({State.CLOSED, State.PUBLISHED}),
    # A closed statement reopens when its deadline is extended.
    State.CLOSED: frozenset({State.OPEN, State.PUBLISHED}),
    # Republishing gathers late signatories or corrects the text; the last edition stays public.
    State.PUBLISHED: frozenset({State.OPEN}),
}

# Moves the generic state endpoint may make; publishing has its own service.
MANUAL_TARGETS: frozenset[State] = frozenset({State.REVIEW, State.OPEN, State.CLOSED})

LABELS: dict[State, str] = {
    State.DRAFT: "Draft",
    State.REVIEW: "In review",
    State.OPEN: "Open for signing",
    State.CLOSED: "Closed",
    State.PUBLISHED: "Published",
}


def parse_state(value: str) -> State:
    """Return the State named by `value`, or raise ValueError."""
    return State(value)


def can_move(current: State, target: State) -> bool:
    """Whether the life cycle allows moving from `current` to `target`."""
    return target in ALLOWED[current]


def transition(current: State, target: State) -> State:
    """Return `target` if the move is allowed, else raise TransitionNotAllowed."""
    if not can_move(current, target):
        raise TransitionNotAllowed(
            f"A statement cannot move from {current.value} to {target.value}.",
            fields={"state": f"not allowed from {current.value}"},
        )
    return target


def accepts_comments(state: State, comments_when_open: bool) -> bool:
    """Partners may comment in review, and while open when the lead allows it."""
    return state is State.REVIEW or (state is State.OPEN and comments_when_open)


def accepts_signatures(state: State) -> bool:
    """Partners may sign only while the statement is open."""
    return state is State.OPEN


def can_publish(state: State) -> bool:
    """Publication is made from open or closed."""
    return state in (State.OPEN, State.CLOSED)


def is_editable(state: State) -> bool:
    """The text can change in every state but closed; a published text changes by reopening."""
    return state in (State.DRAFT, State.REVIEW, State.OPEN)
