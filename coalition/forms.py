"""The base of every form: Flask-WTF's, with a CSRF field that carries no id.

A page holds many small forms (a Remind, Re-send and Revoke button per partner), each
with its hidden CSRF token; with the default id="csrf_token" on each, the page repeats
one id many times (axe's duplicate-id rules). Nothing labels or targets a hidden token,
so it needs no id at all.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from flask_wtf import FlaskForm as _FlaskForm
from markupsafe import Markup
from wtforms import Field
from wtforms.validators import ValidationError

from coalition.domain import timezones
from coalition.domain.limits import line_length, text_length, too_long
from coalition.i18n import current_language, translate
from coalition.i18n import lazy_text as _l


class FlaskForm(_FlaskForm):
    """Flask-WTF's form, rendering its CSRF token without an id."""

    class Meta:
        def render_field(self, field: Field, render_kw: dict[str, Any]) -> Markup:
            if field.type == "CSRFTokenField":
                render_kw = {**render_kw, "id": False}
            rendered: Markup = super().render_field(field, render_kw)  # type: ignore[misc]
            return rendered


class Limit:
    """At most `limit` characters, counted as the services count what they store.

    Unlike WTForms' Length it sets no `maxlength`: a browser would cut a longer text
    silently (a 250-character organisation name became 200 without a word). Every form
    refuses it instead, with the typed text kept and the one message the services' refusal
    also shows (domain/limits.py, too_long). `mode` is "line" (NFC, spaces collapsed,
    trimmed), "text" (NFC, line endings, trimmed) or "exact" (a password: as typed).
    """

    def __init__(self, limit: int, mode: str = "line") -> None:
        self.limit = limit
        self.mode = mode

    def __call__(self, form: Any, field: Field) -> None:
        value = field.data
        if not isinstance(value, str):
            return
        if self.mode == "line":
            count = line_length(value)
        elif self.mode == "text":
            count = text_length(value)
        else:
            count = len(value)
        if count > self.limit:
            raise ValidationError(translate(too_long(count, self.limit)))


REGION_NAMES = {
    "Africa": _l("Africa"),
    "America": _l("Americas"),
    "Antarctica": _l("Antarctica"),
    "Arctic": _l("Arctic"),
    "Asia": _l("Asia"),
    "Atlantic": _l("Atlantic Ocean"),
    "Australia": _l("Australia"),
    "Europe": _l("Europe"),
    "Indian": _l("Indian Ocean"),
    "Pacific": _l("Pacific"),
}


def timezone_choices(current: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """The current zones grouped by region, named by city and country in the reader's
    language (domain/timezones.py); `current` stays selectable if it is an older id."""
    groups: dict[str, list[tuple[str, str]]] = {str(_l("Universal time")): [("UTC", "UTC")]}
    if current and current != "UTC" and not timezones.is_current(current):
        try:
            zoneinfo.ZoneInfo(current)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
        else:
            groups[str(_l("Set earlier"))] = [(current, current)]
    for region, zones in timezones.zone_groups(current_language()):
        groups[str(REGION_NAMES.get(region, region))] = zones
    return groups
