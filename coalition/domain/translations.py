"""Translations: when a translation is current, and how a language's signatory list is ordered.

A translation records, with each of its revisions, the source revision it translates. It is
*current* when that source revision is still covered by the source's current text, exactly
as a signature's endorsement is (``integrity.baseline``): every source revision after it
was marked non-substantive by the lead. Otherwise it is *stale*; with no text at all it is
*missing*. Pure Python: plain values in, plain values out.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from babel import Locale, UnknownLocaleError

from coalition.domain.collation import sort_key
from coalition.domain.integrity import RevisionMark, baseline

Status = Literal["missing", "stale", "current"]

MISSING: Status = "missing"
STALE: Status = "stale"
CURRENT: Status = "current"

_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def status(
    source_revision: int | None, revisions: Sequence[RevisionMark], current: int
) -> Status:
    """Whether a translation of ``source_revision`` still translates the source's ``current``."""
    if source_revision is None:
        return MISSING
    if baseline(revisions, current) <= source_revision <= current:
        return CURRENT
    return STALE


def normalise_tag(tag: str) -> str:
    """A BCP 47 tag in its usual case: language lower, script title, region upper ("pt-BR")."""
    parts = tag.strip().replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha() or len(part) == 3 and part.isdigit():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def is_tag(tag: str) -> bool:
    """Whether ``tag`` has the shape of a BCP 47 language tag (at most 35 characters)."""
    return len(tag) <= 35 and bool(_TAG.match(tag.strip().replace("_", "-")))


def same_language(left: str, right: str) -> bool:
    """Whether two tags name the same language variety (case and "_" do not matter)."""
    return normalise_tag(left) == normalise_tag(right)


@dataclass(frozen=True)
class Entry:
    """A listed signatory: its id, its name in the list's language, and how it is filed."""

    signature_id: int
    name: str
    individual: bool = False
    sort_as: str | None = None


def order(
    entries: Iterable[Entry],
    names: Mapping[int, str],
    language: str,
    *,
    group_individuals: bool = False,
) -> list[tuple[Entry, str]]:
    """A language's list: each signatory under its name in ``language``, collated by its rules.

    ``names`` holds the name forms given for this language, by signature id; a signatory
    without one is listed under its own name (and its "sort as", which belongs to that
    name). Ties keep the signature order; with ``group_individuals`` organisations come
    first, each group in collation order.
    """
    key = functools.partial(sort_key, language=language)
    rows: list[tuple[bytes, int, Entry, str]] = []
    for entry in entries:
        form = names.get(entry.signature_id)
        if form:
            rows.append((key(form), entry.signature_id, entry, form))
        else:
            rows.append((key(entry.name, sort_as=entry.sort_as), entry.signature_id, entry,
                         entry.name))
    rows.sort(key=lambda row: (row[0], row[1]))
    if group_individuals:
        rows.sort(key=lambda row: row[2].individual)  # stable: keeps each group's order
    return [(entry, name) for _, _, entry, name in rows]


def language_name(tag: str, in_language: str = "en", *, capitalise: bool = True) -> str:
    """A language's name written in ``in_language`` ("Russian"), or the tag when unknown.

    Capitalised for a label; ``capitalise=False`` for running text, where each language
    writes it its own way ("in Russian", but "en russe", "en français")."""
    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name(
            Locale.parse(in_language.replace("-", "_"))
        )
    except (ValueError, TypeError, UnknownLocaleError):
        return tag
    if not capitalise:
        return name or tag
    return (name[:1].upper() + name[1:]) if name else tag


def native_name(tag: str) -> str:
    """A language's name in itself, capitalised ("Русский", "Беларуская"), as switchers show it."""
    return language_name(tag, tag)
