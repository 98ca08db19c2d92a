"""Typed errors raised by the domain and the services; views turn them into 4xx answers."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused an action; `status` is the HTTP status it maps to."""

    status = 400

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, **extra: object):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.extra = extra


class ValidationError(DomainError):
    """Input has the wrong shape or breaks a limit."""

    status = 422


class NotFound(DomainError):
    """The thing does not exist, or the actor may not know that it does."""

    status = 404


class PermissionDenied(DomainError):
    """The actor may not do this."""

    status = 403


class Conflict(DomainError):
    """The action conflicts with the current state (stale base, duplicate, life cycle)."""

    status = 409


class StaleRevision(Conflict):
    """An edit was based on a revision that is no longer the latest."""

    def __init__(self, current_revision: int, base_revision: int):
        super().__init__(
            f"Revision {base_revision} is no longer the latest: revision {current_revision} "
            "was saved in the meantime.",
            current_revision=current_revision,
        )
        self.current_revision = current_revision
        self.base_revision = base_revision


class TransitionNotAllowed(Conflict):
    """The life cycle does not allow this move."""
