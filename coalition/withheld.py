"""Signatures not named publicly: the one home of what the public may see of them.

A partner at risk may sign without being named (docs/signing.md, "Signing without being
named"). Its signature counts in every total; the public list names the others, then says
"and 4 organisations that cannot be named for their safety", then gives the public
descriptions the signers wrote, in collated order. Nothing else of such a signature (name,
signer, e-mail, country, logo, website) reaches a public or partner output.

The line's wording is a setting of the statement (one form for one signatory, one for
several, ``{{count}}`` where the number goes); left empty, it is the interface's default
in the language of the text, with its plural forms (ngettext).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from babel import Locale, UnknownLocaleError
from flask_babel import force_locale, ngettext
from sqlalchemy import select

from coalition import audit
from coalition.domain.collation import sort_key
from coalition.domain.errors import NotFound
from coalition.domain.limits import clean_line
from coalition.domain.placeholders import format_count
from coalition.extensions import db
from coalition.i18n import DEFAULT_LOCALE, SUPPORTED
from coalition.models import Signature, Statement, User, utcnow
from coalition.security import can_manage

WORDING_MAX = 300
_COUNT = re.compile(r"\{\{\s*count\s*\}\}", re.IGNORECASE)


class Countable(Protocol):
    """What the line needs of a signature (a Signature row, or any look-alike)."""

    @property
    def public(self) -> bool: ...
    @property
    def public_description(self) -> str: ...
    @property
    def kind(self) -> str: ...


C = TypeVar("C", bound=Countable)


class Wording(Protocol):
    """The statement's setting (a Statement row)."""

    @property
    def withheld_wording_one(self) -> str: ...
    @property
    def withheld_wording_other(self) -> str: ...


@dataclass(frozen=True)
class Withheld:
    """What a list shows of its signatories not named publicly."""

    count: int = 0
    line: str = ""
    descriptions: tuple[str, ...] = ()


def _primary(language: str) -> str:
    return (language or "").strip().replace("_", "-").split("-")[0].lower()


def _plural_category(count: int, language: str) -> str:
    try:
        locale = Locale.parse((language or "en").replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        locale = Locale("en")
    return str(locale.plural_form(count))


def default_line(count: int, language: str, *, named: bool, organisations: bool) -> str:
    """The interface's wording in ``language`` (English when the interface lacks it)."""
    interface = _primary(language)
    number = format_count(count, language)
    with force_locale(interface if interface in SUPPORTED else DEFAULT_LOCALE):
        if organisations and named:
            return ngettext(
                "and %(number)s organisation that cannot be named for its safety",
                "and %(number)s organisations that cannot be named for their safety",
                count, number=number,
            )
        if organisations:
            return ngettext(
                "%(number)s organisation that cannot be named for its safety",
                "%(number)s organisations that cannot be named for their safety",
                count, number=number,
            )
        if named:
            return ngettext(
                "and %(number)s signatory who cannot be named for their safety",
                "and %(number)s signatories who cannot be named for their safety",
                count, number=number,
            )
        return ngettext(
            "%(number)s signatory who cannot be named for their safety",
            "%(number)s signatories who cannot be named for their safety",
            count, number=number,
        )


def line(
    count: int,
    language: str,
    *,
    named: bool,
    organisations: bool,
    wording: Wording | None = None,
) -> str:
    """The sentence for ``count`` signatories not named ("" for none).

    The statement's own wording applies to its own language only (a translation gets the
    default in its language): the lead wrote it in that language.
    """
    if count <= 0:
        return ""
    if wording is not None:
        one = (wording.withheld_wording_one or "").strip()
        other = (wording.withheld_wording_other or "").strip()
        chosen = (one or other) if _plural_category(count, language) == "one" else (other or one)
        if chosen:
            return _COUNT.sub(lambda _match: format_count(count, language), chosen)
    return default_line(count, language, named=named, organisations=organisations)


def of(
    signatures: Iterable[Countable],
    language: str,
    *,
    wording: Wording | None = None,
) -> Withheld:
    """The count, line and collated descriptions of the signatures not named publicly."""
    rows = list(signatures)
    hidden = [s for s in rows if not s.public]
    if not hidden:
        return Withheld()
    return Withheld(
        count=len(hidden),
        line=line(
            len(hidden),
            language,
            named=len(hidden) < len(rows),
            organisations=all(s.kind != "individual" for s in hidden),
            wording=wording,
        ),
        descriptions=collated_descriptions(
            (s.public_description for s in hidden), language
        ),
    )


def collated_descriptions(descriptions: Iterable[str], language: str = "en") -> tuple[str, ...]:
    """The non-empty descriptions in collated order."""
    given = [d.strip() for d in descriptions if d and d.strip()]
    return tuple(sorted(given, key=lambda d: (sort_key(d, language), d)))


def named(signatures: Iterable[C]) -> list[C]:
    """The signatures a public list names, in the order given."""
    return [s for s in signatures if s.public]


# --- the lead's settings and what its staff see -------------------------------------------


def hidden_from_staff(statement: Statement, signature: Countable) -> bool:
    """Whether the lead's pages show only this signature's name (the lead's strictest setting)."""
    return not signature.public and bool(statement.withheld_hidden_from_staff)


def set_options(
    actor: User,
    statement: Statement,
    *,
    wording_one: object,
    wording_other: object,
    hide_from_staff: bool,
) -> Statement:
    """Set the public line's wording and, once and for good, hide details from staff; lead only.

    Decision: hiding cannot be turned off again for a statement. A setting any staff
    member could switch off would protect nobody from the staff it is meant for.
    """
    if not can_manage(actor, statement):
        raise NotFound("No such statement.")
    one = clean_line("wording_one", wording_one, limit=WORDING_MAX, required=False)
    other = clean_line("wording_other", wording_other, limit=WORDING_MAX, required=False)
    changed: dict[str, Any] = {}
    if (one, other) != (statement.withheld_wording_one, statement.withheld_wording_other):
        statement.withheld_wording_one, statement.withheld_wording_other = one, other
        changed.update(wording_one=one, wording_other=other)
    if hide_from_staff and not statement.withheld_hidden_from_staff:
        statement.withheld_hidden_from_staff = True
        changed["hidden_from_staff"] = True
    if changed:
        statement.updated_at = utcnow()
        audit.record("statement.withheld_options_changed", actor=actor, statement=statement,
                     **changed)
    return statement


def unnamed_partners(statement_id: int) -> set[int]:
    """Invitations of a statement that ever signed without being named publicly.

    Other partners see their comments as "a partner organisation": naming the commenter
    would tell who the unnamed signatory probably is.
    """
    return set(
        db.session.scalars(
            select(Signature.invitation_id).where(
                Signature.statement_id == statement_id,
                Signature.invitation_id.is_not(None),
                ~Signature.public,
            )
        )
    )


def hidden_addresses(statement: Statement) -> set[str]:
    """Addresses of signers not named publicly, when the lead hides them from its staff.

    The outbox pages show such a message's address and text as hidden: a receipt repeats
    the signer's name, country and address.
    """
    if not statement.withheld_hidden_from_staff:
        return set()
    return {
        email.lower()
        for email in db.session.scalars(
            select(Signature.signer_email).where(
                Signature.statement_id == statement.id, ~Signature.public
            )
        )
    }
