"""Typed errors raised by the domain and the services; views turn them into 4xx answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from coalition.domain.translations import language_name


class Names(tuple[str, ...]):
    """A list of names in a message: "A, B and C" in English, as each language writes it."""


class LanguageNames(tuple[str, ...]):
    """Language tags in a message, written as the reader's language names them."""


@dataclass(frozen=True)
class Said:
    """A sentence built from values, kept as its English template (and plural) and the
    values, so that a page says it in the reader's language (i18n.translate) while the API
    and the logs get the English (str()). Made by `say` and `say_plural`, which the
    catalogue's extraction knows (scripts/i18n.sh)."""

    template: str
    values: Mapping[str, object] = field(default_factory=dict)
    plural: str | None = None
    count: int | None = None

    def chosen(self) -> str:
        """The English template for this count."""
        if self.plural is not None and self.count != 1:
            return self.plural
        return self.template

    def __str__(self) -> str:
        if not self.values and self.count is None:
            return self.template  # a literal: no %-formatting (it may hold a "%")
        return self.chosen() % english_values(self.values, self.count)


def english_values(values: Mapping[str, object], count: int | None) -> dict[str, object]:
    """The values written in English (lists of names joined, language tags named)."""
    written: dict[str, object] = {"num": count} if count is not None else {}
    for key, value in values.items():
        if isinstance(value, LanguageNames):
            value = Names(language_name(tag) for tag in value)
        if isinstance(value, Names):
            items = list(value)
            value = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
        written[key] = value
    return written


def say(template: str, **values: object) -> Said:
    """A message with %(name)s values, translated where it is shown."""
    return Said(template, values)


def say_plural(singular: str, plural: str, count: int, **values: object) -> Said:
    """A message whose words follow a count (%(num)d), translated where it is shown."""
    return Said(singular, values, plural, count)


class DomainError(Exception):
    """A rule of the domain refused an action; `status` is the HTTP status it maps to.

    `message` is the English the API answers; `said` the same sentences with their values
    for a page to say them in its language (a literal message is its own template).
    """

    status = 400

    def __init__(
        self,
        message: str | Said | tuple[Said, ...],
        *,
        fields: dict[str, str] | None = None,
        **extra: object,
    ):
        if isinstance(message, str):
            said: tuple[Said, ...] = (Said(message),) if message else ()
            text = message
        else:
            said = message if isinstance(message, tuple) else (message,)
            text = " ".join(str(part) for part in said)
        super().__init__(text)
        self.message = text
        self.said = said
        self.fields = fields or {}
        self.extra = extra
        # Fields over their limit: name -> (characters typed, limit), for the one message
        # pages show beside them (see TooLong).
        self.lengths: dict[str, tuple[int, int]] = {}


class ValidationError(DomainError):
    """Input has the wrong shape or breaks a limit."""

    status = 422


class TooLong(ValidationError):
    """A text over its limit: `count` characters where `limit` are allowed.

    Pages show it with the one message every form gives (domain/limits.py, too_long); the
    API keeps the message naming the field.
    """

    def __init__(
        self, message: str, *, fields: dict[str, str], count: int, limit: int
    ) -> None:
        super().__init__(message, fields=fields)
        self.count = count
        self.limit = limit
        self.lengths = dict.fromkeys(fields, (count, limit))


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


class PublicationBlocked(Conflict):
    """Publication waits for signatures that must re-confirm or translations not up to date.

    ``outstanding`` names the signatories, ``stale_translations`` the languages (both also in
    the API's answer); ``translations_said`` is the sentence about the translations, for a
    page to show it beside the translations' field.
    """

    def __init__(
        self,
        message: Said | tuple[Said, ...],
        *,
        fields: dict[str, str],
        outstanding: list[str],
        stale_translations: list[str],
        translations_said: Said | None = None,
    ):
        super().__init__(
            message,
            fields=fields,
            outstanding=outstanding,
            stale_translations=stale_translations,
        )
        self.outstanding = outstanding
        self.stale_translations = stale_translations
        self.translations_said = translations_said


class TransitionNotAllowed(Conflict):
    """The life cycle does not allow this move."""
